import Foundation
import GavelCore

/// A program the tests start: spawned with `posix_spawn`, its output written straight to files
/// (or discarded), and reaped by polling `waitpid`.
///
/// Not Foundation's `Process`: on Linux its `run()` lists `/proc/self/fd` to close inherited
/// descriptors and reads past the end of the directory buffer (AddressSanitizer:
/// heap-buffer-overflow in `findMaximumOpenFromProcSelfFD`), which crashed the test process with
/// SIGSEGV when that buffer ended at unmapped memory — the likelier the more descriptors are
/// open, and every child's `Pipe`s added more. Files and `waitpid` involve no pipe, no dispatch
/// source, no run loop and no thread of their own.
final class ChildProcess: Sendable {
    /// Where one of the child's output streams goes.
    enum Output: Sendable {
        /// Discarded (`/dev/null`).
        case discarded
        /// Appended to the file at this path (created if missing).
        case file(String)
        /// Standard error only: to wherever standard output goes.
        case standardOutput
    }

    /// The child's process id.
    let pid: pid_t
    /// The exit status once reaped: the code, or 128 + the signal that ended it.
    private let reaped = Locked<Int32?>(nil)

    /// Starts `arguments[0]` (looked up on `PATH` when it has no `/`) with `arguments`, the
    /// whole `environment`, in `folder` (the tests' own when `nil`); standard input is
    /// `/dev/null` and no other descriptor of the tests is inherited.
    init(
        _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment, folder: String? = nil,
        standardOutput: Output = .discarded, standardError: Output = .standardOutput
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        Self.redirect(1, to: standardOutput, &actions)
        Self.redirect(2, to: standardError, &actions)
        Self.closeInheritedDescriptors(&actions)
        if let folder { try Self.changeFolder(folder, &actions) }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw CommandError(description: "cannot run \(arguments[0]): errno \(spawned)") }
        self.pid = pid
    }

    /// The exit status if the child has ended, else `nil`; never blocks.
    var exitStatus: Int32? {
        reaped.withLock { status in
            if status == nil { status = Self.poll(pid) }
            return status
        }
    }

    /// Whether the child is still running.
    var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` unless the child has already been reaped (its id may be another's by then).
    func send(_ signal: Int32) {
        reaped.withLock { status in
            if status == nil { status = Self.poll(pid) }
            if status == nil { _ = kill(pid, signal) }
        }
    }

    /// Sends SIGTERM.
    func terminate() { send(SIGTERM) }

    /// Waits for the child to end, polling every 10 ms; its exit status.
    func waitForExit() async -> Int32 {
        while true {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits up to `limit`; the exit status, or `nil` when the child still runs.
    func waitForExit(within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return exitStatus
    }

    /// Runs a program to its end, killing it after `timeout`: its status and what it printed
    /// on standard output (and standard error, unless that is `.discarded`).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], standardError: Output = .standardOutput,
        timeout: Duration = .seconds(120)
    ) async throws -> CommandResult {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-child-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let child = try ChildProcess(
            arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
            standardOutput: .file(path), standardError: standardError)
        let status = await child.waitForExit(within: timeout)
        if status == nil { child.send(SIGKILL) }
        let final = await child.waitForExit()
        let output = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return CommandResult(status: status ?? final, output: output, timedOut: status == nil)
    }

    private static func redirect(_ descriptor: Int32, to output: Output, _ actions: inout posix_spawn_file_actions_t) {
        switch output {
        case .discarded: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        case .standardOutput: posix_spawn_file_actions_adddup2(&actions, 1, descriptor)
        }
    }

    /// Reaps the child if it has ended: its status, else `nil`.
    private static func poll(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == 0 || (result < 0 && errno == EINTR) { return nil }
        guard result == pid else { return -1 }  // not our child any more: nothing to wait for
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Adds "close every descriptor from 3 up" (glibc 2.34 and later; looked up at run time, as
    /// the C library declares it for GNU sources only): nothing of the tests leaks into the
    /// child, nor into a daemon it starts — a PostgreSQL server would keep the tests' sockets
    /// open for its whole life.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }

    /// Adds "change to `folder`" (glibc 2.29 and later, looked up like the above).
    private static func changeFolder(_ folder: String, _ actions: inout posix_spawn_file_actions_t) throws {
        typealias ChangeFolder = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np") else {
            throw CommandError(description: "this C library cannot start a program in another folder")
        }
        _ = unsafeBitCast(symbol, to: ChangeFolder.self)(&actions, folder)
    }
}
