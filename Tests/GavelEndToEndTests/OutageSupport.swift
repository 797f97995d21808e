import AsyncHTTPClient
import Foundation
import GavelCore
import NIOCore
import NIOHTTP1

/// One seller request as the outage tests record it: its status (0 when no HTTP answer came
/// at all), body and `Retry-After`.
struct SellerAnswer: Sendable {
    var status: Int
    var body: JSONValue
    var retryAfter: String?
    var at: ContinuousClock.Instant

    /// The problem's slug, from its `type` (`urn:gavel:problem:<slug>`).
    var slug: String? { body["type"]?.stringValue?.components(separatedBy: ":").last }

    /// Whether it is what a database outage may answer: 503 `store-unavailable` with a
    /// `Retry-After`.
    var isStoreUnavailable: Bool { status == 503 && slug == "store-unavailable" && retryAfter != nil }
}

extension Client {
    /// POSTs a lead and keeps the answer's `Retry-After`; a transport failure is status 0.
    func sell(_ lead: JSONValue, key: String) async -> SellerAnswer {
        var request = HTTPClientRequest(url: baseURL + "/v1/leads")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(lead)))
        do {
            let response = try await http.execute(request, timeout: .seconds(60))
            let bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            let body = (try? JSONParser.parse(bytes, limits: .trusted)) ?? .string(String(decoding: bytes, as: UTF8.self))
            return SellerAnswer(
                status: Int(response.status.code), body: body, retryAfter: response.headers.first(name: "Retry-After"),
                at: .now)
        } catch {
            return SellerAnswer(status: 0, body: .string("\(error)"), retryAfter: nil, at: .now)
        }
    }

    /// The status of `GET /readyz` (0 when it did not answer).
    func readiness() async -> Int {
        (try? await call(.GET, "/readyz", key: nil).status) ?? 0
    }

    /// Polls `/readyz` until it answers `status`; how long that took, or `nil` after `limit`.
    func waitForReadiness(_ status: Int, within limit: Duration) async -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if await readiness() == status { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }
}

/// Every answer many concurrent sellers got, and the leads acknowledged with a 200.
final class SellerTally: Sendable {
    private let answers = Locked<[SellerAnswer]>([])

    /// Records an answer.
    func add(_ answer: SellerAnswer) {
        answers.withLock { $0.append(answer) }
    }

    /// Every answer so far.
    var all: [SellerAnswer] { answers.withLock { $0 } }

    /// The leads answered 200, with the status each was acknowledged with.
    var acknowledged: [String: String] {
        var result: [String: String] = [:]
        for answer in all where answer.status == 200 {
            if let id = answer.body["lead_id"]?.stringValue { result[id] = answer.body["status"]?.stringValue ?? "" }
        }
        return result
    }

    /// The answers that were not 200.
    var refused: [SellerAnswer] { all.filter { $0.status != 200 } }

    /// The first sale answered after `instant`.
    func firstSale(after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        all.filter { $0.status == 200 && $0.body["status"] == "sold" && $0.at > instant }.map(\.at).min()
    }
}

/// Runs `workers` concurrent sellers until `stop` says so, each sending leads of its own
/// consumers (numbered from `first`), into `tally`.
func sellUntil(
    _ stop: @escaping @Sendable () -> Bool, client: Client, key: String, workers: Int, first: Int, tally: SellerTally,
    lead: @escaping @Sendable (Int) -> JSONValue
) async {
    await withTaskGroup(of: Void.self) { group in
        for worker in 0..<workers {
            group.addTask {
                var n = first + worker
                while !stop() {
                    tally.add(await client.sell(lead(n), key: key))
                    n += workers
                }
            }
        }
    }
}

/// A command run to completion: its exit status and everything it printed.
struct CommandResult: Sendable {
    var status: Int32
    var output: String
    /// Whether it was killed for running past its time.
    var timedOut = false
}

/// Runs a command (looked up on `PATH` unless absolute) with extra environment, and waits;
/// its output (standard output and error together) goes through a temporary file. The wait
/// polls `waitpid`, so a slow command (`initdb`) never blocks one of the few threads every
/// test shares, and a child that started a daemon (`pg_ctl start`) is seen to end.
@discardableResult
func runCommand(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
    try await ChildProcess.run(arguments, environment: environment, timeout: .seconds(600))
}

/// Why a command could not be run.
struct CommandError: Error, CustomStringConvertible {
    var description: String
}

/// A fresh folder under the system's temporary folder, with a short name.
func temporaryFolder(_ prefix: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(prefix + String(UUID().uuidString.prefix(8)).lowercased())
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Runs `gavel audit` on a database; its exit status and output.
func auditDatabase(_ database: String) async throws -> (status: Int32, printed: String) {
    let audit = try GavelProcess(["audit", "--database", database])
    let status = await audit.waitForExit()
    return (status, (audit.printed + [audit.log]).joined(separator: "\n"))
}

extension GavelProcess {
    /// Sends SIGTERM and waits up to `limit` for the exit status; `nil` when the process did
    /// not exit by then (it is then killed, so a test never hangs on it).
    func terminate(within limit: Duration) async -> Int32? {
        process.terminate()
        let deadline = ContinuousClock.now.advanced(by: limit)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else {
            await kill()
            return nil
        }
        return await waitForExit()
    }

    /// The last lines of its log.
    func logTail(_ lines: Int = 80) -> String {
        log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
