import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Testing

/// Webhooks delivered by the real binary to a real loopback receiver: through a receiver that
/// is down, a `kill -9` and a restart, and by two nodes sharing one PostgreSQL database.
@Suite("Webhooks, against the real process", .serialized, .timeLimit(.minutes(3)))
struct WebhookProcessTests {
    /// Short backoff (100 ms, doubling to 400 ms) so a receiver down for a minute of
    /// production retries is down for a few seconds here.
    static let fastRetries = ["--webhook-backoff-ms", "100", "--webhook-max-backoff-ms", "400", "--webhook-retry-seconds", "600"]

    /// A seller S1 (share 0.8) and its key, and a hosted campaign of buyer acme that buys CA
    /// leads at 10 (other states go unsold).
    static func configure(_ client: Client, admin: String) async throws -> String {
        #expect(
            try await client.call(.POST, "/v1/sellers", key: admin, json: ["id": "S1", "revenue_share": .number(Number(text: "0.8")!)])
                .status == 201)
        #expect(try await client.call(.POST, "/v1/buyers", key: admin, json: ["id": "acme"]).status == 201)
        let campaign: JSONValue = [
            "id": "acme-ca", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 10],
            "filters": [["field": "state", "in": ["CA"]]],
        ]
        #expect(try await client.call(.POST, "/v1/campaigns", key: admin, json: campaign).status == 201)
        let key = try await client.call(.POST, "/v1/api-keys", key: admin, json: ["role": "seller", "subject_id": "S1"])
        return try #require(key.body["key"]?.stringValue)
    }

    /// Registers a webhook at the receiver under `name`, and tells the receiver its secret.
    static func register(
        _ client: Client, key: String, receiver: SandboxWebhookReceiver, name: String, events: [String]
    ) async throws -> String {
        let created = try await client.call(
            .POST, "/v1/webhooks", key: key, json: ["url": .string(receiver.url(name)), "events": .array(events.map { .string($0) })])
        #expect(created.status == 201, "\(created.body)")
        receiver.setSecret(try #require(created.body["secret"]?.stringValue), for: name)
        return try #require(created.body["id"]?.stringValue)
    }

    /// A lead of its own consumer: CA leads sell, NY leads do not.
    static func lead(_ n: Int) -> JSONValue {
        [
            "vertical": "auto_insurance", "source": "hooks",
            "fields": [
                "zip": "94105", "state": n % 3 == 0 ? "NY" : "CA", "first_name": "Wren", "last_name": "Hook",
                "phone": .string("312555\(String(10_000 + n % 10_000).dropFirst())"),
            ],
        ]
    }

    /// Sends leads; returns their ids.
    static func send(_ client: Client, key: String, _ numbers: some Sequence<Int>) async throws -> [String] {
        var ids: [String] = []
        for n in numbers {
            let result = try await client.call(.POST, "/v1/leads", key: key, json: lead(n))
            #expect(result.status == 200, "\(result.body)")
            ids.append(try #require(result.body["lead_id"]?.stringValue))
        }
        return ids
    }

    /// Waits until the receiver holds `count` distinct (name, event id) pairs, or the time is up.
    static func waitForEvents(_ receiver: SandboxWebhookReceiver, count: Int, within limit: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if Set(receiver.deliveries.map { "\($0.name)/\($0.eventID)" }).count >= count { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the receiver got \(Set(receiver.deliveries.map { "\($0.name)/\($0.eventID)" }).count) of \(count) events")
    }

    /// Every (name, event id) received exactly once, each signed.
    static func expectEachOnce(_ receiver: SandboxWebhookReceiver, sourceLocation: SourceLocation = #_sourceLocation) {
        let received = receiver.deliveries
        let counts = Dictionary(grouping: received, by: { "\($0.name)/\($0.eventID)" }).mapValues(\.count)
        #expect(counts.values.allSatisfy { $0 == 1 }, "received twice: \(counts.filter { $0.value > 1 })", sourceLocation: sourceLocation)
        #expect(received.allSatisfy { $0.signatureVerified }, "a delivery's signature did not verify", sourceLocation: sourceLocation)
    }

    @Test func aReceiverDownThroughAKillNineGetsEveryEventExactlyOnce() async throws {
        try await withWebhookReceiver { receiver in
            let arguments = ["serve", "--port", "0", "--admin-token", "adm", "--allow-private-buyer-urls"] + Self.fastRetries
            let first = try GavelProcess(arguments)
            let client = Client(http: HTTPClient.shared, baseURL: try await first.waitUntilListening())
            let sellerKey = try await Self.configure(client, admin: "adm")
            let all = try await Self.register(
                client, key: "adm", receiver: receiver, name: "operator", events: ["lead.sold", "lead.unsold"])
            let mine = try await Self.register(
                client, key: sellerKey, receiver: receiver, name: "seller", events: ["lead.sold", "lead.unsold"])

            // The receiver goes down; leads keep coming and their events are retried.
            await receiver.takeDown()
            var leads = try await Self.send(client, key: sellerKey, 0..<12)
            try await Task.sleep(for: .milliseconds(1_500))
            let retried = try await client.call(.GET, "/v1/webhooks/\(all)/deliveries", key: "adm")
            let pending = try #require(retried.body.arrayValue)
            #expect(pending.count == 12 && pending.allSatisfy { $0["status"] == "pending" })
            #expect(pending.allSatisfy { ($0["attempts"]?.numberValue?.integerValue ?? 0) >= 2 }, "retried while down: \(pending)")
            #expect(pending.allSatisfy { $0["last_error"]?.stringValue?.isEmpty == false }, "\(pending.first ?? .null)")

            // kill -9 while every event is still owed; a new process finds them all.
            await first.kill()
            let second = try GavelProcess(arguments, folder: first.folder)
            let again = Client(http: HTTPClient.shared, baseURL: try await second.waitUntilListening())
            leads += try await Self.send(again, key: sellerKey, 12..<18)
            try await Task.sleep(for: .milliseconds(1_000))
            #expect(receiver.deliveries.isEmpty)

            await receiver.bringUp()
            try await Self.waitForEvents(receiver, count: 2 * leads.count)
            try await Task.sleep(for: .milliseconds(1_000))
            Self.expectEachOnce(receiver)
            #expect(receiver.deliveries.count == 2 * leads.count)
            let told = Set(receiver.deliveries.filter { $0.name == "operator" }.compactMap { $0.json["data"]?["lead_id"]?.stringValue })
            #expect(told == Set(leads))
            #expect(receiver.deliveries.filter { $0.event == "lead.unsold" }.count == 2 * 6, "every third lead is unsold")
            for webhook in [all, mine] {
                let key = webhook == all ? "adm" : sellerKey
                let deliveries = try #require(try await again.call(.GET, "/v1/webhooks/\(webhook)/deliveries", key: key).body.arrayValue)
                #expect(deliveries.count == leads.count && deliveries.allSatisfy { $0["status"] == "delivered" })
            }
            #expect(await second.terminate() == 0)
        }
    }

    @Test func aCircuitThatOpensAndABalanceNearItsLimitAreToldToTheBuyer() async throws {
        try await withSandboxBuyers { buyers in
            try await withWebhookReceiver { receiver in
                let broken = buyers.add("broken", .failing(.httpStatus(500)))
                let arguments = ["serve", "--port", "0", "--admin-token", "adm", "--allow-private-buyer-urls"] + Self.fastRetries
                let server = try GavelProcess(arguments)
                let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
                let sellerKey = try await Self.configure(client, admin: "adm")
                #expect(try await client.call(.PATCH, "/v1/buyers/acme", key: "adm", json: ["balance_limit": 100]).status == 200)
                _ = try await client.call(.PATCH, "/v1/campaigns/acme-ca", key: "adm", json: ["bid": ["base": 45]])
                let remote: JSONValue = [
                    "id": "broken", "buyer_id": "acme", "vertical": "auto_insurance",
                    "delivery": ["mode": "remote", "ping_url": .string(broken.pingURL), "post_url": .string(broken.postURL)],
                ]
                #expect(try await client.call(.POST, "/v1/campaigns", key: "adm", json: remote).status == 201)
                let key = try await client.call(.POST, "/v1/api-keys", key: "adm", json: ["role": "buyer", "subject_id": "acme"])
                let buyerKey = try #require(key.body["key"]?.stringValue)
                _ = try await Self.register(
                    client, key: buyerKey, receiver: receiver, name: "acme", events: ["campaign.paused", "balance.low"])

                // Five faults in a row open the broken campaign's circuit; two sales at 45 take
                // the balance to 90 of 100.
                _ = try await Self.send(client, key: sellerKey, [1, 2, 4, 5, 7])
                try await Self.waitForEvents(receiver, count: 2, within: .seconds(30))
                Self.expectEachOnce(receiver)
                let events = Dictionary(uniqueKeysWithValues: receiver.deliveries.map { ($0.event, $0.json["data"] ?? .null) })
                #expect(events["campaign.paused"]?["campaign_id"] == "broken" && events["campaign.paused"]?["reason"] == "circuit_open")
                #expect(events["balance.low"]?["balance"] == 90 && events["balance.low"]?["balance_limit"] == 100)
                #expect(events["balance.low"]?["buyer_id"] == "acme")
                #expect(await server.terminate() == 0)
            }
        }
    }

    @Test(.enabled(if: multiNodePostgresURL != nil)) func twoNodesNeverDeliverOneEventTwice() async throws {
        let server = try #require(multiNodePostgresURL)
        try await withWebhookReceiver { receiver in
            try await MultiNodeTests.withFreshDatabase(server) { url in
                let arguments =
                    ["serve", "--port", "0", "--database", url, "--admin-token", "adm", "--allow-private-buyer-urls"] + Self.fastRetries
                let nodeA = try GavelProcess(arguments)
                defer { if nodeA.process.isRunning { nodeA.process.terminate() } }
                let a = Client(http: HTTPClient.shared, baseURL: try await MultiNodeTests.listening(nodeA))
                let sellerKey = try await Self.configure(a, admin: "adm")
                let nodeB = try GavelProcess(arguments)
                defer { if nodeB.process.isRunning { nodeB.process.terminate() } }
                let b = Client(http: HTTPClient.shared, baseURL: try await MultiNodeTests.listening(nodeB))
                let webhook = try await Self.register(
                    a, key: "adm", receiver: receiver, name: "operator", events: ["lead.sold", "lead.unsold"])
                // Node B learns of the webhook through the configuration feed.
                try await Task.sleep(for: .milliseconds(1_000))

                let leads = try await withThrowingTaskGroup(of: [String].self) { group in
                    for worker in 0..<4 {
                        let node = worker % 2 == 0 ? a : b
                        group.addTask { try await Self.send(node, key: sellerKey, (worker * 15)..<(worker * 15 + 15)) }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(leads.count == 60)
                try await Self.waitForEvents(receiver, count: leads.count)
                try await Task.sleep(for: .milliseconds(1_500))
                Self.expectEachOnce(receiver)
                #expect(receiver.deliveries.count == leads.count)
                #expect(Set(receiver.deliveries.compactMap { $0.json["data"]?["lead_id"]?.stringValue }) == Set(leads))
                let listed = try #require(
                    try await b.call(.GET, "/v1/webhooks/\(webhook)/deliveries?limit=500", key: "adm").body.arrayValue)
                #expect(listed.count == 60 && listed.allSatisfy { $0["status"] == "delivered" && $0["attempts"] == 1 })
                #expect(await nodeB.terminate() == 0, "node B log: \(nodeB.log)")
                #expect(await nodeA.terminate() == 0, "node A log: \(nodeA.log)")
            }
        }
    }
}
