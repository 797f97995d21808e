import Foundation
import GavelCore
import Testing

@testable import GavelStorePostgres
@testable import GavelStoreSQLite
@testable import GavelStoreSupport

/// What only the PostgreSQL store has: several nodes on one database, its migrations, its
/// change feed and its node bookkeeping. Runs only when `GAVEL_TEST_POSTGRES_URL` is set.
@Suite("PostgreSQL store: several nodes", .enabled(if: PostgresTestServer.isEnabled), .serialized)
struct PostgresStoreTests {
    @Test func holdsAcrossNodesNeverExceedACap() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            let hold = Fixtures.hold(caps: Campaign.Caps(timezone: "America/New_York", dailyLeads: 5))
            let results = try await withThrowingTaskGroup(of: CapHoldResult.self) { group in
                for index in 0..<40 {
                    let node = index % 2 == 0 ? a : b
                    group.addTask { try await node.hold(hold) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .held }.count == 5)
            #expect(results.filter { $0 == .capReached }.count == 35)
            for node in [a, b] {
                #expect(try await node.capUsage(["acme-auto-ca": hold.periods])["acme-auto-ca"]?.dayLeads == 5)
            }
        }
    }

    @Test func creditAcrossNodesNeverExceedsTheLimit() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            let results = try await withThrowingTaskGroup(of: CapHoldResult.self) { group in
                for index in 0..<30 {
                    let hold = Fixtures.hold(campaign: "c\(index % 3)", price: Money("10.00"), balanceLimit: Money("45.00"))
                    let node = index % 2 == 0 ? a : b
                    group.addTask { try await node.hold(hold) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .held }.count == 4)
            #expect(try await b.balances(buyerIDs: ["acme"]) == ["acme": Money("40.00")])
        }
    }

    @Test func oneConsumerOnTwoNodesIsInsertedOnce() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            let window = Fixtures.now.minus(days: 30)
            let results = try await withThrowingTaskGroup(of: LeadInsertResult.self) { group in
                for index in 0..<40 {
                    let node = index % 2 == 0 ? a : b
                    group.addTask { try await node.insertLead(Fixtures.lead("L\(index)"), dedupeSince: window) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .inserted }.count == 1)
            let originals = Set(
                results.compactMap { result -> String? in
                    if case .duplicate(let original) = result { return original }
                    return nil
                })
            #expect(originals.count == 1)
        }
    }

    /// Two nodes sell, return and seal at once, each sealing in a loop as its `ChainSealer`
    /// would: they take turns (one at a time by the advisory lock) and make one chain, every
    /// record in it once, positions without a gap, records committed late linked later.
    @Test func twoNodesSellingAndSealingAtOnceMakeOneChain() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            let selling = Locked(true)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in [a, b] {
                    group.addTask {
                        while selling.withLock({ $0 }) {
                            try await node.sealChain()
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                }
                try await withThrowingTaskGroup(of: Void.self) { sales in
                    for index in 0..<40 {
                        let node = index % 2 == 0 ? a : b
                        sales.addTask {
                            try await StorageConformance.sell(node, "L\(index)", phone: String(4_155_551_000 + index))
                            guard index % 4 == 0 else { return }
                            let request = ReturnRequest(
                                leadID: "L\(index)", buyerID: "acme", reason: "bad", at: Fixtures.now.adding(milliseconds: 86_400_000))
                            #expect(try await node.recordReturn(request) == .approved(refund: Money("12.50")))
                        }
                    }
                    try await sales.waitForAll()
                }
                selling.withLock { $0 = false }
                try await group.waitForAll()
            }
            try await b.sealChain()
            let audit = try await a.audit()
            #expect(audit.isClean, "\(audit)")
            #expect((audit.chain.length, audit.chain.unsealed) == (40 * 4 + 10 * 3, 0))
            #expect(try await b.chainHead() == audit.chain.head)
        }
    }

    @Test func aPingIsClaimedOnceAcrossNodes() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            let ping = StorageConformance.heldPing()
            try await a.holdPing(ping)
            #expect(try await b.heldPing(id: "P1", sellerID: "S1") == ping)
            let results = try await withThrowingTaskGroup(of: PingClaim.self) { group in
                for index in 0..<30 {
                    let node = index % 2 == 0 ? a : b
                    group.addTask { try await node.claimPing(id: "P1", sellerID: "S1", now: Fixtures.now) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == .claimed(ping) }.count == 1)
            #expect(results.filter { $0 == .alreadyPosted }.count == 29)
        }
    }

    @Test func anIdempotencyKeyIsClaimedOnceAcrossNodes() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            let claims = try await withThrowingTaskGroup(of: IdempotencyClaim.self) { group in
                for index in 0..<30 {
                    let node = index % 2 == 0 ? a : b
                    group.addTask { try await node.claimIdempotencyKey(sellerID: "S1", key: "k1", fingerprint: "f1", at: Fixtures.now) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(claims.filter { $0 == .fresh }.count == 1)
        }
    }

    @Test func aConfigurationChangeReachesTheOtherNodeWithinASecond() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            try await Self.watching(b) { feed in
                #expect(await feed.next(PostgresStore.resyncPayload, within: .seconds(5)))
                let start = ContinuousClock.now
                try await a.create(.campaign(Fixtures.campaign))
                #expect(await feed.next("campaign", within: .seconds(1)))
                #expect(ContinuousClock.now - start < .seconds(1))
                #expect(try await b.loadConfig().campaigns["acme-auto-ca"]?.buyerID == "acme")

                try await a.saveSettings(Settings(dedupeDays: 3))
                #expect(await feed.next("settings", within: .seconds(1)))
                let key = APIKeyRecord(id: "K1", role: .admin, subjectID: nil, hash: "h", prefix: "p", createdAt: Fixtures.now)
                try await a.createAPIKey(key)
                #expect(await feed.next("api_key", within: .seconds(1)))
                #expect(try await a.deleteAPIKey(id: "K1"))
                #expect(await feed.next("api_key", within: .seconds(1)))
                #expect(try await a.delete(.campaign, id: "acme-auto-ca"))
                #expect(await feed.next("campaign", within: .seconds(1)))
                // A write that changes nothing notifies no one.
                #expect(try await a.delete(.campaign, id: "acme-auto-ca") == false)
                try await a.create(.seller(Fixtures.seller))
                #expect(await feed.next("seller", within: .seconds(1)))
            }
        }
    }

    @Test func theChangeFeedSurvivesADroppedConnection() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            try await Self.watching(b) { feed in
                #expect(await feed.next(PostgresStore.resyncPayload, within: .seconds(5)))
                // Drop every LISTEN connection of this database (both nodes'): they must come back.
                try await a.executeForTesting(
                    sql: """
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()
                        """)
                #expect(await feed.next(PostgresStore.resyncPayload, within: .seconds(5)))
                try await a.create(.seller(Fixtures.seller))
                #expect(await feed.next("seller", within: .seconds(1)))
            }
        }
    }

    /// Lead-path work that has a connection but no answer (here: waiting on a lock another
    /// session holds for seconds) fails as unavailable within the work limit, instead of
    /// keeping a seller's request waiting; the store works again once the database answers.
    @Test func workWithoutAnAnswerFailsWithinTheWorkLimit() async throws {
        try await PostgresHarness.with { harness in
            let locker = try await harness.node()
            var configuration = PostgresTestServer.configuration
            (configuration.leaseTimeout, configuration.workLimit) = (.milliseconds(500), .seconds(1))
            try await PostgresStore.withStore(url: harness.url, configuration: configuration) { store in
                async let locked: Void = locker.executeForTesting(
                    sql: "DO $$ BEGIN LOCK TABLE leads IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(10); END $$")
                try await Self.waitForLock(on: "leads", store: locker)
                let start = ContinuousClock.now
                await #expect(throws: StorageError.self) {
                    try await store.insertLead(Fixtures.lead("L1"), dedupeSince: Fixtures.now.minus(days: 30))
                }
                #expect(ContinuousClock.now - start < .seconds(8), "a 1 s work limit, not the 10 s lock (generous: a busy machine)")
                try await locked
                #expect(try await store.insertLead(Fixtures.lead("L2"), dedupeSince: Fixtures.now.minus(days: 30)) == .inserted)
            }
        }
    }

    /// Waits until some session holds an exclusive lock on `table`.
    static func waitForLock(on table: String, store: PostgresStore) async throws {
        for _ in 0..<200 {
            let rows = try await store.rows(
                """
                SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted
                AND relation = \(table)::regclass
                """)
            if try rows.first?.decode(Int64.self) ?? 0 > 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no session locked \(table)")
    }

    @Test func aStoppedNodeGivesBackItsHolds() async throws {
        try await PostgresHarness.with { harness in
            let hold = Fixtures.hold(caps: Campaign.Caps(dailyLeads: 2))
            let a = try await harness.node()
            #expect(try await a.hold(hold) == .held)
            #expect(try await a.hold(hold) == .held)
            #expect(try await a.hold(hold) == .capReached)
            await harness.stopAll()
            let b = try await harness.node()
            #expect(try await b.capUsage(["acme-auto-ca": hold.periods])["acme-auto-ca"]?.dayLeads == 0)
            #expect(try await b.hold(hold) == .held)
        }
    }

    /// A node that vanished without stopping (a crash) leaves holds behind; a running node
    /// releases them once the dead node has been silent for the node timeout.
    @Test func theHoldsOfAGoneNodeAreReleased() async throws {
        try await PostgresHarness.with { harness in
            let node = try await harness.node()
            let hold = Fixtures.hold(caps: Campaign.Caps(dailyLeads: 5))
            try await node.executeForTesting(
                sql: """
                    SELECT gavel_hold('crashed-node', 'acme-auto-ca', 'acme', '\(hold.periods.dayKey)', '\(hold.periods.weekKey)',
                        '\(hold.periods.monthKey)', 1000, 5, NULL, NULL, NULL, NULL, NULL)
                    """)
            #expect(try await node.capUsage(["acme-auto-ca": hold.periods])["acme-auto-ca"]?.dayLeads == 1)
            try await node.executeForTesting(sql: "UPDATE cap_holds SET created_at = created_at - interval '1 hour'")
            try await Self.eventually(within: .seconds(3)) {
                try await node.capUsage(["acme-auto-ca": hold.periods])["acme-auto-ca"]?.dayLeads == 0
            }
            #expect(try await node.balances(buyerIDs: ["acme"]) == ["acme": .zero])
        }
    }

    @Test func reconcileSparesTheLeadsOfOtherRunningNodes() async throws {
        try await PostgresHarness.with { harness in
            let (a, b) = (try await harness.node(), try await harness.node())
            #expect(try await a.insertLead(Fixtures.lead("LA", phone: "4155550101"), dedupeSince: nil) == .inserted)
            #expect(try await b.insertLead(Fixtures.lead("LB", phone: "4155550102"), dedupeSince: nil) == .inserted)
            let counts = try await b.reconcile(now: Fixtures.now)
            #expect((counts.review, counts.unsold) == (0, 1))
            #expect(try await a.lead(id: "LA")?.status == .pending)
            #expect(try await a.lead(id: "LB")?.status == .unsold)
            // Once node A is gone, its pending leads are B's to reconcile.
            await harness.stopAll()
            let c = try await harness.node()
            #expect(try await c.reconcile(now: Fixtures.now).unsold == 1)
            #expect(try await c.lead(id: "LA")?.status == .unsold)
        }
    }

    @Test func migrationsAreNamedIdempotentAndSafeAtOnce() async throws {
        try await PostgresHarness.with { harness in
            // Two nodes started at once on an empty database both migrate (one waits for the other).
            async let first = harness.node()
            async let second = harness.node()
            let (a, b) = try await (first, second)
            #expect(try await a.appliedMigrations() == PostgresStore.migrationNames)
            #expect(try await a.migrate().isEmpty)
            #expect(try await b.migrate().isEmpty)
        }
    }

    /// Sellers stored before seller statuses come out of `v3-seller-status` active, with the
    /// status written into their stored JSON.
    @Test func sellersStoredBeforeStatusesMigrateActive() async throws {
        try await PostgresHarness.with { harness in
            let node = try await harness.node()
            try await node.executeForTesting(
                sql: """
                    INSERT INTO config (kind, id, body, created_at, updated_at) VALUES
                        ('seller', 'S1', '{"id":"S1","name":"Old","alias":"s-old","revenue_share":0.85,"active":true}', 1, 1)
                    """)
            try await node.executeForTesting(sql: "DELETE FROM schema_migrations WHERE name = 'v3-seller-status'")
            #expect(try await node.migrate() == ["v3-seller-status"])
            let seller = try await node.loadConfig().sellers["S1"]
            #expect(seller == Seller(id: "S1", name: "Old", alias: "s-old", revenueShare: Rate("0.85"), status: .active))
            let rows = try await node.rows("SELECT body FROM config WHERE kind = 'seller' AND id = 'S1'")
            let body = try #require(try rows.first?.decode(String.self))
            #expect(try JSONParser.parse(Array(body.utf8))["status"] == "active")
        }
    }

    @Test func reportsFoldDeltasWithoutChangingAnswers() async throws {
        try await PostgresHarness.with { harness in
            let store = try await harness.node()
            try await StorageConformance.sell(store, "L1")
            let query = StorageConformance.query(.seller)
            let before = try await store.report(query)
            try await store.compactReportDeltas()
            #expect(try await store.report(query) == before)
            try await StorageConformance.sell(store, "L2", phone: "2125550199")
            let after = try await store.report(query)
            #expect(after.first?.leads == 2)
            try await store.compactReportDeltas()
            #expect(try await store.report(query) == after)
        }
    }

    // MARK: Helpers

    /// Records a store's change feed while `body` runs.
    private static func watching(_ store: PostgresStore, _ body: (FeedRecorder) async throws -> Void) async throws {
        let recorder = FeedRecorder()
        let stream = store.configChanges()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for await kind in stream { recorder.append(kind) } }
            defer { group.cancelAll() }
            try await body(recorder)
        }
    }

    /// Polls a condition until it holds, failing after `timeout`.
    private static func eventually(within timeout: Duration, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met within \(timeout)")
    }
}

/// What a change feed delivered, read in order.
final class FeedRecorder: Sendable {
    private let state = Locked<(kinds: [String], read: Int)>(([], 0))

    func append(_ kind: String) {
        state.withLock { $0.kinds.append(kind) }
    }

    /// Waits until `kind` arrives (skipping others), at most `timeout`; whether it did.
    func next(_ kind: String, within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = state.withLock { state -> Bool in
                guard let index = state.kinds[state.read...].firstIndex(of: kind) else { return false }
                state.read = index + 1
                return true
            }
            if found { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test func refusesWhatItCannotRead() {
        #expect(throws: StorageError.self) { try PostgresStore(url: "postgres://127.0.0.1/gavel") }
        #expect(throws: StorageError.self) { try PostgresStore(url: "postgres://u:p@127.0.0.1/gavel?sslmode=sometimes") }
        #expect(throws: StorageError.self) { try PostgresStore(url: "mysql://u:p@127.0.0.1/gavel") }
    }

    @Test func errorsNeverRepeatThePassword() {
        do {
            _ = try PostgresStore(url: "postgres://gavel:hunter2@127.0.0.1/gavel?sslmode=sometimes")
            Issue.record("accepted an unknown sslmode")
        } catch {
            #expect(!String(describing: error).contains("hunter2"))
        }
    }

    @Test func unreachableDatabaseFailsFast() async throws {
        let configuration = PostgresStore.Configuration(connectTimeout: .milliseconds(500))
        let start = ContinuousClock.now
        await #expect(throws: StorageError.self) {
            try await PostgresStore.withStore(url: "postgres://u:p@127.0.0.1:1/none?sslmode=disable", configuration: configuration) { _ in }
        }
        #expect(ContinuousClock.now - start < .seconds(30), "a 500 ms connect timeout, not a hang (generous: a busy machine)")
    }
}

/// ``BoundedWork``: the wait for a statement PostgresNIO never answers ends at the limit.
@Suite("Bounded database work")
struct BoundedWorkTests {
    /// Continuations of work that never ends (kept, never resumed: like a dropped statement).
    static let stuck = Locked<[CheckedContinuation<Void, Never>]>([])

    @Test func workThatNeverAnswersEndsAtTheLimitAndClosesItsConnection() async throws {
        let closed = Locked(false)
        await #expect(throws: StorageError.unavailable("PostgreSQL did not answer within 0.2 seconds")) {
            try await BoundedWork.run(limit: .milliseconds(200), alarms: Alarms()) {
                await withCheckedContinuation { continuation in Self.stuck.withLock { $0.append(continuation) } }
                return 1
            } onTimeout: {
                closed.withLock { $0 = true }
            }
        }
        #expect(closed.withLock { $0 })
    }

    @Test func workThatAnswersReturnsItsResultOrError() async throws {
        let value = try await BoundedWork.run(limit: .seconds(60), alarms: Alarms()) {
            42
        } onTimeout: {
            Issue.record("timed out")
        }
        #expect(value == 42)
        await #expect(throws: StorageError.failed("no")) {
            try await BoundedWork.run(limit: .seconds(60), alarms: Alarms()) { () async throws -> Int in
                throw StorageError.failed("no")
            } onTimeout: {
            }
        }
    }

    /// A cancelled caller still gets the work's own result: giving up at once could report a
    /// failure for work that then commits.
    @Test func aCancelledCallerStillWaitsForTheWork() async throws {
        let caller = Task {
            try await BoundedWork.run(limit: .seconds(60), alarms: Alarms()) {
                try? await Task.sleep(for: .milliseconds(100))  // the work's own task is not the caller's
                return 7
            } onTimeout: {
                Issue.record("timed out")
            }
        }
        caller.cancel()
        #expect(try await caller.value == 7)
    }

    @Test func theStatementLimitIsThreeQuartersOfTheWorkLimit() {
        #expect(PostgresStore.statementTimeout(.seconds(15)) == 11_250)
        #expect(PostgresStore.statementTimeout(.seconds(1)) == 750)
        #expect(PostgresStore.statementTimeout(.milliseconds(400)) == 300)
    }
}

/// ``Alarms``: the store's timeouts on one shared tick.
@Suite("Store alarms")
struct AlarmsTests {
    @Test func aWaitEndsAtItsDeadlineOrWhenCancelledAndFallsBackWhenNotRunning() async throws {
        let alarms = Alarms(tick: .milliseconds(10))
        let start = ContinuousClock.now
        await alarms.sleep(for: .milliseconds(30))
        #expect(ContinuousClock.now - start >= .milliseconds(30), "not running: Task.sleep")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await alarms.run() }
            try await Task.sleep(for: .milliseconds(20))
            let begun = ContinuousClock.now
            await alarms.sleep(for: .milliseconds(50))
            #expect(ContinuousClock.now - begun >= .milliseconds(50), "never before the deadline")
            let waiting = Task { await alarms.sleep(for: .seconds(600)) }
            try await Task.sleep(for: .milliseconds(20))
            waiting.cancel()
            await waiting.value  // cancelled: ends at once, not in ten minutes
            let left = Task { await alarms.sleep(for: .seconds(600)) }
            for _ in 0..<500 where alarms.pending == 0 { try await Task.sleep(for: .milliseconds(10)) }  // a busy machine starts it late
            #expect(alarms.pending == 1)
            group.cancelAll()  // stopping resumes the waits left
            await left.value
        }
    }
}

/// The JSON record sets the PostgreSQL statements read with `json_to_recordset`.
@Suite("PostgreSQL record sets")
struct RecordSetTests {
    @Test func recordsAreWrittenAsTheyAreAndNumberedInOrder() throws {
        let records: [[String: JSONValue]] = [
            ["a": "x \"quoted\" ü", "b": .integer(-3), "c": .null], [:], ["n": 9, "d": [1, 2]],
        ]
        let text = PostgresOutcomeWrite.recordSet(records)
        let parsed = try JSONParser.parse(Array(text.utf8), limits: .trusted).arrayValue ?? []
        #expect(
            parsed == [
                ["a": "x \"quoted\" ü", "b": -3, "c": .null, "n": 1], ["n": 2], ["n": 9, "d": [1, 2]],
            ])
        #expect(PostgresOutcomeWrite.recordSet([]) == "[]")
        let plain = try JSONParser.parse(Array(PostgresOutcomeWrite.recordSet(records, numbered: false).utf8), limits: .trusted)
        #expect(plain.arrayValue?[1] == [:])
    }
}
