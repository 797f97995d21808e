import AsyncHTTPClient
import Foundation
import GavelCore
import Testing

/// The PostgreSQL server the multi-node tests use, if any.
let multiNodePostgresURL = ProcessInfo.processInfo.environment["GAVEL_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

/// Two real `gavel serve` processes sharing one PostgreSQL database, as behind a load balancer.
/// Runs only when `GAVEL_TEST_POSTGRES_URL` is set (see `scripts/postgres-test-cluster.sh`);
/// each test gets a fresh database, made and dropped with `psql`.
@Suite(
    "Several nodes on one PostgreSQL database", .enabled(if: multiNodePostgresURL != nil), .serialized,
    .timeLimit(.minutes(3)))
struct MultiNodeTests {
    static let serverURL = multiNodePostgresURL
    static let admin = "multi-node-admin"

    /// 48 concurrent leads on two nodes against a hosted campaign capped at 5 leads a day and a
    /// cheaper fallback: exactly 5 go to the capped campaign, the rest to the fallback, and no
    /// lead is sold twice. The two nodes' sealers made one valid chain of it, which `gavel
    /// audit` verifies once they stopped; a sale's price edited with its ledger entries (the
    /// books still balance) then fails the audit, naming that sale.
    @Test func capsHoldAcrossNodesAndNoLeadSellsTwice() async throws {
        let soldLead = Locked<String?>(nil)
        func auditTheChain(_ url: String) async throws {
            try await Self.auditTheChain(url, lead: try #require(soldLead.withLock { $0 }))
        }
        try await Self.withTwoNodes(afterwards: auditTheChain) { a, b, sellerKey in
            let results = try await withThrowingTaskGroup(of: (status: Int, body: JSONValue).self) { group in
                for n in 0..<48 {
                    let node = n % 2 == 0 ? a : b
                    group.addTask { try await node.call(.POST, "/v1/leads", key: sellerKey, json: Self.lead(n)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == 200 }, "\(results.filter { $0.status != 200 })")
            let sold = results.compactMap { result -> (id: String, buyer: String)? in
                guard result.body["status"] == "sold", let id = result.body["lead_id"]?.stringValue,
                    let buyer = result.body["buyer"]?.stringValue
                else { return nil }
                return (id, buyer)
            }
            #expect(sold.count == 48)
            #expect(sold.filter { $0.buyer == "capped" }.count == 5)
            #expect(sold.filter { $0.buyer == "fallback" }.count == 43)
            #expect(Set(sold.map(\.id)).count == sold.count)
            soldLead.withLock { $0 = sold.first?.id }
            // Each node sees each lead once, with the one buyer it was sold to.
            for (id, buyer) in sold {
                for node in [a, b] {
                    let stored = try await node.call(.GET, "/v1/leads/\(id)", key: sellerKey)
                    #expect(stored.body["status"] == "sold")
                    #expect(stored.body["buyer"]?.stringValue == buyer)
                }
            }
            let campaigns = try await b.call(.GET, "/v1/reports?group_by=campaign", key: Self.admin)
            let capped = campaigns.body.arrayValue?.first { $0["key"] == "capped" }
            #expect(capped?["sold"] == 5, "\(campaigns.body)")
        }
    }

    /// A campaign paused through node A stops being priced on node B within a second.
    @Test func aPauseOnOneNodeReachesTheOtherWithinASecond() async throws {
        try await Self.withTwoNodes { a, b, sellerKey in
            // The capped campaign is used up first, so the fallback takes B's leads.
            for n in 0..<5 {
                let sold = try await a.call(.POST, "/v1/leads", key: sellerKey, json: Self.lead(n))
                #expect(sold.body["buyer"] == "capped")
            }
            #expect(try await b.call(.POST, "/v1/leads", key: sellerKey, json: Self.lead(5)).body["buyer"] == "fallback")

            let paused = try await a.call(.PATCH, "/v1/campaigns/fallback", key: Self.admin, json: ["status": "paused"])
            #expect(paused.status == 200)
            let pausedAt = ContinuousClock.now
            var n = 100
            var firstUnsold: Duration?
            while ContinuousClock.now - pausedAt < .seconds(3) {
                let result = try await b.call(.POST, "/v1/leads", key: sellerKey, json: Self.lead(n))
                n += 1
                if result.body["buyer"] != "fallback" {
                    firstUnsold = ContinuousClock.now - pausedAt
                    #expect(result.body["status"] == "unsold")
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            let elapsed = try #require(firstUnsold, "node B still sold to the paused campaign 3 s later")
            #expect(elapsed < .seconds(1), "node B stopped pricing the paused campaign after \(elapsed)")
            for extra in 0..<5 {
                #expect(try await b.call(.POST, "/v1/leads", key: sellerKey, json: Self.lead(200 + extra)).body["status"] == "unsold")
            }
        }
    }

    // MARK: Set-up

    /// `gavel audit` on the database the nodes left: it passes with every record sealed; after a
    /// sale's price and its entries are raised alike, it fails and names the sale and its entries.
    static func auditTheChain(_ url: String, lead: String) async throws {
        let clean = try GavelProcess(["audit", "--database", url])
        #expect(await clean.waitForExit() == 0, "\(clean.printed)\n\(clean.log)")
        #expect(clean.printed.contains { $0.hasPrefix("Chain: ") && $0.hasSuffix(", 0 not sealed.") }, "\(clean.printed)")
        let quoted = "'" + lead + "'"
        let campaign = "(SELECT campaign_id FROM sales WHERE lead_id = \(quoted) AND seq = 0)"
        try await psql(
            url,
            """
            UPDATE ledger SET amount_cents = amount_cents + 100 WHERE lead_id = \(quoted) AND kind = 'sale' AND account LIKE 'buyer:%'
                AND campaign_id = \(campaign);
            UPDATE ledger SET amount_cents = amount_cents - 100 WHERE lead_id = \(quoted) AND kind = 'sale' AND account = 'exchange:margin'
                AND campaign_id = \(campaign);
            UPDATE sales SET price_cents = price_cents + 100, margin_cents = margin_cents + 100 WHERE lead_id = \(quoted) AND seq = 0;
            """)
        let edited = try GavelProcess(["audit", "--database", url])
        #expect(await edited.waitForExit() == 2, "\(edited.printed)\n\(edited.log)")
        #expect(!edited.printed.contains { $0.hasPrefix("  problem:") }, "the books still balance: \(edited.printed)")
        // The sale and its two entries, in the order they were sealed: a sealing round reads sales,
        // then ledger entries, and an outcome committed between those reads has its entries sealed
        // in that round and its sale in the next.
        let problems = edited.printed.filter { $0.hasPrefix("  chain problem:") }
        #expect(problems.contains { $0.hasPrefix("  chain problem: sale \(lead)#0 was changed after it was sealed") }, "\(edited.printed)")
        #expect(problems.count == 3 && problems.allSatisfy { $0.contains(lead) }, "\(edited.printed)")
    }

    /// A fresh database, node A started and configured (a seller and its key, a hosted
    /// campaign capped at 5 leads a day bidding 20, an uncapped hosted fallback bidding 5),
    /// then node B started; both stopped (exit 0), then `afterwards` runs with the database's
    /// URL, and the database is dropped.
    static func withTwoNodes(
        afterwards: (String) async throws -> Void = { _ in }, _ body: (Client, Client, String) async throws -> Void
    ) async throws {
        let server = try #require(serverURL)
        try await withFreshDatabase(server) { url in
            let arguments = ["serve", "--port", "0", "--database", url, "--admin-token", admin, "--allow-private-buyer-urls"]
            let nodeA = try GavelProcess(arguments)
            defer { if nodeA.process.isRunning { nodeA.process.terminate() } }
            let a = Client(http: HTTPClient.shared, baseURL: try await listening(nodeA))
            let sellerKey = try await configure(a)
            let nodeB = try GavelProcess(arguments)
            defer { if nodeB.process.isRunning { nodeB.process.terminate() } }
            let b = Client(http: HTTPClient.shared, baseURL: try await listening(nodeB))
            try await body(a, b, sellerKey)
            // The nodes print where they store, never the database password.
            let credentials = url.components(separatedBy: "://").last?.components(separatedBy: "@").first ?? url
            #expect(nodeA.printed.contains { $0.contains("listening on") && $0.contains("database postgres://") })
            #expect(!(nodeA.printed + nodeB.printed).contains { $0.contains(credentials + "@") })
            #expect(!(nodeA.log + nodeB.log).contains(credentials + "@"))
            #expect(await nodeB.terminate() == 0, "node B log: \(nodeB.log)")
            #expect(await nodeA.terminate() == 0, "node A log: \(nodeA.log)")
            try await afterwards(url)
        }
    }

    /// Waits for a node to listen; when it does not, the failure shows its log.
    static func listening(_ node: GavelProcess) async throws -> String {
        do {
            return try await node.waitUntilListening()
        } catch {
            Issue.record("gavel serve did not start on PostgreSQL: \(error)\n\(node.log)")
            throw error
        }
    }

    static func configure(_ client: Client) async throws -> String {
        #expect(
            try await client.call(.POST, "/v1/sellers", key: admin, json: ["id": "S1", "revenue_share": .number(Number(text: "0.8")!)])
                .status == 201)
        #expect(try await client.call(.POST, "/v1/buyers", key: admin, json: ["id": "acme"]).status == 201)
        let capped: JSONValue = [
            "id": "capped", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 20],
            "caps": ["daily_leads": 5],
        ]
        let fallback: JSONValue = [
            "id": "fallback", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 5],
        ]
        for campaign in [capped, fallback] {
            let created = try await client.call(.POST, "/v1/campaigns", key: admin, json: campaign)
            #expect(created.status == 201, "\(created.body)")
        }
        let key = try await client.call(.POST, "/v1/api-keys", key: admin, json: ["role": "seller", "subject_id": "S1"])
        return try #require(key.body["key"]?.stringValue)
    }

    /// A lead of its own consumer (no dedupe between them).
    static func lead(_ n: Int) -> JSONValue {
        [
            "vertical": "auto_insurance", "source": "multi-node",
            "fields": [
                "zip": "94105", "state": "CA", "first_name": "Ada", "last_name": "Node",
                "phone": .string("415\(String(200 + n / 10_000))\(String(10_000 + n % 10_000).dropFirst())"),
            ],
        ]
    }

    /// Creates `gavel_e2e_<random>` with `psql`, runs `body` with its URL, and drops it.
    static func withFreshDatabase(_ serverURL: String, _ body: (String) async throws -> Void) async throws {
        let name = "gavel_e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        guard var parts = URLComponents(string: serverURL) else { throw PSQLFailure(message: "not a URL") }
        try await psql(serverURL, "CREATE DATABASE \(name)")
        parts.path = "/" + name
        do {
            try await body(try #require(parts.string))
        } catch {
            try? await psql(serverURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
        try await psql(serverURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    struct PSQLFailure: Error {
        var message: String
    }

    static func psql(_ url: String, _ sql: String) async throws {
        let result = try await ChildProcess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw PSQLFailure(message: "psql failed (\(result.status)): \(result.output)") }
    }
}
