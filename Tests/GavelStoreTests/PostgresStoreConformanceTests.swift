import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

/// The storage conformance suite on PostgreSQL, one fresh database per test; runs only when
/// `GAVEL_TEST_POSTGRES_URL` is set. Serialized: each test opens its own pools and database.
@Suite("PostgreSQL store conformance", .enabled(if: PostgresTestServer.isEnabled), .serialized)
struct PostgresStoreConformanceTests {
    private func run(_ test: (PostgresHarness) async throws -> Void) async throws {
        try await PostgresHarness.with(test)
    }

    @Test func configCRUD() async throws { try await run(StorageConformance.configCRUD) }
    @Test func configPersistsAcrossReopen() async throws { try await run(StorageConformance.configPersistsAcrossReopen) }
    @Test func settingsRoundTrip() async throws { try await run(StorageConformance.settingsRoundTrip) }
    @Test func apiKeys() async throws { try await run(StorageConformance.apiKeys) }

    @Test func insertAndReadPendingLead() async throws { try await run(StorageConformance.insertAndReadPendingLead) }
    @Test func dedupe() async throws { try await run(StorageConformance.dedupe) }
    @Test func dedupeIgnoresTestRejectedAndDuplicateLeads() async throws {
        try await run(StorageConformance.dedupeIgnoresTestRejectedAndDuplicateLeads)
    }
    @Test func dedupeMatchesWholeKeys() async throws { try await run(StorageConformance.dedupeMatchesWholeKeys) }
    @Test func concurrentDedupe() async throws { try await run(StorageConformance.concurrentDedupe) }
    @Test func recordOutcomeRoundTrip() async throws { try await run(StorageConformance.recordOutcomeRoundTrip) }
    @Test func recordOutcomeOnceForKnownLeads() async throws { try await run(StorageConformance.recordOutcomeOnceForKnownLeads) }
    @Test func ledgerBalances() async throws { try await run(StorageConformance.ledgerBalances) }
    @Test func lastSales() async throws { try await run(StorageConformance.lastSales) }
    @Test func reconcile() async throws { try await run(StorageConformance.reconcile) }
    @Test func groupCommit() async throws { try await run(StorageConformance.groupCommit) }
    @Test func groupCommitIsolatesFailures() async throws { try await run(StorageConformance.groupCommitIsolatesFailures) }

    @Test func concurrentHoldsRespectDailyLeads() async throws { try await run(StorageConformance.concurrentHoldsRespectDailyLeads) }
    @Test func weeklyAndMonthlyCaps() async throws { try await run(StorageConformance.weeklyAndMonthlyCaps) }
    @Test func spendCap() async throws { try await run(StorageConformance.spendCap) }
    @Test func buyerCredit() async throws { try await run(StorageConformance.buyerCredit) }
    @Test func testHoldsCountNothing() async throws { try await run(StorageConformance.testHoldsCountNothing) }
    @Test func aSaleBelowItsHoldSettlesTheDifference() async throws { try await run(StorageConformance.aSaleBelowItsHoldSettlesTheDifference) }
    @Test func usagePersistsAcrossReopen() async throws { try await run(StorageConformance.usagePersistsAcrossReopen) }

    @Test func heldPingRoundTrip() async throws { try await run(StorageConformance.heldPingRoundTrip) }
    @Test func claimOutcomes() async throws { try await run(StorageConformance.claimOutcomes) }
    @Test func concurrentClaims() async throws { try await run(StorageConformance.concurrentClaims) }

    @Test func suppressions() async throws { try await run(StorageConformance.suppressions) }
    @Test func millionSuppressions() async throws { try await run(StorageConformance.millionSuppressions) }

    @Test func returnReversesTheSale() async throws { try await run(StorageConformance.returnReversesTheSale) }
    @Test func returnIsOnlyForTheBuyer() async throws { try await run(StorageConformance.returnIsOnlyForTheBuyer) }
    @Test func returnWindow() async throws { try await run(StorageConformance.returnWindow) }
    @Test func returnRate() async throws { try await run(StorageConformance.returnRate) }
    @Test func returnOfASharedLead() async throws { try await run(StorageConformance.returnOfASharedLead) }
    @Test func concurrentReturnsApproveOnce() async throws { try await run(StorageConformance.concurrentReturnsApproveOnce) }
    @Test func conversions() async throws { try await run(StorageConformance.conversions) }
    @Test func payments() async throws { try await run(StorageConformance.payments) }
    @Test func auditFindsTampering() async throws { try await run(StorageConformance.auditFindsTampering) }
    @Test func boughtLeads() async throws { try await run(StorageConformance.boughtLeads) }

    @Test func idempotencyKeys() async throws { try await run(StorageConformance.idempotencyKeys) }
    @Test func idempotencyKeysSurviveReopening() async throws { try await run(StorageConformance.idempotencyKeysSurviveReopening) }
    @Test func concurrentIdempotencyClaims() async throws { try await run(StorageConformance.concurrentIdempotencyClaims) }
    @Test func purgesOldKeysAndExpiredPings() async throws { try await run(StorageConformance.purgesOldKeysAndExpiredPings) }

    @Test func reportCountsEveryFact() async throws { try await run(StorageConformance.reportCountsEveryFact) }
    @Test func reportKeysAndScopes() async throws { try await run(StorageConformance.reportKeysAndScopes) }
    @Test func reportCountsReturnsAndConversions() async throws { try await run(StorageConformance.reportCountsReturnsAndConversions) }
    @Test func reportCountsReconciledLeads() async throws { try await run(StorageConformance.reportCountsReconciledLeads) }
    @Test func importRefusesExistingLeads() async throws { try await run(StorageConformance.importRefusesExistingLeads) }
    @Test func reportsMatchTheModel() async throws { try await run(StorageConformance.reportsMatchTheModel) }
    @Test func importMatchesTheNormalPath() async throws {
        try await run { normal in
            try await PostgresHarness.with { imported in try await StorageConformance.importMatchesTheNormalPath(normal, imported) }
        }
    }
}
