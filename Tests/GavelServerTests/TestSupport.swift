import Foundation
import GavelBuyers
import GavelCore
import GavelServer
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The admin token every test app accepts.
let adminToken = "test-admin-token"

/// A test exchange on a fresh SQLite file, served through Hummingbird's test client.
struct TestExchange {
    let app: GavelApp<ContinuousClock>
    let store: any Storage
    let path: String

    /// Runs `body` against a fresh exchange (or one on an existing database file).
    static func run(
        path: String? = nil, gateway: (any BuyerGateway)? = nil, breakers: CircuitBreakers? = nil,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, TestExchange) async throws -> Void
    ) async throws {
        let file = path ?? temporaryDatabasePath()
        let store = try SQLiteStore(path: file)
        _ = try await store.migrate()
        var configuration = ServerConfiguration(port: 0, database: "sqlite:\(file)", adminToken: adminToken, allowPrivateBuyerURLs: true)
        configure(&configuration)
        let ownGateway =
            gateway == nil
            ? HTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true), observers: breakers.map { [$0] } ?? []) : nil
        let app = try await GavelApp.start(
            store: store, gateway: gateway ?? ownGateway!, clock: ContinuousClock(), configuration: configuration,
            circuits: breakers ?? CircuitBreakers(), announce: { _ in })
        let exchange = TestExchange(app: app, store: store, path: file)
        let application = app.application(configuration: configuration, logger: Logger(label: "test"))
        // A database this run made is removed after it; one the caller named is the caller's.
        defer { if path == nil { removeDatabaseFiles(file) } }
        do {
            try await application.test(.router) { client in try await body(client, exchange) }
        } catch {
            try? await ownGateway?.shutdown()
            throw error
        }
        try await ownGateway?.shutdown()
    }
}

/// A path for a throwaway database file (remove it with ``removeDatabaseFiles(_:)``).
func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("gavel-test-\(UUID().uuidString).sqlite").path
}

/// Removes a SQLite database file and its write-ahead log and shared-memory files, so test
/// runs leave nothing behind in the temporary folder.
func removeDatabaseFiles(_ path: String) {
    for file in [path, path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
}

extension TestClientProtocol {
    /// Sends a JSON request with a bearer key and returns status and parsed body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ path: String, key: String? = adminToken, json: JSONValue? = nil, raw: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, body: JSONValue, headers: HTTPFields) {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        var buffer: ByteBuffer?
        if let json { buffer = ByteBuffer(bytes: JSONWriter.bytes(json)) }
        if let raw { buffer = ByteBuffer(string: raw) }
        if buffer != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: path, method: method, headers: headers, body: buffer) { response in
            let bytes = Array(response.body.readableBytesView)
            let body =
                bytes.isEmpty
                ? JSONValue.null : (try? JSONParser.parse(bytes, limits: .trusted)) ?? .string(String(decoding: bytes, as: UTF8.self))
            return (response.status, body, response.headers)
        }
    }
}

/// The problem+json `errors` fields of a response body.
func errorFields(_ body: JSONValue) -> [String] {
    (body["errors"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }
}

/// The contract's example campaign, adapted to point at `buyer`.
func contractCampaign(id: String = "acme-auto-ca", buyer: String = "acme", pingURL: String = "https://buyer.example.com/ping") -> JSONValue
{
    let text = """
        {"id": "\(id)", "buyer_id": "\(buyer)", "vertical": "auto_insurance", "status": "active",
         "delivery": {"mode": "remote", "ping_url": "\(pingURL)", "post_url": "https://buyer.example.com/post",
                      "timeout_ms": 250, "post_timeout_ms": 5000, "secret": "s3cret"},
         "bid": {"base": 8.0, "max": 40.0,
                 "rules": [{"when": {"state": {"in": ["CA", "NY"]}}, "set": 12.0},
                           {"when": {"age": {"lt": 25}}, "add": -2.0},
                           {"when": {"homeowner": {"eq": true}}, "multiply": 1.2}]},
         "filters": [{"field": "state", "in": ["CA", "NY", "TX"]}, {"field": "age", "gte": 21}],
         "sellers": {"allow": [], "deny": [], "bid_multiplier": {"S1": 1.1}, "max_bid": {"S2": 6.0}},
         "caps": {"timezone": "America/New_York", "daily_leads": 100, "weekly_leads": null,
                  "monthly_leads": null, "daily_spend": 1500.0, "monthly_spend": null},
         "schedule": {"timezone": "America/New_York", "hours": {"mon": [["09:00", "17:00"]], "tue": []}},
         "dedupe_days": 30, "return_window_days": 7, "priority": 0, "price": null, "allocation": null}
        """
    return try! JSONParser.parse(text)
}

/// Opens and migrates an SQLite store.
func openStore(_ path: String) async throws -> SQLiteStore {
    let store = try SQLiteStore(path: path)
    _ = try await store.migrate()
    return store
}

/// Lines collected from several tasks.
final class LockedLines: Sendable {
    private let stored = Locked<[String]>([])

    func append(_ line: String) { stored.withLock { $0.append(line) } }
    var lines: [String] { stored.withLock { $0 } }
}

/// A gateway for tests that never reach a remote buyer.
struct NoGateway: BuyerGateway {
    func ping(_ request: PingRequest, campaign: Campaign) async -> PingAnswer {
        PingAnswer(kind: .connectError, detail: "no network in this test")
    }

    func post(_ request: PostRequest, campaign: Campaign) async -> PostAnswer {
        PostAnswer(outcome: .rejected, reason: "connect_error")
    }
}
