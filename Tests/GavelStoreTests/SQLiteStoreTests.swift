import Foundation
import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import GavelTesting
import Testing

/// What only the SQLite store has: its file settings, migrations and housekeeping.
@Suite("SQLite store", .heavy)
struct SQLiteStoreTests {
    @Test func durableFileSettings() async throws {
        let store = try SQLiteStore.temporary()
        let settings = try await store.diagnostics()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == "full")
        #expect(settings.foreignKeys)
        #expect(settings.secureDelete)
    }

    @Test func migrationsAreNamedAndIdempotent() async throws {
        let store = try SQLiteStore.temporary()
        #expect(
            try store.appliedMigrations() == [
                "v1-config", "v1-leads", "v1-records", "v1-money", "v1-pings", "v1-suppressions", "v2-sales", "v2-records",
                "v2-money", "v2-idempotency", "v2-unused-indexes", "v2-rollups", "v3-seller-status", "v3-webhooks", "v3-bid-rollup",
                "v3-chain", "v3-privacy", "v4-readiness",
            ])
        #expect(try await store.migrate().isEmpty)
    }

    @Test func temporaryStoreDeletesItsFile() throws {
        var store: SQLiteStore? = try SQLiteStore.temporary()
        let path = try #require(store?.path)
        #expect(FileManager.default.fileExists(atPath: path))
        store = nil
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func openRefusesPostgres() throws {
        #expect(throws: StorageError.self) { try SQLiteStore.open(.postgres("postgres://u:p@127.0.0.1:5432/gavel")) }
        let store = try SQLiteStore.open(.temporarySQLite)
        #expect(store.path.hasSuffix(".sqlite"))
    }

    @Test func ledgerBalancesSumToZero() async throws {
        let store = try SQLiteStore.temporary()
        for index in 0..<5 {
            _ = try await store.insertLead(Fixtures.lead("L\(index)"), dedupeSince: nil)
            try await store.recordOutcome(
                Fixtures.soldOutcome("L\(index)", sales: [Fixtures.sale(price: Money(cents: 1_001 + Int64(index)))]), sellerID: "S1")
        }
        let balances = try await store.ledgerBalances()
        #expect(balances.values.reduce(Money.zero, +) == .zero)
        #expect(balances["buyer:acme"] == Money(cents: 5_015))
    }

    /// With inline sealing every record is linked when written, so one written behind the
    /// store's back (a payment that balances) is not in the chain: a problem, naming it.
    @Test func aRecordAddedBehindTheStoresBackIsNotInTheChain() async throws {
        let store = try SQLiteStore.temporary()
        try await StorageConformance.sell(store, "L1")
        #expect(try await store.audit().isClean)
        try await store.executeForTesting(
            sql: """
                INSERT INTO ledger (lead_id, campaign_id, account, amount_cents, kind, at) VALUES
                    ('', '', 'buyer:acme', -1250, 'payment', 1796050800000), ('', '', 'cash', 1250, 'payment', 1796050800000)
                """)
        let audit = try await store.audit()
        #expect(audit.problems.isEmpty && audit.total == .zero, "a forged payment balances")
        #expect(
            audit.chain.problems == [
                "2 records are not in the chain, the first: ledger entry 4 (a payment) (added or unlinked behind the store's back)"
            ])
        #expect(audit.chain.unsealed == 2 && !audit.isClean)
    }

    /// Writes that fail share group-commit batches with writes that link records: each rolls
    /// back alone, and the chain stays whole, with no gap.
    @Test func failingWritesInABatchLeaveTheChainWhole() async throws {
        let store = try SQLiteStore.temporary()
        for index in 0..<10 { try await StorageConformance.sell(store, "S\(index)", phone: String(4_155_552_000 + index)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask { try await StorageConformance.sell(store, "L\(index)", phone: String(4_155_551_000 + index)) }
                group.addTask {
                    await #expect(throws: StorageError.self) {
                        try await store.recordOutcome(Fixtures.soldOutcome("S\(index)"), sellerID: "S1")
                    }
                }
            }
            try await group.waitForAll()
        }
        let audit = try await store.audit()
        #expect(audit.isClean && audit.chain.length == 80, "\(audit)")
    }
}

@Suite("Database URLs")
struct DatabaseURLTests {
    @Test func parsesSQLite() throws {
        #expect(try DatabaseURL("sqlite:gavel.sqlite") == .sqlite(path: "gavel.sqlite"))
        #expect(try DatabaseURL("sqlite:///var/lib/gavel/db.sqlite") == .sqlite(path: "/var/lib/gavel/db.sqlite"))
        #expect(try DatabaseURL("sqlite::memory:") == .temporarySQLite)
        #expect(DatabaseURL.default == .sqlite(path: "gavel.sqlite"))
    }

    @Test func parsesPostgresAndMasksThePassword() throws {
        let url = try DatabaseURL("postgres://gavel:hunter2@127.0.0.1:5432/gavel")
        #expect(url == .postgres("postgres://gavel:hunter2@127.0.0.1:5432/gavel"))
        #expect(url.description == "postgres://gavel:***@127.0.0.1:5432/gavel")
        #expect(try DatabaseURL("postgresql://h/db") == .postgres("postgresql://h/db"))
    }

    @Test func refusesOthers() {
        #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL("mysql://x") }
        #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL("sqlite:") }
        #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL("gavel.sqlite") }
    }
}

@Suite("SHA-256 contact hasher")
struct ContactHasherTests {
    @Test func knownVector() {
        #expect(SHA256ContactHasher().sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func contactKeysOfALead() {
        let keys = SHA256ContactHasher().contactKeys(
            fields: ["phone": "4155550100", "email": "ada@example.com", "zip": "94105"], vertical: BuiltInVerticals.autoInsurance)
        #expect(keys.phoneHashes == [SHA256ContactHasher().sha256Hex("14155550100")])
        #expect(keys.emailHashes == [SHA256ContactHasher().sha256Hex("ada@example.com")])
    }

    /// HMAC-SHA256 with the secret over the 32-byte SHA-256 of the text (the same value the
    /// PostgreSQL migration computes in SQL for keys it already holds).
    @Test func keyedKnownVector() {
        let hasher = KeyedContactHasher(secret: Array(0..<32))
        let key = "c9fe733b6e73aeadfe4369be4e907440dc8cca6969445f72941a095f2cb53255"
        #expect(hasher.contactKey("14155550100") == key)
        #expect(hasher.contactKey(sha256Hex: "5E7EC4C79CCAC6E420876E65AD0E6B4B2CCF73EC3DCCB50297BF2890A1EC73B9") == key)
        #expect(hasher.contactKey(sha256Hex: "not hex") == nil)
        #expect(KeyedContactHasher(secret: Array(1..<33)).contactKey("14155550100") != key)
        #expect(KeyedContactHasher.newSecret() != KeyedContactHasher.newSecret())
    }
}
