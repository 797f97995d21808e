import AsyncHTTPClient
import Foundation
import GavelCore
import NIOCore
import NIOHTTP1

/// The real `gavel` binary that `swift build` made, started as a child process in its own
/// working folder, with what it prints written to two files beside that folder (standard
/// output, read for the listening address, and standard error, its log).
final class GavelProcess: Sendable {
    /// The running binary.
    let process: ChildProcess
    /// Its working folder.
    let folder: URL
    private let outputPath: String
    private let errorPath: String
    private let listening = Locked("")

    /// The binary: `GAVEL_BINARY`, else `.build/debug/gavel` beside this package.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["GAVEL_BINARY"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gavel")
    }

    /// Starts `gavel <arguments>` in `folder` (a new temporary one by default).
    init(_ arguments: [String], folder: URL? = nil, environment: [String: String] = [:]) throws {
        let folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("gavel-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = "gavel-e2e-output-\(UUID().uuidString)"
        outputPath = FileManager.default.temporaryDirectory.appendingPathComponent(name + ".out").path
        errorPath = FileManager.default.temporaryDirectory.appendingPathComponent(name + ".err").path
        self.folder = folder
        process = try ChildProcess(
            [Self.binary.path] + arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
            folder: folder.path, standardOutput: .file(outputPath), standardError: .file(errorPath))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
    }

    /// Everything written to standard error (the log) so far.
    var log: String { Self.read(errorPath) }

    /// Every line printed so far.
    var printed: [String] { Self.read(outputPath).split(separator: "\n").map(String.init) }

    /// The base URL the server printed, once ``waitUntilListening(timeout:)`` has read it.
    var baseURL: String { listening.withLock { $0 } }

    /// Waits until the server prints its address; returns the base URL.
    @discardableResult
    func waitUntilListening(timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let line = printed.first(where: { $0.contains("listening on http://") }),
                let range = line.range(of: "http://")
            {
                let baseURL = String(line[range.lowerBound...].prefix { $0 != " " })
                listening.withLock { $0 = baseURL }
                return baseURL
            }
            if let status = process.exitStatus { throw GavelProcessError.exited(status) }
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
        process.send(SIGKILL)
        _ = await waitForExit()
    }

    /// Waits for the process to end.
    func waitForExit() async -> Int32 {
        await process.waitForExit()
    }

    private static func read(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self)
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
