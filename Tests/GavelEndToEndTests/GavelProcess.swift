import AsyncHTTPClient
import Foundation
import GavelCore
import NIOCore
import NIOHTTP1

/// The real `gavel` binary that `swift build` made, started as a child process in its own
/// working folder, with its stdout read for the listening address.
final class GavelProcess: Sendable {
    let process = Process()
    let folder: URL
    let output = Pipe()
    let errors = Pipe()
    private struct Output: Sendable {
        var lines: [String] = []
        var errorText = ""
        var baseURL = ""
    }

    private let outputs = Locked(Output())

    /// The binary: `GAVEL_BINARY`, else `.build/debug/gavel` beside this package.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["GAVEL_BINARY"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gavel")
    }

    /// Starts `gavel <arguments>` in `folder` (a new temporary one by default).
    init(_ arguments: [String], folder: URL? = nil, environment: [String: String] = [:]) throws {
        self.folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("gavel-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = self.folder
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = output
        process.standardError = errors
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.outputs.withLock { $0.lines += text.split(separator: "\n").map(String.init) }
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.outputs.withLock { $0.errorText += text }
        }
        try process.run()
    }

    /// Everything written to standard error (the log) so far.
    var log: String { outputs.withLock { $0.errorText } }

    /// Every line printed so far.
    var printed: [String] { outputs.withLock { $0.lines } }

    /// The base URL the server printed, once ``waitUntilListening(timeout:)`` has read it.
    var baseURL: String { outputs.withLock { $0.baseURL } }

    /// Waits until the server prints its address; returns the base URL.
    @discardableResult
    func waitUntilListening(timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let line = printed.first(where: { $0.contains("listening on http://") }),
                let range = line.range(of: "http://")
            {
                let baseURL = String(line[range.lowerBound...].prefix { $0 != " " })
                outputs.withLock { $0.baseURL = baseURL }
                return baseURL
            }
            guard process.isRunning else { throw GavelProcessError.exited(process.terminationStatus) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GavelProcessError.timeout
    }

    /// Sends SIGTERM and waits for the exit status.
    func terminate() async -> Int32 {
        process.terminate()
        return await waitForExit()
    }

    /// Sends SIGKILL and waits.
    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit()
    }

    /// Waits for the process to end.
    func waitForExit() async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        try? await Task.sleep(for: .milliseconds(50))
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }
}

enum GavelProcessError: Error {
    case exited(Int32)
    case timeout
}

/// A small JSON client for the end-to-end tests.
struct Client {
    let http: HTTPClient
    let baseURL: String

    func call(_ method: HTTPMethod, _ path: String, key: String?, json: JSONValue? = nil) async throws -> (status: Int, body: JSONValue) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(json)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = Array(try await response.body.collect(upTo: 1 << 24).readableBytesView)
        let body =
            bytes.isEmpty
            ? JSONValue.null : (try? JSONParser.parse(bytes, limits: .trusted)) ?? .string(String(decoding: bytes, as: UTF8.self))
        return (Int(response.status.code), body)
    }
}
