import GavelCore
import GavelTesting
import Testing

/// The storage conformance suite, written once (`StorageConformance`) and run over every
/// backend: each check is one test with a case per ``Backend`` — in-memory, SQLite, and
/// PostgreSQL when `GAVEL_TEST_POSTGRES_URL` is set — each case on a fresh database.
///
/// Every check runs on every backend; none is limited:
/// - "Reopen" checks (`configPersistsAcrossReopen`, `usagePersistsAcrossReopen`,
///   `idempotencyKeysSurviveReopening`, and those that reopen at their end) open the store
///   again through the harness: a new SQLite connection on the same file, a restarted
///   PostgreSQL node, or for the in-memory store a simulated restart
///   (`InMemoryStore.reopened()`: everything but outstanding cap holds survives), so they check
///   the same promise of what a restart keeps.
/// - The group-commit checks (`groupCommit`, `groupCommitIsolatesFailures`) check what callers
///   see of concurrent writes — all stored, and a failing write failing alone — which holds
///   whether writes share transactions (SQLite), run on a pool (PostgreSQL) or one lock (in
///   memory).
/// - `auditFindsTampering` changes a ledger entry behind the store's back: raw SQL for the
///   database stores, `InMemoryStore.tamperWithLedgerForTesting` in memory.
/// - The chain checks seal with `sealChain()` where a background sealer would (PostgreSQL;
///   the inline stores return 0), and tamper through the harness: raw SQL for the database
///   stores, the in-memory store's `…ForTesting` methods.
@Suite("Storage conformance", .heavy)
struct StorageConformanceTests {
    // MARK: Configuration and API keys

    @Test(arguments: Backend.available) func configCRUD(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.configCRUD($0) }
    }
    @Test(arguments: Backend.available) func configPersistsAcrossReopen(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.configPersistsAcrossReopen($0) }
    }
    @Test(arguments: Backend.available) func settingsRoundTrip(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.settingsRoundTrip($0) }
    }
    @Test(arguments: Backend.available) func sellerStatusRoundTrip(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.sellerStatusRoundTrip($0) }
    }
    @Test(arguments: Backend.available) func apiKeys(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.apiKeys($0) }
    }

    // MARK: Leads

    @Test(arguments: Backend.available) func insertAndReadPendingLead(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.insertAndReadPendingLead($0) }
    }
    @Test(arguments: Backend.available) func dedupe(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.dedupe($0) }
    }
    @Test(arguments: Backend.available) func dedupeIgnoresTestRejectedAndDuplicateLeads(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.dedupeIgnoresTestRejectedAndDuplicateLeads($0) }
    }
    @Test(arguments: Backend.available) func dedupeMatchesWholeKeys(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.dedupeMatchesWholeKeys($0) }
    }
    @Test(arguments: Backend.available) func concurrentDedupe(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.concurrentDedupe($0) }
    }
    @Test(arguments: Backend.available) func recordOutcomeRoundTrip(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.recordOutcomeRoundTrip($0) }
    }
    @Test(arguments: Backend.available) func insertLeadWithItsFollowUp(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.insertLeadWithItsFollowUp($0) }
    }
    @Test(arguments: Backend.available) func recordOutcomeOnceForKnownLeads(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.recordOutcomeOnceForKnownLeads($0) }
    }
    @Test(arguments: Backend.available) func ledgerBalances(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.ledgerBalances($0) }
    }
    @Test(arguments: Backend.available) func lastSales(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.lastSales($0) }
    }
    @Test(arguments: Backend.available) func reconcile(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.reconcile($0) }
    }
    @Test(arguments: Backend.available) func reconcileSomeLeads(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.reconcileSomeLeads($0) }
    }
    @Test(arguments: Backend.available) func releaseGivesBackOnlyOutstandingHolds(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.releaseGivesBackOnlyOutstandingHolds($0) }
    }
    @Test(arguments: Backend.available) func checkWritable(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.checkWritable($0) }
    }
    @Test(arguments: Backend.available) func groupCommit(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.groupCommit($0) }
    }
    @Test(arguments: Backend.available) func groupCommitIsolatesFailures(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.groupCommitIsolatesFailures($0) }
    }

    // MARK: Caps and credit

    @Test(arguments: Backend.available) func concurrentHoldsRespectDailyLeads(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.concurrentHoldsRespectDailyLeads($0) }
    }
    @Test(arguments: Backend.available) func weeklyAndMonthlyCaps(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.weeklyAndMonthlyCaps($0) }
    }
    @Test(arguments: Backend.available) func spendCap(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.spendCap($0) }
    }
    @Test(arguments: Backend.available) func buyerCredit(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.buyerCredit($0) }
    }
    @Test(arguments: Backend.available) func testHoldsCountNothing(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.testHoldsCountNothing($0) }
    }
    @Test(arguments: Backend.available) func holdMarkingPosting(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.holdMarkingPosting($0) }
    }
    @Test(arguments: Backend.available) func aSaleBelowItsHoldSettlesTheDifference(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.aSaleBelowItsHoldSettlesTheDifference($0) }
    }
    @Test(arguments: Backend.available) func usagePersistsAcrossReopen(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.usagePersistsAcrossReopen($0) }
    }

    // MARK: Held pings

    @Test(arguments: Backend.available) func heldPingRoundTrip(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.heldPingRoundTrip($0) }
    }
    @Test(arguments: Backend.available) func claimOutcomes(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.claimOutcomes($0) }
    }
    @Test(arguments: Backend.available) func concurrentClaims(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.concurrentClaims($0) }
    }

    // MARK: Suppressions

    @Test(arguments: Backend.available) func suppressions(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.suppressions($0) }
    }
    @Test(arguments: Backend.available) func insertReadingSuppressions(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.insertReadingSuppressions($0) }
    }
    @Test(arguments: Backend.available) func millionSuppressions(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.millionSuppressions($0) }
    }

    // MARK: Money

    @Test(arguments: Backend.available) func returnReversesTheSale(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.returnReversesTheSale($0) }
    }
    @Test(arguments: Backend.available) func returnIsOnlyForTheBuyer(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.returnIsOnlyForTheBuyer($0) }
    }
    @Test(arguments: Backend.available) func returnWindow(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.returnWindow($0) }
    }
    @Test(arguments: Backend.available) func returnRate(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.returnRate($0) }
    }
    @Test(arguments: Backend.available) func returnOfASharedLead(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.returnOfASharedLead($0) }
    }
    @Test(arguments: Backend.available) func concurrentReturnsApproveOnce(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.concurrentReturnsApproveOnce($0) }
    }
    @Test(arguments: Backend.available) func conversions(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.conversions($0) }
    }
    @Test(arguments: Backend.available) func payments(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.payments($0) }
    }
    @Test(arguments: Backend.available) func auditFindsTampering(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.auditFindsTampering($0) }
    }
    @Test(arguments: Backend.available) func boughtLeads(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.boughtLeads($0) }
    }

    // MARK: The books' hash chain

    @Test(arguments: Backend.available) func chainSealsEveryRecord(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.chainSealsEveryRecord($0) }
    }
    @Test(arguments: Backend.available) func chainCatchesABalancedEdit(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.chainCatchesABalancedEdit($0) }
    }
    @Test(arguments: Backend.available) func chainCatchesEditedAndDeletedLinks(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.chainCatchesEditedAndDeletedLinks($0) }
    }
    @Test(arguments: Backend.available) func chainCatchesReorderedLinks(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.chainCatchesReorderedLinks($0) }
    }
    @Test(arguments: Backend.available) func configChangesAreChained(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.configChangesAreChained($0) }
    }
    @Test(arguments: Backend.available) func concurrentWritesMakeOneChain(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.concurrentWritesMakeOneChain($0) }
    }

    // MARK: Idempotency and housekeeping

    @Test(arguments: Backend.available) func idempotencyKeys(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.idempotencyKeys($0) }
    }
    @Test(arguments: Backend.available) func idempotencyKeysSurviveReopening(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.idempotencyKeysSurviveReopening($0) }
    }
    @Test(arguments: Backend.available) func concurrentIdempotencyClaims(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.concurrentIdempotencyClaims($0) }
    }
    @Test(arguments: Backend.available) func purgesOldKeysAndExpiredPings(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.purgesOldKeysAndExpiredPings($0) }
    }

    // MARK: Privacy

    @Test(arguments: Backend.available) func contactKeySecretIsStable(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.contactKeySecretIsStable($0) }
    }
    @Test(arguments: Backend.available) func erasureRemovesPersonalDataAndKeepsTheBooks(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.erasureRemovesPersonalDataAndKeepsTheBooks($0) }
    }
    @Test(arguments: Backend.available) func erasureOfNobodyIsRecorded(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.erasureOfNobodyIsRecorded($0) }
    }
    @Test(arguments: Backend.available) func retentionErasesOldLeadsInBatches(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.retentionErasesOldLeadsInBatches($0) }
    }
    @Test(arguments: Backend.available) func erasureScrubsTheWebhookOutbox(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.erasureScrubsTheWebhookOutbox($0) }
    }

    // MARK: Reports and import

    @Test(arguments: Backend.available) func reportCountsEveryFact(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.reportCountsEveryFact($0) }
    }
    @Test(arguments: Backend.available) func reportKeysAndScopes(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.reportKeysAndScopes($0) }
    }
    @Test(arguments: Backend.available) func reportCountsReturnsAndConversions(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.reportCountsReturnsAndConversions($0) }
    }
    @Test(arguments: Backend.available) func reportCountsReconciledLeads(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.reportCountsReconciledLeads($0) }
    }
    @Test(arguments: Backend.available) func importRefusesExistingLeads(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.importRefusesExistingLeads($0) }
    }
    @Test(arguments: Backend.available) func reportsMatchTheModel(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.reportsMatchTheModel($0) }
    }
    @Test(arguments: Backend.available) func bidFactsAndAuctionNotes(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.bidFactsAndAuctionNotes($0) }
    }
    @Test(arguments: Backend.available) func importMatchesTheNormalPath(_ backend: Backend) async throws {
        try await backend.run { normal, imported in try await StorageConformance.importMatchesTheNormalPath(normal, imported) }
    }

    // MARK: Webhooks

    @Test(arguments: Backend.available) func webhookCRUD(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.webhookCRUD($0) }
    }
    @Test(arguments: Backend.available) func outcomeWritesItsWebhookMessages(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.outcomeWritesItsWebhookMessages($0) }
    }
    @Test(arguments: Backend.available) func webhookOnceKeys(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.webhookOnceKeys($0) }
    }
    @Test(arguments: Backend.available) func returnsAndConversionsWriteTheirEvents(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.returnsAndConversionsWriteTheirEvents($0) }
    }
    @Test(arguments: Backend.available) func webhookClaimsAndLeases(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.webhookClaimsAndLeases($0) }
    }
    @Test(arguments: Backend.available) func concurrentWebhookClaims(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.concurrentWebhookClaims($0) }
    }
    @Test(arguments: Backend.available) func webhookRedeliveryAndHousekeeping(_ backend: Backend) async throws {
        try await backend.run { try await StorageConformance.webhookRedeliveryAndHousekeeping($0) }
    }
}
