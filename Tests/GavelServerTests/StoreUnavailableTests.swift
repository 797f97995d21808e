import GavelCore
import GavelServer
import GavelStoreSupport
import GavelTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The database going away under the HTTP API (the in-memory store simulating an outage):
/// sellers get 503 `store-unavailable` with `Retry-After`, `/readyz` says not ready, and both
/// recover as soon as the database does; the leads cut short are repaired.
@Suite("The database unavailable, over HTTP")
struct StoreUnavailableTests {
    @Test func leadsGet503WithRetryAfterAndReadinessFollowsTheDatabase() async throws {
        let store = InMemoryStore()
        let configuration = ServerConfiguration(port: 0, database: "sqlite::memory:", adminToken: adminToken)
        let app = try await GavelApp.start(
            store: store, gateway: ScriptedGateway(clock: ManualClock()), clock: ContinuousClock(), configuration: configuration,
            announce: { _ in })
        try await app.application(configuration: configuration, logger: Logger(label: "test")).test(.router) { client in
            let key = try await Self.configure(client)
            #expect(try await client.call(.post, "/v1/leads", key: key, json: Self.lead(1)).body["status"] == "sold")

            store.simulateOutage(true)
            for (n, headers) in [(2, HTTPFields()), (3, [HTTPField.Name("Idempotency-Key")!: "k-3"])] {
                let refused = try await client.call(.post, "/v1/leads", key: key, json: Self.lead(n), headers: headers)
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.body["type"] == "urn:gavel:problem:store-unavailable")
                #expect(refused.headers[.retryAfter] == "2")
                #expect(refused.headers[.contentType] == "application/problem+json")
            }
            let notReady = try await client.call(.get, "/readyz", key: nil)
            #expect(notReady.status == .serviceUnavailable && notReady.body["database"] == "unreachable")
            // The first reached the exchange (noted for repair); the second's key could not be claimed.
            #expect(app.exchange.interrupted.count == 1)

            store.simulateOutage(false)
            #expect(try await client.call(.get, "/readyz", key: nil).status == .ok)
            let repair = LeadRepairService(
                interrupted: app.exchange.interrupted, store: store, wallClock: app.wallClock, clock: ContinuousClock(),
                logger: Logger(label: "test"))
            #expect(await repair.pass() == InterruptedLeads.Repair(untouched: 1))
            #expect(try await client.call(.post, "/v1/leads", key: key, json: Self.lead(4)).body["status"] == "sold")
        }
    }

    /// A buyer that bids on every ping after taking the database down (as if it went away
    /// while the lead was being auctioned), until disarmed.
    final class OutageBuyer: BuyerGateway {
        let store: InMemoryStore
        private let armed = Locked(true)

        init(store: InMemoryStore) {
            self.store = store
        }

        /// Bids without taking the database down from now on.
        func disarm() {
            armed.withLock { $0 = false }
        }

        func ping(_ request: PingRequest, campaign: Campaign) async -> PingAnswer {
            if armed.withLock({ $0 }) { store.simulateOutage(true) }
            return PingAnswer(kind: .bid, bid: Money(cents: 900))
        }

        func post(_ request: PostRequest, campaign: Campaign) async -> PostAnswer { .accepted }
    }

    /// A key claimed before the database went away is given up once it is back, so the retry
    /// with the same key runs again (instead of a 409 "still being processed" for a day).
    @Test(arguments: [true, false])
    func anIdempotencyKeyStuckByAnOutageIsReleasedOnceTheDatabaseIsBack(_ combining: Bool) async throws {
        let store = InMemoryStore(combinesLeadWrites: combining)
        let buyer = OutageBuyer(store: store)
        let configuration = ServerConfiguration(
            port: 0, database: "sqlite::memory:", adminToken: adminToken, allowPrivateBuyerURLs: true)
        let app = try await GavelApp.start(
            store: store, gateway: buyer, clock: ContinuousClock(), configuration: configuration,
            announce: { _ in })
        let repair = LeadRepairService(
            interrupted: app.exchange.interrupted, keys: app.unfinishedKeys, store: store, wallClock: app.wallClock,
            clock: ContinuousClock(), logger: Logger(label: "test"))
        try await app.application(configuration: configuration, logger: Logger(label: "test")).test(.router) { client in
            let key = try await Self.configure(client, remote: true)
            let retry: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "retry-1"]
            let refused = try await client.call(.post, "/v1/leads", key: key, json: Self.lead(7), headers: retry)
            #expect(refused.status == .serviceUnavailable && refused.body["type"] == "urn:gavel:problem:store-unavailable")
            #expect(app.unfinishedKeys.count == 1 && app.exchange.interrupted.count == 1)
            store.simulateOutage(false)
            #expect(try await client.call(.post, "/v1/leads", key: key, json: Self.lead(7), headers: retry).status == .conflict)

            await repair.pass()
            #expect(app.unfinishedKeys.count == 0 && app.exchange.interrupted.count == 0)
            buyer.disarm()
            // The retry runs again. Stored on arrival, the first attempt's lead (marked unsold by
            // the repair) makes it a duplicate of the same consumer; stored at its first write,
            // the first attempt never reached the database and the retry sells. Never twice.
            let again = try await client.call(.post, "/v1/leads", key: key, json: Self.lead(7), headers: retry)
            #expect(again.status == .ok && again.body["status"] == (combining ? "sold" : "duplicate"), "\(again.body)")
            let report = try await client.call(.get, "/v1/reports?group_by=seller", key: adminToken)
            #expect(report.body.arrayValue?.first?["sold"] == .number(Number(combining ? 1 : 0)), "\(report.body)")
        }
    }

    static func configure(_ client: some TestClientProtocol, remote: Bool = false) async throws -> String {
        #expect(try await client.call(.post, "/v1/sellers", json: ["id": "S1", "revenue_share": 1]).status == .created)
        #expect(try await client.call(.post, "/v1/buyers", json: ["id": "acme"]).status == .created)
        let campaign: JSONValue = [
            "id": "hosted", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 7],
        ]
        #expect(try await client.call(.post, "/v1/campaigns", json: campaign).status == .created)
        if remote {
            let remote: JSONValue = [
                "id": "remote", "buyer_id": "acme", "vertical": "auto_insurance",
                "delivery": ["mode": "remote", "ping_url": "http://127.0.0.1:9/ping", "post_url": "http://127.0.0.1:9/post"],
            ]
            #expect(try await client.call(.post, "/v1/campaigns", json: remote).status == .created)
        }
        let key = try await client.call(.post, "/v1/api-keys", json: ["role": "seller", "subject_id": "S1"])
        return try #require(key.body["key"]?.stringValue)
    }

    static func lead(_ n: Int) -> JSONValue {
        [
            "vertical": "auto_insurance", "source": "outage",
            "fields": [
                "zip": "94105", "state": "CA", "first_name": "Ada", "last_name": "Outage",
                "phone": .string("41555\(String(10_000 + n))"),
            ],
        ]
    }
}
