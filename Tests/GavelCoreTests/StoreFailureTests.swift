import GavelCore
import GavelStoreSupport
import GavelTesting
import Testing

/// The database going away in the middle of a lead's sale: the seller never gets a result for
/// a lead whose outcome was not written, and once the database is back the lead is marked
/// (`review` when a post had been sent, as after a crash) and its cap holds come back.
@Suite("Store failures in the middle of a sale")
struct StoreFailureTests {
    /// A buyer that bids 10.00 on every ping and, when posted to, first takes the database down
    /// (as if it went away while the buyer thought), then answers as told.
    final class OutageBuyer: BuyerGateway {
        let store: InMemoryStore
        let accepts: Bool

        init(store: InMemoryStore, accepts: Bool) {
            self.store = store
            self.accepts = accepts
        }

        func ping(_ request: PingRequest, campaign: Campaign) async -> PingAnswer {
            PingAnswer(kind: .bid, bid: Money(cents: 1_000))
        }

        func post(_ request: PostRequest, campaign: Campaign) async -> PostAnswer {
            store.simulateOutage(true)
            return accepts ? .accepted : PostAnswer(outcome: .rejected, reason: "not today")
        }
    }

    struct Harness {
        let store = InMemoryStore(clock: ManualWallClock(now))
        let exchange: Exchange<ManualClock>
        let campaign = ExchangeOrchestrationTests.remote("acme", caps: Campaign.Caps(dailyLeads: 1))

        init(accepts: Bool) {
            let vertical = BuiltInVerticals.autoInsurance
            let config = MarketConfig(
                verticals: [vertical.id: vertical], sellers: ["S1": Seller(id: "S1", name: "S1", alias: "s-1", revenueShare: Rate("1"))],
                buyers: [campaign.buyerID: Buyer(id: campaign.buyerID, name: "Acme")], campaigns: [campaign.id: campaign])
            exchange = Exchange(
                Exchange.Dependencies(
                    store: store, gateway: OutageBuyer(store: store, accepts: accepts), market: MarketCache(config),
                    wallClock: ManualWallClock(Self.now), clock: ManualClock(), hasher: SHA256ContactHasher()))
        }

        static let now = Timestamp(milliseconds: 1_767_225_600_000)

        var dayLeads: Int {
            get async throws {
                let periods = campaign.caps.periods(at: Self.now)
                return try await store.capUsage([campaign.id: periods])[campaign.id]?.dayLeads ?? -1
            }
        }

        func repair() async -> InterruptedLeads.Repair {
            await exchange.interrupted.repair(store, now: Self.now.adding(milliseconds: 5_000))
        }
    }

    @Test func aSaleWhoseOutcomeCannotBeWrittenIsNotAnsweredAndIsMarkedForReviewOnceTheDatabaseIsBack() async throws {
        let harness = Harness(accepts: true)
        await #expect(throws: StorageError.self) {
            try await harness.exchange.submit(ExchangeOrchestrationTests.Harness.lead, sellerID: "S1")
        }
        let waiting = harness.exchange.interrupted.waiting
        #expect(waiting.count == 1 && waiting.values.first?.count == 1, "the lead waits with its hold: \(waiting)")
        let leadID = try #require(waiting.keys.first)

        // Still down: nothing changes, the lead keeps waiting.
        let stillDown = await harness.repair()
        #expect(stillDown.waiting == 1 && stillDown.failure != nil && stillDown.review + stillDown.holds == 0)
        harness.store.simulateOutage(false)
        #expect(try await harness.dayLeads == 1, "the hold of the unrecorded sale still counts")

        #expect(await harness.repair() == InterruptedLeads.Repair(review: 1, holds: 1))
        #expect(try await harness.dayLeads == 0, "the hold came back")
        let stored = try #require(try await harness.store.lead(id: leadID))
        #expect(stored.status == .review && stored.outcome?.reason == "interrupted")
        #expect(harness.exchange.interrupted.count == 0)
        #expect(await harness.repair().isEmpty)
    }

    @Test func aRejectedPostWhoseReleaseFailsGivesTheHoldBackOnRepair() async throws {
        let harness = Harness(accepts: false)
        await #expect(throws: StorageError.self) {
            try await harness.exchange.submit(ExchangeOrchestrationTests.Harness.lead, sellerID: "S1")
        }
        #expect(harness.exchange.interrupted.waiting.values.first?.count == 1)
        harness.store.simulateOutage(false)
        #expect(try await harness.dayLeads == 1)
        #expect(await harness.repair() == InterruptedLeads.Repair(review: 1, holds: 1))
        #expect(try await harness.dayLeads == 0)
        // A second release of the same hold (say, a repair repeated) gives nothing back twice.
        let periods = harness.campaign.caps.periods(at: Harness.now)
        let hold = CapHold(
            campaignID: "acme", buyerID: harness.campaign.buyerID, caps: harness.campaign.caps, periods: periods,
            price: Money(cents: 1_000), balanceLimit: nil)
        try await harness.store.release(hold)
        #expect(try await harness.dayLeads == 0)
    }

    @Test func aLeadRefusedAtTheDoorIsNotedAndClearedWithoutAChange() async throws {
        let harness = Harness(accepts: true)
        harness.store.simulateOutage(true)
        await #expect(throws: StorageError.unavailable("the in-memory store simulates an outage")) {
            try await harness.exchange.submit(ExchangeOrchestrationTests.Harness.lead, sellerID: "S1")
        }
        harness.store.simulateOutage(false)
        #expect(await harness.repair() == InterruptedLeads.Repair(untouched: 1))
        #expect(try await harness.dayLeads == 0)
    }
}
