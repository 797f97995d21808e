import Foundation
import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

/// The storage conformance suite on SQLite, one fresh database file per test.
@Suite("SQLite store conformance")
struct SQLiteStoreConformanceTests {
    let harness: SQLiteHarness

    init() throws {
        harness = try SQLiteHarness()
    }

    @Test func configCRUD() async throws { try await StorageConformance.configCRUD(harness) }
    @Test func configPersistsAcrossReopen() async throws { try await StorageConformance.configPersistsAcrossReopen(harness) }
    @Test func settingsRoundTrip() async throws { try await StorageConformance.settingsRoundTrip(harness) }
    @Test func apiKeys() async throws { try await StorageConformance.apiKeys(harness) }

    @Test func insertAndReadPendingLead() async throws { try await StorageConformance.insertAndReadPendingLead(harness) }
    @Test func dedupe() async throws { try await StorageConformance.dedupe(harness) }
    @Test func dedupeIgnoresTestRejectedAndDuplicateLeads() async throws {
        try await StorageConformance.dedupeIgnoresTestRejectedAndDuplicateLeads(harness)
    }
    @Test func dedupeMatchesWholeKeys() async throws { try await StorageConformance.dedupeMatchesWholeKeys(harness) }
    @Test func concurrentDedupe() async throws { try await StorageConformance.concurrentDedupe(harness) }
    @Test func recordOutcomeRoundTrip() async throws { try await StorageConformance.recordOutcomeRoundTrip(harness) }
    @Test func recordOutcomeOnceForKnownLeads() async throws { try await StorageConformance.recordOutcomeOnceForKnownLeads(harness) }
    @Test func ledgerBalances() async throws { try await StorageConformance.ledgerBalances(harness) }
    @Test func lastSales() async throws { try await StorageConformance.lastSales(harness) }
    @Test func reconcile() async throws { try await StorageConformance.reconcile(harness) }
    @Test func groupCommit() async throws { try await StorageConformance.groupCommit(harness) }
    @Test func groupCommitIsolatesFailures() async throws { try await StorageConformance.groupCommitIsolatesFailures(harness) }

    @Test func concurrentHoldsRespectDailyLeads() async throws { try await StorageConformance.concurrentHoldsRespectDailyLeads(harness) }
    @Test func weeklyAndMonthlyCaps() async throws { try await StorageConformance.weeklyAndMonthlyCaps(harness) }
    @Test func spendCap() async throws { try await StorageConformance.spendCap(harness) }
    @Test func buyerCredit() async throws { try await StorageConformance.buyerCredit(harness) }
    @Test func testHoldsCountNothing() async throws { try await StorageConformance.testHoldsCountNothing(harness) }
    @Test func aSaleBelowItsHoldSettlesTheDifference() async throws { try await StorageConformance.aSaleBelowItsHoldSettlesTheDifference(harness) }
    @Test func usagePersistsAcrossReopen() async throws { try await StorageConformance.usagePersistsAcrossReopen(harness) }

    @Test func heldPingRoundTrip() async throws { try await StorageConformance.heldPingRoundTrip(harness) }
    @Test func claimOutcomes() async throws { try await StorageConformance.claimOutcomes(harness) }
    @Test func concurrentClaims() async throws { try await StorageConformance.concurrentClaims(harness) }

    @Test func suppressions() async throws { try await StorageConformance.suppressions(harness) }
    @Test func millionSuppressions() async throws { try await StorageConformance.millionSuppressions(harness) }

    @Test func returnReversesTheSale() async throws { try await StorageConformance.returnReversesTheSale(harness) }
    @Test func returnIsOnlyForTheBuyer() async throws { try await StorageConformance.returnIsOnlyForTheBuyer(harness) }
    @Test func returnWindow() async throws { try await StorageConformance.returnWindow(harness) }
    @Test func returnRate() async throws { try await StorageConformance.returnRate(harness) }
    @Test func returnOfASharedLead() async throws { try await StorageConformance.returnOfASharedLead(harness) }
    @Test func concurrentReturnsApproveOnce() async throws { try await StorageConformance.concurrentReturnsApproveOnce(harness) }
    @Test func conversions() async throws { try await StorageConformance.conversions(harness) }
    @Test func payments() async throws { try await StorageConformance.payments(harness) }
    @Test func auditFindsTampering() async throws { try await StorageConformance.auditFindsTampering(harness) }
    @Test func boughtLeads() async throws { try await StorageConformance.boughtLeads(harness) }

    @Test func idempotencyKeys() async throws { try await StorageConformance.idempotencyKeys(harness) }
    @Test func idempotencyKeysSurviveReopening() async throws { try await StorageConformance.idempotencyKeysSurviveReopening(harness) }
    @Test func concurrentIdempotencyClaims() async throws { try await StorageConformance.concurrentIdempotencyClaims(harness) }

    @Test func reportCountsEveryFact() async throws { try await StorageConformance.reportCountsEveryFact(harness) }
    @Test func reportKeysAndScopes() async throws { try await StorageConformance.reportKeysAndScopes(harness) }
    @Test func reportCountsReturnsAndConversions() async throws { try await StorageConformance.reportCountsReturnsAndConversions(harness) }
    @Test func purgesOldKeysAndExpiredPings() async throws { try await StorageConformance.purgesOldKeysAndExpiredPings(harness) }
    @Test func reportCountsReconciledLeads() async throws { try await StorageConformance.reportCountsReconciledLeads(harness) }
    @Test func importRefusesExistingLeads() async throws { try await StorageConformance.importRefusesExistingLeads(harness) }
    @Test func reportsMatchTheModel() async throws { try await StorageConformance.reportsMatchTheModel(harness) }
    @Test func importMatchesTheNormalPath() async throws {
        try await StorageConformance.importMatchesTheNormalPath(harness, try SQLiteHarness())
    }
}

/// What only the SQLite store has: its file settings, migrations and housekeeping.
@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test func durableFileSettings() async throws {
        let store = try SQLiteStore.temporary()
        let settings = try await store.diagnostics()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == "full")
        #expect(settings.foreignKeys)
    }

    @Test func migrationsAreNamedAndIdempotent() async throws {
        let store = try SQLiteStore.temporary()
        #expect(
            try store.appliedMigrations() == [
                "v1-config", "v1-leads", "v1-records", "v1-money", "v1-pings", "v1-suppressions", "v2-sales", "v2-records",
                "v2-money", "v2-idempotency", "v2-unused-indexes", "v2-rollups",
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
            try await store.recordOutcome(Fixtures.soldOutcome("L\(index)", sales: [Fixtures.sale(price: Money(cents: 1_001 + Int64(index)))]), sellerID: "S1")
        }
        let balances = try await store.ledgerBalances()
        #expect(balances.values.reduce(Money.zero, +) == .zero)
        #expect(balances["buyer:acme"] == Money(cents: 5_015))
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
}
