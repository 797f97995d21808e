import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Testing

/// PostgreSQL crashing and coming back while a node sells under concurrent load, counted from
/// the sellers' side: every lead that got a 200 is in the database afterwards with that
/// status, every other answer is a 503 `store-unavailable` with `Retry-After` (never a 500),
/// no lead is sold twice, caps and holds add up, and the same node sells again within seconds
/// without a restart. It runs on a private cluster of its own (the shared test cluster is never
/// restarted), and only where the PostgreSQL server binaries are installed.
@Suite(
    "PostgreSQL restarted under load, against the real process", .serialized,
    .enabled(
        if: PrivatePostgres.binaries != nil,
        "no PostgreSQL server binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin or GAVEL_PG_BIN); the restart test is skipped"),
    .timeLimit(.minutes(5)))
struct PostgresRestartTests {
    static let admin = "restart-admin"

    @Test func aNodeLosesNoAcknowledgedLeadAndSellsAgainAfterPostgresRestarts() async throws {
        try await PrivatePostgres.with { cluster in try await Self.sellThroughARestart(cluster) }
    }

    /// With a node on the cluster and a remote buyer: sells through the restart, then checks.
    static func sellThroughARestart(_ cluster: PrivatePostgres) async throws {
        try await withSandboxBuyers { buyers in
            var remote = SandboxBuyer.Behavior.bidding(Money(cents: 1_200))
            remote.postLatency = .fixed(.milliseconds(30))
            remote.secret = "remote-secret"
            let buyer = buyers.add("remote", remote)
            let server = try GavelProcess(
                ["serve", "--port", "0", "--database", cluster.url, "--admin-token", Self.admin, "--allow-private-buyer-urls"])
            defer { if server.process.isRunning { server.process.terminate() } }
            let client = Client(http: HTTPClient.shared, baseURL: try await MultiNodeTests.listening(server))
            let key = try await Self.configure(client, remote: buyer)
            let timeline = try await Self.outage(cluster, client: client, key: key)
            let tally = timeline.tally

            #expect(timeline.notReady, "/readyz stayed ready while PostgreSQL was down")
            let ready = try #require(timeline.readyAgain, "/readyz did not come back within 30 s")
            #expect(ready < .seconds(20), "/readyz took \(ready) to come back")
            let firstSale = try #require(tally.firstSale(after: timeline.restartedAt), "the node never sold again")
            #expect(firstSale - timeline.restartedAt < .seconds(20), "the node sold again only \(firstSale - timeline.restartedAt) later")
            try Self.checkAnswers(tally)
            try await Self.waitForRepair(cluster)
            try await Self.checkDatabase(cluster, tally: tally, buyerPosts: buyer.posts.compactMap(\.leadID))
            let audit = try await auditDatabase(cluster.url)
            #expect(audit.status == 0, "\(audit.printed)")
            #expect(await server.terminate(within: .seconds(30)) == 0, "\(server.logTail())")
        }
    }

    /// Waits until the repair passes (every second, once the database answers) have given back
    /// the holds of leads the outage interrupted: at least 3 s, at most 30 s on a busy machine.
    /// A hold that leaked would never go, and the checks after this report it.
    static func waitForRepair(_ cluster: PrivatePostgres) async throws {
        try await Task.sleep(for: .seconds(3))
        let deadline = ContinuousClock.now.advanced(by: .seconds(27))
        while try await cluster.query("SELECT count(*) FROM cap_holds") != "0", ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// What happened around the outage.
    struct Timeline {
        var tally: SellerTally
        var restartedAt: ContinuousClock.Instant
        var notReady: Bool
        var readyAgain: Duration?
    }

    /// Eight sellers sell for two seconds; PostgreSQL is stopped at once (as a crash would) for
    /// about four seconds while they go on, then started again; they sell five seconds more.
    static func outage(_ cluster: PrivatePostgres, client: Client, key: String) async throws -> Timeline {
        let (tally, stop) = (SellerTally(), Locked(false))
        async let load: Void = sellUntil(
            { stop.withLock { $0 } }, client: client, key: key, workers: 8, first: 0, tally: tally, lead: MultiNodeTests.lead)
        do {
            try await Task.sleep(for: .seconds(2))
            try await cluster.crash()
            let notReady = await client.waitForReadiness(503, within: .seconds(15)) != nil
            try await Task.sleep(for: .seconds(2))
            try await cluster.restart()
            let restartedAt = ContinuousClock.now
            let readyAgain = await client.waitForReadiness(200, within: .seconds(30))
            try await Task.sleep(for: .seconds(5))
            stop.withLock { $0 = true }
            await load
            return Timeline(tally: tally, restartedAt: restartedAt, notReady: notReady, readyAgain: readyAgain)
        } catch {
            stop.withLock { $0 = true }
            await load
            throw error
        }
    }

    /// Every answer is a 200 or a 503 `store-unavailable` with `Retry-After`; the outage did
    /// turn some leads away.
    static func checkAnswers(_ tally: SellerTally) throws {
        let refused = tally.refused
        #expect(!tally.acknowledged.isEmpty)
        #expect(!refused.isEmpty, "the outage turned no lead away")
        let wrong = refused.filter { !$0.isStoreUnavailable }
        #expect(wrong.isEmpty, "answers other than 200 and 503 store-unavailable: \(wrong.prefix(5).map { "\($0.status) \($0.body)" })")
    }

    /// Every acknowledged lead is stored with its status; none is left pending, none sold
    /// twice (in the database or at the buyer); no hold is left and the usage counters equal
    /// the sales.
    static func checkDatabase(_ cluster: PrivatePostgres, tally: SellerTally, buyerPosts: [String]) async throws {
        var stored: [String: String] = [:]
        for line in try await cluster.query("SELECT id || ' ' || status FROM leads").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { stored[String(parts[0])] = String(parts[1]) }
        }
        let lost = tally.acknowledged.filter { stored[$0.key] != $0.value }
        #expect(
            lost.isEmpty,
            "acknowledged leads lost or changed: \(lost.prefix(5).map { "\($0.key) \($0.value) → \(stored[$0.key] ?? "nowhere")" })")
        #expect(try await cluster.query("SELECT count(*) FROM leads WHERE status = 'pending'") == "0", "leads left pending")
        #expect(
            try await cluster.query("SELECT count(*) FROM (SELECT lead_id FROM sales GROUP BY lead_id HAVING count(*) > 1) twice") == "0")
        #expect(Set(buyerPosts).count == buyerPosts.count, "the remote buyer got a lead twice")
        #expect(try await cluster.query("SELECT count(*) FROM cap_holds") == "0", "cap holds left over")
        for campaign in ["capped", "remote", "fallback"] {
            let counted = try await cluster.query(
                "SELECT count(*) || ' ' || coalesce(sum(price_cents), 0) FROM sales WHERE campaign_id = '\(campaign)' AND counted")
            let usage = try await cluster.query(
                """
                SELECT coalesce(sum(leads), 0) || ' ' || coalesce(sum(spend_cents), 0) FROM usage
                WHERE subject = 'campaign:\(campaign)' AND period LIKE 'd:%'
                """)
            #expect(usage == counted, "campaign \(campaign): usage \(usage), sales \(counted)")
        }
        let capped = Int(try await cluster.query("SELECT count(*) FROM sales WHERE campaign_id = 'capped'")) ?? -1
        #expect(capped <= 40, "the capped campaign bought \(capped) leads, over its cap of 40")
        let spend = try await cluster.query("SELECT coalesce(sum(price_cents), 0) FROM sales WHERE counted")
        #expect(try await cluster.query("SELECT spend_cents FROM usage WHERE subject = 'buyer:acme' AND period = 'balance'") == spend)
    }

    /// A seller and its key; a hosted campaign bidding 20 capped at 40 leads a day, a remote
    /// buyer's campaign bidding 12, and an uncapped hosted fallback bidding 5, all of one buyer.
    static func configure(_ client: Client, remote: SandboxBuyer) async throws -> String {
        let admin = Self.admin
        #expect(try await client.call(.POST, "/v1/sellers", key: admin, json: ["id": "S1", "revenue_share": 1]).status == 201)
        #expect(try await client.call(.POST, "/v1/buyers", key: admin, json: ["id": "acme"]).status == 201)
        let campaigns: [JSONValue] = [
            [
                "id": "capped", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 20],
                "caps": ["daily_leads": 40],
            ],
            [
                "id": "remote", "buyer_id": "acme", "vertical": "auto_insurance",
                "delivery": [
                    "mode": "remote", "ping_url": .string(remote.pingURL), "post_url": .string(remote.postURL), "secret": "remote-secret",
                ],
            ],
            ["id": "fallback", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 5]],
        ]
        for campaign in campaigns {
            let created = try await client.call(.POST, "/v1/campaigns", key: admin, json: campaign)
            #expect(created.status == 201, "\(created.body)")
        }
        let key = try await client.call(.POST, "/v1/api-keys", key: admin, json: ["role": "seller", "subject_id": "S1"])
        return try #require(key.body["key"]?.stringValue)
    }
}
