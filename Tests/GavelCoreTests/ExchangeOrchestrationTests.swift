import GavelCore
import GavelStoreSupport
import GavelTesting
import Testing

/// The exchange's orchestration — the deadline, late answers, the post deadline, the cascade,
/// the direct fallback and cap holds — on the in-memory store with a manual clock: every
/// deadline comes exactly when the test moves the clock, so nothing here waits or depends on
/// how busy the machine is.
@Suite("Exchange orchestration on the in-memory store and a manual clock")
struct ExchangeOrchestrationTests {
    /// An exchange over an in-memory store, a scripted gateway and a manual clock.
    struct Harness {
        let clock = ManualClock()
        let store: InMemoryStore
        let gateway: ScriptedGateway
        let exchange: Exchange<ManualClock>
        let market: MarketCache
        let consumers = Locked(0)

        init(_ campaigns: [Campaign], combinesLeadWrites: Bool = true) {
            store = InMemoryStore(
                clock: ManualWallClock(Timestamp(milliseconds: 1_767_225_600_000)), combinesLeadWrites: combinesLeadWrites)
            gateway = ScriptedGateway(clock: clock, personalFields: BuiltInVerticals.autoInsurance.piiFieldNames)
            let vertical = BuiltInVerticals.autoInsurance
            let buyers = Dictionary(uniqueKeysWithValues: campaigns.map { ($0.buyerID, Buyer(id: $0.buyerID, name: $0.buyerID)) })
            let config = MarketConfig(
                verticals: [vertical.id: vertical], sellers: ["S1": Seller(id: "S1", name: "S1", alias: "s-1", revenueShare: Rate("1"))],
                buyers: buyers, campaigns: Dictionary(uniqueKeysWithValues: campaigns.map { ($0.id, $0) }))
            market = MarketCache(config)
            exchange = Exchange(
                Exchange.Dependencies(
                    store: store, gateway: gateway, market: market, wallClock: ManualWallClock(Timestamp(milliseconds: 1_767_225_600_000)),
                    clock: clock, hasher: SHA256ContactHasher()))
        }

        /// Replaces the settings.
        func configure(_ settings: Settings) {
            market.update { $0.settings = settings }
        }

        /// Submits a lead of a new consumer and moves the clock by each step once `sleepers`
        /// tasks wait on it.
        func sell(advancing steps: [(sleepers: Int, by: Duration)] = []) async throws -> LeadResult {
            var lead = Self.lead
            let number = consumers.withLock { count in
                defer { count += 1 }
                return count
            }
            lead.fields["phone"] = .string("415\(2_000_000 + number)")
            async let result = exchange.submit(lead, sellerID: "S1")
            for step in steps {
                await clock.waitForSleepers(step.sleepers)
                await clock.advance(by: step.by)
            }
            return try await result
        }

        /// The stored lead of a result.
        func storedLead(_ result: LeadResult) async throws -> Lead {
            try #require(try await store.lead(id: result.leadID)).lead
        }

        /// The lead's ping and post records.
        func records(_ result: LeadResult) async throws -> (pings: [String: PingRecord], posts: [PostRecord]) {
            let outcome = try #require(try await store.lead(id: result.leadID)?.outcome)
            return (Dictionary(uniqueKeysWithValues: outcome.pings.map { ($0.campaignID, $0) }), outcome.posts)
        }

        static let lead = LeadSubmission(
            vertical: "auto_insurance", source: "test",
            fields: ["zip": "94105", "state": "CA", "age": 40, "first_name": "Ada", "last_name": "Lovelace", "phone": "4155550100"],
            consent: ["tcpa_text": "I agree"])
    }

    static func remote(_ id: String, tmaxMS: Int? = nil, postTimeoutMS: Int = 5_000, caps: Campaign.Caps = Campaign.Caps()) -> Campaign {
        let delivery = Campaign.Delivery(
            mode: .remote, pingURL: "https://\(id).example/ping", postURL: "https://\(id).example/post", timeoutMS: tmaxMS,
            postTimeoutMS: postTimeoutMS)
        return Campaign(id: id, buyerID: "buyer-\(id)", vertical: "auto_insurance", delivery: delivery, caps: caps)
    }

    @Test func theDeadlineClosesTheAuctionWithoutWaitingForASilentBuyer() async throws {
        let harness = Harness([Self.remote("prompt"), Self.remote("silent")])
        harness.gateway.script("prompt", ping: .bid(Money(cents: 1_000)))
        harness.gateway.script("silent", ping: .silent)
        // The silent buyer's call and the deadline sleep; 250 ms (the default tmax) later the
        // auction closes with the prompt buyer's bid.
        let result = try await harness.sell(advancing: [(2, .milliseconds(250))])
        #expect(result.status == .sold && result.buyer == "prompt" && result.price == Money(cents: 1_000))
        let silent = try #require(try await harness.records(result).pings["silent"]?.answer)
        #expect(silent.kind == .timeout && silent.detail == "no answer by the deadline" && silent.latencyMicros == 250_000)
        #expect(harness.clock.sleepers == 0, "the silent call was cancelled, not left running")
    }

    @Test func twentyBuyersArePingedAtOnce() async throws {
        let campaigns = (1...20).map { Self.remote("b\($0)") }
        let harness = Harness(campaigns)
        for (index, campaign) in campaigns.enumerated() {
            harness.gateway.script(campaign.id, ping: .bidAfter(.milliseconds(100), Money(cents: Int64(500 + index))))
        }
        async let result = harness.exchange.submit(Harness.lead, sellerID: "S1")
        await harness.clock.waitForSleepers(21)
        #expect(harness.clock.sleepers == 21, "all twenty calls wait at once, beside the deadline")
        await harness.clock.advance(by: .milliseconds(100))
        let sold = try await result
        #expect(sold.buyer == "b20" && sold.price == Money(cents: 519), "one 100 ms step answered them all")
    }

    @Test func anAnswerAfterItsOwnDeadlineIsLateEvenBeforeTheLastDeadline() async throws {
        let harness = Harness([Self.remote("quick", tmaxMS: 100), Self.remote("patient", tmaxMS: 300)])
        harness.gateway.script("quick", ping: .bidAfter(.milliseconds(150), Money(cents: 5_000)))
        harness.gateway.script("patient", ping: .bidAfter(.milliseconds(200), Money(cents: 800)))
        // Sleeping: both buyers and the two deadlines. At 100 ms the quick one's deadline
        // passes; it answers at 150 ms, late; the patient one answers in time at 200 ms.
        let result = try await harness.sell(advancing: [(4, .milliseconds(100)), (3, .milliseconds(50)), (2, .milliseconds(50))])
        #expect(result.buyer == "patient" && result.price == Money(cents: 800), "a late bid of $50 cannot win")
        let quick = try #require(try await harness.records(result).pings["quick"]?.answer)
        #expect(quick.kind == .timeout && quick.detail == "answered after the deadline" && quick.latencyMicros == 150_000)
    }

    @Test func aSilentPostTimesOutAtThePostDeadlineAndTheLeadCascades() async throws {
        let harness = Harness([Self.remote("winner", postTimeoutMS: 500), Self.remote("runner-up")])
        harness.gateway.script("winner", ping: .bid(Money(cents: 2_000)))
        harness.gateway.script("winner", post: .silent)
        harness.gateway.script("runner-up", ping: .bid(Money(cents: 1_500)))
        // Both pings answer at once; the winner's post and its deadline sleep until 500 ms.
        let result = try await harness.sell(advancing: [(2, .milliseconds(500))])
        #expect(result.buyer == "runner-up" && result.price == Money(cents: 1_500))
        let posts = try await harness.records(result).posts
        #expect(posts.map(\.campaignID) == ["winner", "runner-up"])
        #expect(posts.first?.outcome == .rejected && posts.first?.reason == "timeout" && posts.first?.latencyMicros == 500_000)
    }

    @Test func aRejectedPostCascadesAndGivesItsCapSlotBack() async throws {
        let caps = Campaign.Caps(dailyLeads: 1)
        let harness = Harness([Self.remote("picky", caps: caps), Self.remote("steady", caps: caps)])
        harness.gateway.script("picky", ping: .bid(Money(cents: 3_000)))
        harness.gateway.script("picky", post: .reject("outside footprint"))
        harness.gateway.script("steady", ping: .bid(Money(cents: 2_000)))
        let result = try await harness.sell()
        #expect(result.buyer == "steady" && result.price == Money(cents: 2_000))
        let periods = caps.periods(at: Timestamp(milliseconds: 1_767_225_600_000))
        let usage = try await harness.store.capUsage(["picky": periods, "steady": periods])
        #expect(usage["picky"]?.dayLeads == 0, "the rejected post's hold was released")
        #expect(usage["steady"]?.dayLeads == 1)
    }

    @Test func whenEveryBidderRejectsTheDirectCampaignBuys() async throws {
        let direct = Campaign(
            id: "direct", buyerID: "buyer-direct", vertical: "auto_insurance",
            delivery: Campaign.Delivery(mode: .direct, postURL: "https://direct.example/post"), price: Money(cents: 500))
        let harness = Harness([Self.remote("picky"), direct])
        harness.gateway.script("picky", ping: .bid(Money(cents: 3_000)))
        harness.gateway.script("picky", post: .reject("duplicate consumer"))
        let result = try await harness.sell()
        #expect(result.status == .sold && result.buyer == "direct" && result.price == Money(cents: 500))
        #expect(try await harness.records(result).posts.last?.origin == .direct)
    }

    /// Two leads of one consumer at once. Stored at its first write (the default), each passes
    /// the dedupe read; the one written second becomes the duplicate before its post leaves and
    /// gives its cap slot back. Stored on arrival, the second is a duplicate at once and never
    /// pinged.
    @Test(arguments: [true, false])
    func aSecondLeadOfTheSameConsumerInFlightIsADuplicateAndNeverPosted(_ combining: Bool) async throws {
        let caps = Campaign.Caps(dailyLeads: 5)
        let harness = Harness([Self.remote("slow", caps: caps)], combinesLeadWrites: combining)
        harness.gateway.script("slow", ping: .bidAfter(.milliseconds(100), Money(cents: 1_000)))
        async let first = harness.exchange.submit(Harness.lead, sellerID: "S1")
        async let second = harness.exchange.submit(Harness.lead, sellerID: "S1")
        // Each auction in flight sleeps twice: its buyer's call and its deadline.
        await harness.clock.waitForSleepers(combining ? 4 : 2)
        await harness.clock.advance(by: .milliseconds(100))
        let statuses = try await [first.status, second.status]
        #expect(statuses.filter { $0 == .sold }.count == 1 && statuses.filter { $0 == .duplicate }.count == 1, "\(statuses)")
        let calls = harness.gateway.calls
        #expect(calls.filter { $0.kind == "post" }.count == 1, "the duplicate was never posted")
        #expect(calls.filter { $0.kind == "ping" }.count == (combining ? 2 : 1))
        let usage = try await harness.store.capUsage(["slow": caps.periods(at: Timestamp(milliseconds: 1_767_225_600_000))])
        #expect(usage["slow"]?.dayLeads == 1, "the duplicate's hold was given back")
    }

    /// With hosted campaigns only, the lead is written once, with its outcome; stored on
    /// arrival it is written twice. Either way it reads back sold, with its pings.
    @Test(arguments: [true, false])
    func aHostedSaleIsStoredWithItsOutcome(_ combining: Bool) async throws {
        var hosted = Campaign(id: "inbox", buyerID: "buyer-inbox", vertical: "auto_insurance", delivery: Campaign.Delivery(mode: .hosted))
        hosted.bid = BidPolicy(base: Money(cents: 700))
        hosted.caps = Campaign.Caps(dailyLeads: 10)
        let harness = Harness([hosted], combinesLeadWrites: combining)
        let result = try await harness.sell()
        #expect(result.status == .sold && result.price == Money(cents: 700))
        #expect(try await harness.records(result).pings["inbox"]?.answer.kind == .hosted)
        #expect(try await harness.store.original(of: harness.storedLead(result), since: Timestamp(milliseconds: 0)) == result.leadID)
        // The same consumer twice more: with no remote buyer there is no read first; the write
        // finds the duplicate and the auction's hold is given back.
        let again = try await harness.exchange.submit(Harness.lead, sellerID: "S1")
        let twice = try await harness.exchange.submit(Harness.lead, sellerID: "S1")
        #expect(again.status == .sold && twice.status == .duplicate)
        #expect(try await harness.store.lead(id: twice.leadID)?.status == .duplicate)
        let usage = try await harness.store.capUsage(["inbox": hosted.caps.periods(at: Timestamp(milliseconds: 1_767_225_600_000))])
        #expect(usage["inbox"]?.dayLeads == 2, "two sales, and the duplicate's hold released")
    }

    /// A buyer whose suppression list holds the consumer is never pinged, whether the store
    /// reads the lists as it stores the lead on arrival or in a read of their own.
    @Test(arguments: [true, false])
    func aSuppressingBuyerIsNotPinged(_ combining: Bool) async throws {
        let harness = Harness([Self.remote("insurer"), Self.remote("other")], combinesLeadWrites: combining)
        harness.gateway.script("insurer", ping: .bid(Money(cents: 2_000)))
        harness.gateway.script("other", ping: .bid(Money(cents: 1_000)))
        let phone = SHA256ContactHasher().sha256Hex("1" + "4152000000")
        _ = try await harness.store.addSuppressions(buyerID: "buyer-insurer", hashes: [phone])
        let result = try await harness.sell()
        #expect(result.status == .sold && result.buyer == "other", "\(result)")
        #expect(!harness.gateway.calls.contains { $0.campaignID == "insurer" })
        #expect(harness.store.suppressionReads.withLock { $0 } == (combining ? 1 : 0), "read with the insert when stored on arrival")
    }

    @Test func pingsCarryNoPersonalDataAndOnlyTheWinnersPostDoes() async throws {
        let harness = Harness([Self.remote("a"), Self.remote("b")])
        harness.gateway.script("a", ping: .bid(Money(cents: 900)))
        harness.gateway.script("b", ping: .bid(Money(cents: 700)))
        _ = try await harness.sell()
        let calls = harness.gateway.calls
        #expect(calls.filter { $0.kind == "ping" }.count == 2 && calls.allSatisfy { $0.kind == "post" || !$0.carriedPersonalData })
        #expect(calls.filter { $0.kind == "post" }.map(\.campaignID) == ["a"] && calls.last?.carriedPersonalData == true)
    }
}
