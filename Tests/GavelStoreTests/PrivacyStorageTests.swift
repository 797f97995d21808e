import Foundation
import GRDB
import GavelCore
import PostgresNIO
import Testing

@testable import GavelStorePostgres
@testable import GavelStoreSQLite
@testable import GavelStoreSupport

/// What the conformance suite cannot see through the ports: after an erasure the erased values
/// are nowhere in the database — not in the SQLite file or its WAL, not in any PostgreSQL
/// table — and the privacy migration turns the plain SHA-256 contact keys of an older database
/// into keyed ones that dedupe, campaign history and suppression lists still match.
@Suite("Privacy in the database", .heavy)
struct PrivacyStorageTests {
    /// The erased consumer's values, as they could appear in a file or a row.
    static let erasedValues = [
        StorageConformance.erasedPhone, "zeb.4155550142@example.org", "Zebulon", "Quixotic42", "17 Marigold Lane", "1979-04-12",
        "203.0.113.42",
    ]

    /// The erased consumer's leads and everything that refers to them (an outcome whose buyer
    /// repeated its data, a return whose reason names the consumer and its webhook deliveries,
    /// a pending lead posted to a buyer, a stored idempotency response), a held ping, and
    /// another consumer who stays.
    static func populate(_ store: any Storage) async throws -> [String] {
        let lead = StorageConformance.personalLead("L1")
        _ = try await store.insertLead(lead, dedupeSince: nil)
        _ = try await store.hold(Fixtures.sale().hold)
        try await store.recordOutcome(StorageConformance.echoingOutcome("L1"), sellerID: "S1")
        try await returnEchoingTheConsumer(store)
        _ = try await store.insertLead(StorageConformance.personalLead("L2", at: Fixtures.now.adding(milliseconds: 9)), dedupeSince: nil)
        try await store.markPosting(leadID: "L2", campaignID: "acme-auto-ca")
        _ = try await store.insertLead(StorageConformance.personalLead("K1", phone: "2125550177"), dedupeSince: nil)
        _ = try await store.claimIdempotencyKey(sellerID: "S1", key: "k-1", fingerprint: "f", at: Fixtures.now)
        let body = JSONWriter.bytes([
            "lead_id": "L1", "status": "sold", "redirect_url": "https://acme.example/?e=zeb.4155550142@example.org",
        ])
        try await store.completeIdempotencyKey(sellerID: "S1", key: "k-1", status: 200, body: body)
        try await store.holdPing(
            HeldPing(
                id: "P1", sellerID: "S1", vertical: Fixtures.vertical.id, source: "fb", test: false,
                fields: Fixtures.vertical.nonPersonal(lead.fields), bids: [], prices: [], allocated: nil, pings: [], skips: [],
                createdAt: Fixtures.now, expiresAt: Fixtures.now.adding(milliseconds: 120_000)))
        return lead.contactKeys.all
    }

    /// The buyer returns the lead with a reason that names the consumer, to an operator's
    /// webhook: the reason is stored with the sale and in two outbox bodies.
    static func returnEchoingTheConsumer(_ store: any Storage) async throws {
        try await store.createWebhook(StorageConformance.webhook("W-op"))
        let fanOut = WebhookFanOut(
            subscribers: [WebhookFanOut.Subscriber(webhookID: "W-op", owner: .admin, events: Set(WebhookEventType.allCases))],
            retryWindowMS: 86_400_000)
        let request = ReturnRequest(
            leadID: "L1", buyerID: "acme", reason: "Zebulon Quixotic42 at zeb.4155550142@example.org says he never asked",
            at: Fixtures.now.adding(milliseconds: 500), webhooks: fanOut)
        #expect(try await store.recordReturn(request) == .approved(refund: Money("12.50")))
    }

    static func erase(_ store: any Storage, keys: [String]) async throws {
        let record = ErasureRecord(id: "E1", kind: .request, at: Fixtures.now.adding(milliseconds: 1_000), contactKeys: keys)
        let erased = try await store.eraseConsumer(contactKeys: keys, redaction: Redaction(verticals: [Fixtures.vertical]), record: record)
        #expect(erased.leads == 2)
    }

    @Test func anErasureLeavesNothingInTheSQLiteFileOrItsWAL() async throws {
        let harness = try SQLiteHarness()
        let store = try harness.openSQLite()
        let keys = try await Self.populate(store)
        let before = try Self.files(harness)
        #expect(Self.erasedValues.allSatisfy { before.contains($0) }, "the values were written before the erasure")

        try await Self.erase(store, keys: keys)
        let after = try Self.files(harness)
        for value in Self.erasedValues { #expect(!after.contains(value), "\(value) is still in the database files") }
        #expect(after.contains("zeb.2125550177@example.org"), "the other consumer is kept")
        #expect(try await store.lead(id: "L1")?.lead.fields["zip"] == "94105")
        #expect(try await store.diagnostics().secureDelete)
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled)) func anErasureLeavesNoPostgreSQLRowWithTheValues() async throws {
        try await PostgresHarness.with { harness in
            let store = try await harness.node()
            let keys = try await Self.populate(store)
            let before = try await Self.everyRow(store)
            #expect(Self.erasedValues.allSatisfy { before.contains($0) }, "the values were written before the erasure")

            try await Self.erase(store, keys: keys)
            let after = try await Self.everyRow(store)
            for value in Self.erasedValues { #expect(!after.contains(value), "\(value) is still in a table") }
            #expect(after.contains("zeb.2125550177@example.org"), "the other consumer is kept")
        }
    }

    @Test func theSQLiteMigrationKeysOldContactKeys() async throws {
        let harness = try SQLiteHarness()
        let queue = try DatabaseQueue(path: harness.path)
        try SQLiteSchema.migrator.migrate(queue, upTo: "v2-rollups")
        let plain = Fixtures.lead("L1", phone: "4155550100").contactKeys
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO leads (seq, id, seller_id, vertical, source, test, fields, consent, contacts, received_at, status,
                        outcome_status) VALUES (1, 'L1', 'S1', 'auto_insurance', 'fb', 0, '{"zip":"94105"}', '{}', ?, ?, 'sold', 'sold')
                    """, arguments: [plain.storedText, Fixtures.now.milliseconds])
            for key in plain.all {
                try db.execute(sql: "INSERT INTO lead_contacts (key, lead_seq) VALUES (?, 1)", arguments: [ContactKeyIndex.prefix(key)])
            }
            try db.execute(
                sql: """
                    INSERT INTO sales (lead_id, seq, campaign_id, buyer_id, seller_id, price_cents, payout_cents, margin_cents,
                        period_day, counted, at) VALUES ('L1', 0, 'acme-auto-ca', 'acme', 'S1', 1250, 1000, 250, 20787, 1, ?)
                    """, arguments: [Fixtures.now.milliseconds])
            try db.execute(
                sql: "INSERT INTO suppressions (buyer_id, hash) VALUES ('zeta', ?)", arguments: [HashKey(hex: plain.emailHashes[0])!.data])
        }
        try queue.close()

        let store = try harness.openSQLite()
        try await Self.checkKeyed(store, plain: plain)
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled)) func thePostgreSQLMigrationKeysOldContactKeys() async throws {
        let server = try #require(PostgresTestServer.url)
        try await PostgresTemporaryDatabase.with(serverURL: server) { url in
            let store = try PostgresStore(url: url, configuration: PostgresTestServer.configuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { store.shutdown() }
                try await store.migrate(before: "v3-privacy")
                let plain = Fixtures.lead("L1", phone: "4155550100").contactKeys
                _ = try await store.insertLead(Fixtures.lead("L1", phone: "4155550100"), dedupeSince: nil)
                try await store.executeForTesting(
                    sql: """
                        INSERT INTO sales (lead_id, seq, campaign_id, buyer_id, seller_id, price_cents, payout_cents, margin_cents,
                            period_day, counted, at, return_window_days)
                        VALUES ('L1', 0, 'acme-auto-ca', 'acme', 'S1', 1250, 1000, 250, 20787, true, \(Fixtures.now.milliseconds), 7)
                        """)
                _ = try await store.addSuppressions(buyerID: "zeta", hashes: [plain.emailHashes[0]])
                #expect(try await store.migrate() == ["v3-privacy", "v4-release-outstanding"])
                try await Self.checkKeyed(store, plain: plain)
            }
        }
    }

    /// After the migration the lead's keys are the keyed hashes of the old ones, and dedupe,
    /// campaign history and suppression lists match keyed keys.
    static func checkKeyed(_ store: any Storage, plain: ContactKeys) async throws {
        let hasher = KeyedContactHasher(secret: try await store.contactKeySecret())
        let keyed = ContactKeys(
            phoneHashes: plain.phoneHashes.compactMap(hasher.contactKey(sha256Hex:)),
            emailHashes: plain.emailHashes.compactMap(hasher.contactKey(sha256Hex:)))
        #expect(keyed.phoneHashes == [hasher.contactKey("14155550100")])
        #expect(try await store.lead(id: "L1")?.lead.contactKeys == keyed)
        #expect(try await store.suppressingBuyers(contactKeys: keyed.emailHashes) == ["zeta"])
        #expect(try await store.suppressingBuyers(contactKeys: plain.emailHashes).isEmpty)
        #expect(
            try await store.lastSales(contactKeys: keyed.phoneHashes, since: Fixtures.now.minus(days: 1)) == ["acme-auto-ca": Fixtures.now])
        var later = Fixtures.lead("L2", phone: "4155550100", at: Fixtures.now.adding(milliseconds: 1_000))
        later.contactKeys = keyed
        #expect(try await store.insertLead(later, dedupeSince: Fixtures.now.minus(days: 1)) == .duplicate(of: "L1"))
    }

    /// The SQLite file and its WAL, as text.
    static func files(_ harness: SQLiteHarness) throws -> String {
        let paths = [harness.path, harness.path + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        return try paths.map { String(decoding: try Data(contentsOf: URL(fileURLWithPath: $0)), as: UTF8.self) }.joined(separator: "\n")
    }

    /// Every row of every table of the database as text (binary columns with their bytes
    /// escaped, so text inside them is still found).
    static func everyRow(_ store: PostgresStore) async throws -> String {
        let columns = try await store.rows(
            """
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
            """
        ).map { try $0.decode((String, String, String).self) }
        var text: [String] = []
        for table in Set(columns.map(\.0)).sorted() {
            let list = columns.filter { $0.0 == table }.map { $0.2 == "bytea" ? "encode(\"\($0.1)\", 'escape')" : "\"\($0.1)\"::text" }
            let rows = try await store.rows(
                PostgresQuery(unsafeSQL: "SELECT concat_ws('|', \(list.joined(separator: ", "))) FROM \"\(table)\""))
            text += try rows.map { try $0.decode(String.self) }
        }
        return text.joined(separator: "\n")
    }
}

/// The SQLite lead records' format: a version 3 note (before the rejection cost) still reads.
@Suite("SQLite lead records")
struct LeadRecordsCodecTests {
    @Test func aNoteWrittenBeforeTheRejectionCostStillReads() throws {
        var note = AuctionNote(
            floor: FloorDecision(floor: Money("3.10"), staticFloor: Money("2.00"), source: .learned, segment: "s", samples: 3),
            ranking: .quality, factors: ["a": Rate("0.8")], rejectionCost: Rate("0.25"))
        let current = LeadRecordsCodec.encode(pings: [], posts: [], skips: [], note: note)
        #expect(try LeadRecordsCodec.decode(current, leadID: "L1").note == note)
        note.rejectionCost = nil
        // Version 3: the same bytes without the cost's optional marker at the end.
        var older = LeadRecordsCodec.encode(pings: [], posts: [], skips: [], note: note)
        #expect(older.removeLast() == 0)
        older[0] = 3
        #expect(try LeadRecordsCodec.decode(older, leadID: "L1").note == note)
    }
}
