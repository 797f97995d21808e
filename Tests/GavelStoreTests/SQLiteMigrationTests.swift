import Foundation
import GRDB
import GavelCore
import Testing

@testable import GavelStorePostgres
@testable import GavelStoreSQLite
@testable import GavelStoreSupport

/// A database written by the first schema (pings, posts and skips as rows, no rollups) still
/// reads back, and opening it fills the report rollups from what it holds and seals its
/// records into the chain.
@Suite("SQLite migrations")
struct SQLiteMigrationTests {
    @Test func upgradesAVersionOneDatabase() async throws {
        let harness = try SQLiteHarness()
        let queue = try DatabaseQueue(path: harness.path)
        try SQLiteSchema.migrator.migrate(queue, upTo: "v1-suppressions")
        try await queue.write { db in try db.execute(sql: Self.versionOneRows) }
        try queue.close()

        let store = try harness.openSQLite()
        let row = try #require(try await store.report(StorageConformance.query(.seller)).first)
        #expect((row.key, row.leads, row.pings, row.bids) == ("S1", 2, 2, 2))
        #expect((row.sold, row.accepted, row.rejected) == (1, 1, 0))
        #expect((row.revenue, row.payout, row.latency) == (Money("12.50"), Money("10.00"), LatencyHistogram(counts: [41: 1])))
        let campaigns = try await store.report(StorageConformance.query(.campaign))
        #expect(campaigns.map(\.key) == ["acme-auto-ca", "hosted-auto"])

        let outcome = try #require(try await store.lead(id: "L1")?.outcome)
        #expect(outcome.pings.map(\.campaignID) == ["acme-auto-ca", "hosted-auto"])
        #expect(outcome.pings[0].answer == PingAnswer(kind: .bid, bid: Money("12.50"), bidID: "b-1", latencyMicros: 41_000))
        #expect(outcome.posts.map(\.outcome) == [.accepted])
        #expect(outcome.skips == [SkipRecord(campaignID: "paused-auto", reason: .paused)])
        #expect(outcome.sales.map(\.returnWindowDays) == [7])
        // The chain's migration sealed what the database held: the two sales (by time, lead and
        // seq), then the three ledger entries.
        let audit = try await store.audit()
        #expect(audit.isClean && (audit.chain.length, audit.chain.unsealed) == (5, 0), "\(audit)")
        #expect(try await store.chainLink(at: 1)?.record == "sale L1#0")
        #expect(try await store.chainLink(at: 3)?.record == "ledger 1")
        let request = ReturnRequest(leadID: "L1", buyerID: "acme", reason: "bad", at: Fixtures.now.adding(milliseconds: 86_400_000))
        #expect(try await store.recordReturn(request) == .approved(refund: Money("12.50")))
        #expect(try await store.chainHead().pos == 8)
        #expect(try await store.audit().isClean)
    }

    /// Sellers stored before seller statuses come out of `v3-seller-status` active, with the
    /// status written into their stored JSON and nothing else in it changed.
    @Test func sellersStoredBeforeStatusesMigrateActive() async throws {
        let harness = try SQLiteHarness()
        let queue = try DatabaseQueue(path: harness.path)
        try SQLiteSchema.migrator.migrate(queue, upTo: "v2-rollups")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO config (kind, id, body, created_at, updated_at) VALUES
                        ('seller', 'S1', '{"id":"S1","name":"Old","alias":"s-old","revenue_share":0.85,"active":true}', 1, 1),
                        ('seller', 'S2', '{"id":"S2","name":"Off","alias":"s-off","revenue_share":0.5,"active":false}', 1, 1)
                    """)
        }
        try queue.close()

        let store = try harness.openSQLite()
        let sellers = try await store.loadConfig().sellers
        #expect(sellers["S1"] == Seller(id: "S1", name: "Old", alias: "s-old", revenueShare: Rate("0.85"), status: .active))
        #expect(sellers["S2"] == Seller(id: "S2", name: "Off", alias: "s-off", revenueShare: Rate("0.5"), active: false, status: .active))
        let bodies = try await store.read { db in try String.fetchAll(db, sql: "SELECT body FROM config WHERE kind = 'seller' ORDER BY id")
        }
        #expect(bodies[0] == #"{"active":true,"alias":"s-old","id":"S1","name":"Old","revenue_share":0.85,"status":"active"}"#)
        #expect(bodies[1].contains(#""status":"active""#))
    }

    /// A sold lead, a duplicate and a sold test lead, as the first schema stored them.
    static let versionOneRows = """
        INSERT INTO leads (seq, id, seller_id, vertical, source, test, fields, consent, contacts, received_at, ping_id, status,
            outcome_status, reason, revenue_cents, payout_cents, buyer, finished_at, elapsed_us) VALUES
            (1, 'L1', 'S1', 'auto_insurance', 'fb', 0, '{"zip":"94105"}', '{}', '{"phones":[],"emails":[]}', 1796050800000, NULL,
                'sold', 'sold', NULL, 1250, 1000, 'acme-auto-ca', 1796050800080, 900),
            (2, 'L2', 'S1', 'auto_insurance', 'fb', 0, '{"zip":"94105"}', '{}', '{"phones":[],"emails":[]}', 1796050860000, NULL,
                'duplicate', 'duplicate', 'duplicate', 0, 0, NULL, 1796050860000, 0),
            (3, 'T1', 'S1', 'auto_insurance', 'fb', 1, '{"zip":"94105"}', '{}', '{"phones":[],"emails":[]}', 1796050800000, NULL,
                'sold', 'sold', NULL, 1250, 1000, 'acme-auto-ca', 1796050800080, 900);
        INSERT INTO pings (lead_id, seq, campaign_id, buyer_id, kind, bid_cents, effective_cents, bid_id, latency_us, detail, at) VALUES
            ('L1', 0, 'acme-auto-ca', 'acme', 'bid', 1250, 1250, 'b-1', 41000, NULL, 1796050800080),
            ('L1', 1, 'hosted-auto', 'host', 'hosted', 700, 770, NULL, 0, NULL, 1796050800080),
            ('T1', 0, 'acme-auto-ca', 'acme', 'bid', 1250, 1250, 'b-1', 41000, NULL, 1796050800080);
        INSERT INTO posts (lead_id, seq, campaign_id, buyer_id, price_cents, origin, outcome, reason, buyer_lead_id, latency_us, at) VALUES
            ('L1', 0, 'acme-auto-ca', 'acme', 1250, 'auction', 'accepted', NULL, 'x-1', 30000, 1796050800080);
        INSERT INTO skips (lead_id, seq, campaign_id, reason) VALUES ('L1', 0, 'paused-auto', 'paused');
        INSERT INTO sales (lead_id, seq, campaign_id, buyer_id, seller_id, price_cents, payout_cents, margin_cents, buyer_lead_id,
            period_day, counted, at) VALUES
            ('L1', 0, 'acme-auto-ca', 'acme', 'S1', 1250, 1000, 250, 'x-1', 20787, 1, 1796050800080),
            ('T1', 0, 'acme-auto-ca', 'acme', 'S1', 1250, 1000, 250, 'x-1', 20787, 0, 1796050800080);
        INSERT INTO ledger (lead_id, campaign_id, account, amount_cents, kind, at) VALUES
            ('L1', 'acme-auto-ca', 'buyer:acme', 1250, 'sale', 1796050800080),
            ('L1', 'acme-auto-ca', 'seller:S1', -1000, 'sale', 1796050800080),
            ('L1', 'acme-auto-ca', 'exchange:margin', -250, 'sale', 1796050800080);
        INSERT INTO usage (subject, period, leads, spend_cents) VALUES ('buyer:acme', 'balance', 1, 1250);
        """
}
