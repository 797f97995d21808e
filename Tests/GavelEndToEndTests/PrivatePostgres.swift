import Foundation
import Testing

/// A throwaway PostgreSQL cluster of the test's own, on its own port and folder, made with
/// `scripts/postgres-test-cluster.sh`, which a test may stop and start at will (the shared
/// test cluster must never be restarted: other tests use it). Unlike the shared one it commits
/// synchronously (`synchronous_commit = on`), so an immediate shutdown loses no committed
/// transaction, as on a production server.
struct PrivatePostgres {
    let folder: URL
    let port: Int
    let bin: String

    /// The folder of `initdb` and `pg_ctl`: `GAVEL_PG_BIN`, else the newest
    /// `/usr/lib/postgresql/*/bin` (as the script picks it); `nil` when there is none.
    static let binaries: String? = {
        if let bin = ProcessInfo.processInfo.environment["GAVEL_PG_BIN"], !bin.isEmpty { return bin }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap { Int($0) }.sorted().reversed().map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }()

    /// The script, beside this package's sources.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/postgres-test-cluster.sh").path
    }

    /// The URL the `gavel` role connects with.
    var url: String { "postgres://gavel:gavel@127.0.0.1:\(port)/gavel" }

    /// Runs `body` with a cluster made and started in a new folder on a random port, then
    /// stops the cluster and deletes its folder.
    static func with<T>(_ body: (PrivatePostgres) async throws -> T) async throws -> T {
        let bin = try #require(binaries, "no PostgreSQL server binaries")
        let cluster = PrivatePostgres(folder: try temporaryFolder("gvpg-"), port: Int.random(in: 20_000..<30_000), bin: bin)
        do {
            try await cluster.script("start")
            try await cluster.synchronousCommit()
            let result = try await body(cluster)
            await cluster.destroy()
            return result
        } catch {
            await cluster.destroy()
            throw error
        }
    }

    /// Runs the script with this cluster's folder and port.
    @discardableResult
    func script(_ command: String) async throws -> String {
        let result = try await runCommand(
            [Self.script, command], environment: ["GAVEL_PG_DIR": folder.path, "GAVEL_PG_PORT": String(port), "GAVEL_PG_BIN": bin])
        guard result.status == 0 else { throw Failure(description: "postgres-test-cluster.sh \(command): \(result.output)") }
        return result.output
    }

    /// Turns synchronous commits back on (the script's clusters trade them for speed).
    private func synchronousCommit() async throws {
        let configuration = folder.appendingPathComponent("data/postgresql.conf")
        let handle = try FileHandle(forWritingTo: configuration)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("\nsynchronous_commit = on\n".utf8))
        try handle.close()
        try await pgctl(["reload"])
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`).
    func crash() async throws {
        try await pgctl(["-m", "immediate", "-w", "stop"])
    }

    /// Starts the server again on its port and waits until it takes connections.
    func restart() async throws {
        try await pgctl(["-l", folder.appendingPathComponent("postgres.log").path, "-w", "-t", "60", "-o", "-p \(port)", "start"])
    }

    /// Stops the server and deletes its folder.
    func destroy() async {
        _ = try? await script("destroy")
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `psql` as the `gavel` role; what it printed (unaligned, tuples only).
    func query(_ sql: String) async throws -> String {
        let result = try await runCommand(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw Failure(description: "psql: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `pg_ctl` on the cluster's data folder as its owner (`postgres` when we are root).
    private func pgctl(_ arguments: [String]) async throws {
        let command = ["\(bin)/pg_ctl", "-D", folder.appendingPathComponent("data").path] + arguments
        let result = try await runCommand(getuid() == 0 ? ["runuser", "-u", "postgres", "--"] + command : command)
        guard result.status == 0 else { throw Failure(description: "pg_ctl \(arguments.joined(separator: " ")): \(result.output)") }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
