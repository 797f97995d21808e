import AsyncHTTPClient
import GavelCore
import GavelSim
import Testing

/// Results acknowledged to sellers, collected from many concurrent clients.
final class Acknowledged: Sendable {
    private let statuses = Locked<[String: JSONValue]>([:])
    func add(_ id: String, _ status: JSONValue) { statuses.withLock { $0[id] = status } }
    var all: [String: JSONValue] { statuses.withLock { $0 } }
}

@Suite("Crashes, shutdown and logs, against the real process", .serialized)
struct CrashTests {
    static func configure(_ client: Client, admin: String) async throws -> String {
        _ = try await client.call(.POST, "/v1/sellers", key: admin, json: ["id": "S1", "revenue_share": 1])
        _ = try await client.call(.POST, "/v1/buyers", key: admin, json: ["id": "acme"])
        _ = try await client.call(
            .POST, "/v1/campaigns", key: admin,
            json: [
                "id": "hosted", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 7],
            ])
        let key = try await client.call(.POST, "/v1/api-keys", key: admin, json: ["role": "seller", "subject_id": "S1"])
        return try #require(key.body["key"]?.stringValue)
    }

    static func lead(_ n: Int) -> JSONValue {
        let line = String(1000 + n % 9000)
        let exchange = String(200 + (n / 9000) % 700)
        return [
            "vertical": "auto_insurance", "source": "crash",
            "fields": [
                "zip": "94105", "state": "CA", "first_name": "Kay", "last_name": "Crash", "phone": .string("312\(exchange)\(line)"),
            ],
        ]
    }

    @Test func everyAcknowledgedLeadSurvivesKillNine() async throws {
        let first = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm"])
        let client = Client(http: HTTPClient.shared, baseURL: try await first.waitUntilListening())
        let key = try await Self.configure(client, admin: "adm")
        let acknowledged = Acknowledged()
        let killed = Locked(false)
        // The kill comes once 40 leads are acknowledged (not after a fixed time: a busy machine
        // may hold the first answers back for seconds), with eight more in flight.
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var n = worker
                    while !killed.withLock({ $0 }) {
                        if let result = try? await client.call(.POST, "/v1/leads", key: key, json: Self.lead(n)),
                            result.status == 200, let id = result.body["lead_id"]?.stringValue
                        {
                            acknowledged.add(id, result.body["status"] ?? .null)
                        }
                        n += 8
                    }
                }
            }
            group.addTask {
                let giveUp = ContinuousClock.now.advanced(by: .seconds(90))
                while acknowledged.all.count < 40 && ContinuousClock.now < giveUp { try? await Task.sleep(for: .milliseconds(10)) }
                await first.kill()
                killed.withLock { $0 = true }
            }
        }
        let acked = acknowledged.all
        #expect(acked.count > 20, "the load produced \(acked.count) acknowledged leads")
        let second = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm"], folder: first.folder)
        let again = Client(http: HTTPClient.shared, baseURL: try await second.waitUntilListening())
        for (id, status) in acked {
            let stored = try await again.call(.GET, "/v1/leads/\(id)", key: key)
            #expect(stored.status == 200, "lead \(id) was acknowledged and then lost")
            #expect(stored.body["status"] == status, "lead \(id): acknowledged \(status), stored \(stored.body["status"] ?? .null)")
        }
        #expect(await second.terminate() == 0)
    }

    @Test func aCrashWhileAPostIsInFlightIsMarkedForReviewAndNeverResold() async throws {
        try await withSandboxBuyers { buyers in
            var slow = SandboxBuyer.Behavior.bidding(Money(cents: 2_000))
            slow.postLatency = .fixed(.seconds(5))
            slow.secret = "slow-secret"
            let buyer = buyers.add("slow", slow)
            let first = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm", "--allow-private-buyer-urls"])
            let client = Client(http: HTTPClient.shared, baseURL: try await first.waitUntilListening())
            let key = try await Self.configure(client, admin: "adm")
            _ = try await client.call(.PATCH, "/v1/campaigns/hosted", key: "adm", json: ["status": "paused"])
            // A generous ping deadline: on a busy machine the slow buyer's bid must still count.
            _ = try await client.call(.PUT, "/v1/settings", key: "adm", json: ["default_tmax_ms": 5_000])
            let created = try await client.call(
                .POST, "/v1/campaigns", key: "adm",
                json: [
                    "id": "slow", "buyer_id": "acme", "vertical": "auto_insurance",
                    "delivery": [
                        "mode": "remote", "ping_url": .string(buyer.pingURL), "post_url": .string(buyer.postURL),
                        "secret": "slow-secret", "timeout_ms": 5_000, "post_timeout_ms": 10_000,
                    ],
                ])
            #expect(created.status == 201)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await client.call(.POST, "/v1/leads", key: key, json: Self.lead(1)) }
                group.addTask {
                    let giveUp = ContinuousClock.now.advanced(by: .seconds(60))
                    while buyer.posts.isEmpty && ContinuousClock.now < giveUp { try? await Task.sleep(for: .milliseconds(20)) }
                    await first.kill()
                }
            }
            let leadID = try #require(buyer.posts.first?.leadID)
            let second = try GavelProcess(
                ["serve", "--port", "0", "--admin-token", "adm", "--allow-private-buyer-urls"], folder: first.folder)
            let again = Client(http: HTTPClient.shared, baseURL: try await second.waitUntilListening())
            #expect(second.printed.contains { $0.contains("1 marked for review") })
            let stored = try await again.call(.GET, "/v1/leads/\(leadID)", key: key)
            #expect(stored.body["status"] == "review")
            try await Task.sleep(for: .milliseconds(300))
            #expect(buyer.posts.count == 1, "the lead was posted again after the crash")
            #expect(await second.terminate() == 0)
        }
    }

    @Test func sigtermRefusesNewLeadsFinishesInFlightOnesAndExitsZero() async throws {
        try await withSandboxBuyers { buyers in
            var slow = SandboxBuyer.Behavior.bidding(Money(cents: 1_500))
            slow.latency = .fixed(.milliseconds(1_200))
            slow.secret = "s"
            let buyer = buyers.add("thinker", slow)
            let server = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm", "--allow-private-buyer-urls"])
            let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
            let key = try await Self.configure(client, admin: "adm")
            _ = try await client.call(.PATCH, "/v1/campaigns/hosted", key: "adm", json: ["status": "paused"])
            _ = try await client.call(.PUT, "/v1/settings", key: "adm", json: ["default_tmax_ms": 3_000])
            _ = try await client.call(
                .POST, "/v1/campaigns", key: "adm",
                json: [
                    "id": "thinker", "buyer_id": "acme", "vertical": "auto_insurance",
                    "delivery": [
                        "mode": "remote", "ping_url": .string(buyer.pingURL), "post_url": .string(buyer.postURL), "secret": "s",
                        "timeout_ms": 3_000,
                    ],
                ])
            async let inFlight = client.call(.POST, "/v1/leads", key: key, json: Self.lead(2))
            while buyer.pings.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            server.process.terminate()
            try await Task.sleep(for: .milliseconds(200))
            let refused = try? await client.call(.POST, "/v1/leads", key: key, json: Self.lead(3))
            if let refused { #expect(refused.status == 503) }
            let finished = try await inFlight
            #expect(finished.status == 200)
            #expect(finished.body["status"] == "sold")
            #expect(await server.waitForExit() == 0)
        }
    }

    @Test func personalFieldsNeverAppearInTheLog() async throws {
        try await withSandboxBuyers { buyers in
            var failing = SandboxBuyer.Behavior.failing(.junkBody)
            failing.secret = "f"
            let buyer = buyers.add("junk", failing)
            let server = try GavelProcess(
                ["serve", "--port", "0", "--admin-token", "adm", "--allow-private-buyer-urls"], environment: ["LOG_LEVEL": "trace"])
            let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
            let key = try await Self.configure(client, admin: "adm")
            _ = try await client.call(
                .POST, "/v1/campaigns", key: "adm",
                json: [
                    "id": "junk", "buyer_id": "acme", "vertical": "auto_insurance",
                    "delivery": ["mode": "remote", "ping_url": .string(buyer.pingURL), "post_url": .string(buyer.postURL), "secret": "f"],
                ])
            let lead: JSONValue = [
                "vertical": "auto_insurance",
                "fields": [
                    "zip": "94105", "state": "CA", "first_name": "Zebulon", "last_name": "Quixotic", "phone": "3125550177",
                    "email": "zebulon.quixotic@example.org", "street_address": "77 Sunset Strip",
                ],
            ]
            #expect(try await client.call(.POST, "/v1/leads", key: key, json: lead).body["status"] == "sold")
            _ = try await client.call(
                .POST, "/v1/leads", key: key,
                json: ["vertical": "auto_insurance", "fields": ["phone": "0005550177", "first_name": "Zebulon"]])
            #expect(await server.terminate() == 0)
            let log = server.log
            #expect(!log.isEmpty, "trace logging produced nothing to scan")
            for secret in ["Zebulon", "Quixotic", "3125550177", "555-0177", "zebulon.quixotic", "Sunset", "0005550177"] {
                #expect(!log.contains(secret), "the log contains \(secret)")
            }
        }
    }
}
