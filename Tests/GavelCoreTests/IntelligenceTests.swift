import GavelCore
import GavelStoreSupport
import GavelTesting
import Testing

@Suite("Learned floors")
struct FloorLearnerTests {
    static let learning = FloorLearning(mode: .on, exploration: .zero, minSamples: 20)

    static func single(_ cents: Int64) -> FloorObservation { FloorObservation(top: Money(cents: cents), second: .zero) }

    @Test func aLoneBidderUnderSecondPricePaysTheFloorSoTheFloorRisesTowardItsBid() {
        let window = (0..<200).map { Self.single(1_800 + Int64($0 % 5) * 100) }  // $18 … $22, always alone
        let floor = FloorLearner.estimate(window, staticFloor: Money(cents: 200), learning: Self.learning, kind: .secondPrice)
        // Unshrunk the best floor is $18 (everyone fills); 200 of 220 weight keeps most of the lift.
        #expect(floor > Money(cents: 1_500) && floor <= Money(cents: 1_800), "\(floor)")
    }

    @Test func underFirstPriceAFloorOnlyLosesSalesSoTheStaticFloorStays() {
        let window = (0..<200).map { Self.single(1_800 + Int64($0 % 5) * 100) }
        #expect(
            FloorLearner.estimate(window, staticFloor: Money(cents: 200), learning: Self.learning, kind: .firstPrice) == Money(cents: 200))
    }

    @Test func theFillRateGuardRailKeepsNinetyPercentOfTheStaticFloorsFill() {
        // Half the leads have one $3 bid, half one $20 bid: a $20 floor doubles revenue per sale
        // but fills half, so it is refused; nothing above $3 keeps 90 %.
        let window = (0..<200).map { Self.single($0 % 2 == 0 ? 300 : 2_000) }
        let floor = FloorLearner.estimate(window, staticFloor: Money(cents: 200), learning: Self.learning, kind: .secondPrice)
        #expect(floor <= Money(cents: 300), "\(floor)")
    }

    @Test func thickSegmentsBarelyMove() {
        // Eight bidders: the second bid sets the price, a floor under it changes nothing.
        let window = (0..<200).map { _ in FloorObservation(top: Money(cents: 2_500), second: Money(cents: 2_400)) }
        let floor = FloorLearner.estimate(window, staticFloor: Money(cents: 200), learning: Self.learning, kind: .secondPrice)
        let staticPayment = FloorObservation(top: Money(cents: 2_500), second: Money(cents: 2_400)).payment(
            floor: Money(cents: 200), kind: .secondPrice)
        #expect(window[0].payment(floor: floor, kind: .secondPrice) == staticPayment, "a floor under the second bid costs nothing")
    }

    @Test func theMaximumCapsTheFloorAndFewLeadsPullItTowardTheStaticFloor() {
        var capped = Self.learning
        capped.maxFloor = Money(cents: 1_000)
        let window = (0..<200).map { _ in Self.single(2_000) }
        #expect(FloorLearner.estimate(window, staticFloor: Money(cents: 200), learning: capped, kind: .secondPrice) <= Money(cents: 1_000))
        let few = Array(window.prefix(20))
        let shrunk = FloorLearner.estimate(few, staticFloor: Money(cents: 200), learning: Self.learning, kind: .secondPrice)
        #expect(shrunk == Money(cents: 200 + (2_000 - 200) * 20 / 40), "20 leads against a weight of 20: half the lift")
    }

    @Test func decisionsWarmUpExploreAndExplainThemselves() {
        var learner = FloorLearner()
        let floor = Money(cents: 200)
        let cold = learner.decide(segment: "s", staticFloor: floor, learning: Self.learning, kind: .secondPrice, draw: 999_999)
        #expect(cold.source == .warmingUp && cold.floor == floor)
        for _ in 0..<40 { learner.observe(Self.single(2_000), segment: "s", settings: Self.learning) }
        let learned = learner.decide(segment: "s", staticFloor: floor, learning: Self.learning, kind: .secondPrice, draw: 999_999)
        #expect(learned.source == .learned && learned.floor > floor && learned.samples == 40)
        #expect(learned.explanation.contains("learned floor") && learned.explanation.contains("40 leads"))
        var exploring = Self.learning
        exploring.exploration = Rate(micros: 100_000)
        let explored = learner.decide(segment: "s", staticFloor: floor, learning: exploring, kind: .secondPrice, draw: 99_999)
        #expect(explored.source == .exploration && explored.floor == floor)
    }

    @Test func segmentsAreCutByTheConfiguredDimensions() {
        let learning = FloorLearning(segment: [.vertical, .state, .source])
        #expect(learning.segment(vertical: "auto", fields: ["state": "CA"], source: "fb", seller: "S1") == "auto|CA|fb")
        #expect(FloorLearning(segment: [.seller]).segment(vertical: "auto", fields: [:], source: "", seller: "S1") == "S1")
        #expect(FloorLearning(verticals: ["solar": .on]).isOn(for: "solar") && !FloorLearning(verticals: ["solar": .on]).isOn(for: "auto"))
    }

    @Test func settingsReadAndWriteTheLearningOptions() throws {
        let json: JSONValue = [
            "floor_learning": "on", "floor_learning_verticals": ["solar": "off"], "ranking": "quality",
            "floor_learning_options": [
                "segment": ["vertical", "state"], "exploration": .number(Number(text: "0.1")!),
                "min_fill_rate": .number(Number(text: "0.95")!), "max_floor": 30,
            ],
        ]
        guard case .success(let settings) = Settings.parse(json, current: Settings()) else {
            Issue.record("refused")
            return
        }
        #expect(settings.floorLearning.mode == .on && !settings.floorLearning.isOn(for: "solar") && settings.ranking == .quality)
        #expect(settings.floorLearning.segment == [.vertical, .state] && settings.floorLearning.maxFloor == Money(cents: 3_000))
        guard case .success(let again) = Settings.parse(settings.json, current: Settings()) else {
            Issue.record("round trip")
            return
        }
        #expect(again == settings)
        let bad: JSONValue = [
            "floor_learning": "maybe", "floor_learning_options": ["segment": ["zip"], "exploration": .number(Number(text: "0.9")!)],
        ]
        guard case .failure(let failure) = Settings.parse(bad, current: Settings()) else {
            Issue.record("accepted")
            return
        }
        #expect(
            Set(failure.errors.map(\.field)).isSuperset(of: [
                "floor_learning", "floor_learning_options.segment", "floor_learning_options.exploration",
            ]))
    }
}

@Suite("Quality ranking")
struct QualityRankingTests {
    static func bid(_ id: String, _ cents: Int64) -> Bid { Bid(campaignID: id, buyerID: "b-\(id)", amount: Money(cents: cents)) }

    @Test func aNewCampaignStartsFromThePriorAndItsRecordOutweighsIt() {
        var book = QualityBook()
        #expect(book.estimate("new") == QualityEstimate(accept: Rate(micros: 900_000), returned: Rate(micros: 50_000)))
        for index in 0..<90 { book.recordPost(campaignID: "flaky", outcome: index % 2 == 0 ? .accepted : .rejected) }
        #expect(book.estimate("flaky").accept == Rate(micros: (45 + 9) * 1_000_000 / 100))
        for _ in 0..<45 { book.recordReturn(campaignID: "flaky") }
        #expect(book.estimate("flaky").returned == Rate(micros: (45 + 1) * 1_000_000 / 65))
    }

    @Test func expectedRealizedValueOrdersTheBidsAndEachPaysItsOwnBid() {
        let quality = [
            "high-but-flaky": QualityEstimate(accept: Rate(micros: 500_000), returned: .zero),
            "steady": QualityEstimate(accept: Rate(micros: 950_000), returned: .zero),
        ]
        let bids = [Self.bid("high-but-flaky", 3_000), Self.bid("steady", 2_000)]
        let ranked = Auction.rank(bids, floor: Money(cents: 200), quality: quality)
        #expect(ranked.map(\.campaignID) == ["steady", "high-but-flaky"], "$20 × 0.95 beats $30 × 0.5")
        #expect(
            Auction.clearingPrices(ranked, floor: Money(cents: 200), kind: .firstPrice, quality: quality) == [
                Money(cents: 2_000), Money(cents: 3_000),
            ])
        #expect(Auction.rank(bids, floor: Money(cents: 200)).first?.campaignID == "high-but-flaky", "price ranking is unchanged")
    }

    @Test func theRejectionCostSetsHowMuchAcceptanceWeighs() {
        let flaky = QualityEstimate(accept: Rate("0.5"), returned: Rate("0.1"), rejectionCost: .one)
        #expect(flaky.factor == Rate("0.45"), "cost 1: P(accepted) × (1 − P(returned))")
        #expect(
            QualityEstimate(accept: Rate("0.5"), returned: Rate("0.1"), rejectionCost: .zero).factor == Rate("0.9"), "cost 0: returns only")
        // 0.9 × 0.5 ÷ (0.5 + 0.25 × 0.5) = 0.72
        #expect(QualityEstimate(accept: Rate("0.5"), returned: Rate("0.1"), rejectionCost: Rate("0.25")).factor == Rate("0.72"))
        #expect(QualityEstimate(accept: .zero, returned: .zero, rejectionCost: .zero).factor == .one, "never accepts, free cascade")
        #expect(QualityEstimate(accept: .zero, returned: .zero, rejectionCost: Rate("0.25")).factor == .zero)
    }

    /// The order by score is the best order of the cascade: over random small auctions, no
    /// permutation of the bids has a higher expected realized value, when a rejection loses the
    /// rejection cost's share of what the rest of the cascade would realize.
    @Test func scoreOrderMaximizesTheCascadesExpectedRealizedValue() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let cost = Rate(micros: Int64.random(in: 0...1_000_000, using: &random))
            let bids = (0..<Int.random(in: 2...4, using: &random)).map { index in
                Self.bid("c\(index)", Int64.random(in: 200...5_000, using: &random))
            }
            let quality = Dictionary(
                uniqueKeysWithValues: bids.map { bid in
                    (
                        bid.campaignID,
                        QualityEstimate(
                            accept: Rate(micros: Int64.random(in: 0...1_000_000, using: &random)),
                            returned: Rate(micros: Int64.random(in: 0...1_000_000, using: &random)), rejectionCost: cost)
                    )
                })
            let ranked = Auction.rank(bids, floor: Money(cents: 200), quality: quality)
            let best = Self.permutations(bids).map { Self.expectedValue($0, quality: quality, cost: cost) }.max() ?? 0
            let chosen = Self.expectedValue(ranked, quality: quality, cost: cost)
            #expect(chosen >= best * (1 - 1e-5), "\(ranked.map(\.campaignID)) \(chosen) < \(best)")
        }
    }

    /// The cascade's expected realized value, in cents (floating point: a test's model only).
    static func expectedValue(_ order: [Bid], quality: [String: QualityEstimate], cost: Rate) -> Double {
        let keep = 1 - Double(cost.micros) / 1e6
        return order.reversed().reduce(0.0) { rest, bid in
            let estimate = quality[bid.campaignID]!
            let (accept, returned) = (Double(estimate.accept.micros) / 1e6, Double(estimate.returned.micros) / 1e6)
            return accept * Double(bid.amount.cents) * (1 - returned) + (1 - accept) * keep * rest
        }
    }

    static func permutations(_ bids: [Bid]) -> [[Bid]] {
        guard bids.count > 1 else { return [bids] }
        return bids.indices.flatMap { index in
            var rest = bids
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }

    @Test func secondPriceUnderQualityChargesWhatItTookToRankFirst() {
        let quality = [
            "a": QualityEstimate(accept: Rate(micros: 1_000_000), returned: .zero),
            "b": QualityEstimate(accept: Rate(micros: 500_000), returned: .zero),
        ]
        let ranked = Auction.rank([Self.bid("a", 2_000), Self.bid("b", 3_000)], floor: Money(cents: 200), quality: quality)
        let prices = Auction.clearingPrices(ranked, floor: Money(cents: 200), kind: .secondPrice, quality: quality)
        // b's score is $30 × 0.5 = $15: a needed $15.00, pays $15.01; b is last and pays the floor + 1 cent.
        #expect(ranked.map(\.campaignID) == ["a", "b"] && prices == [Money(cents: 1_501), Money(cents: 201)])
    }
}

@Suite("Market intelligence in the exchange, on the in-memory store and a manual clock")
struct IntelligenceExchangeTests {
    @Test func aThinSegmentLearnsItsFloorAndTheLoneBidderPaysMore() async throws {
        let remote = ExchangeOrchestrationTests.remote("alone")
        let harness = ExchangeOrchestrationTests.Harness([remote])
        var settings = Settings(auction: .secondPrice)
        settings.floorLearning = FloorLearning(mode: .on, exploration: .zero, minSamples: 10)
        harness.configure(settings)
        harness.gateway.script("alone", ping: .bid(Money(cents: 2_000)))
        let first = try await harness.sell()
        #expect(first.price == Money(cents: 201), "warming up: the static $2 floor, second price pays it plus a cent")
        var last = first
        for _ in 0..<30 { last = try await harness.sell() }
        #expect(last.price > Money(cents: 1_000), "the learned floor: \(last.price)")
        let outcome = try #require(try await harness.store.lead(id: last.leadID)?.outcome)
        #expect(outcome.sales.first?.price == last.price)
    }

    @Test func qualityRankingSellsFirstToTheBuyerThatKeepsItsLeads() async throws {
        let harness = ExchangeOrchestrationTests.Harness([
            ExchangeOrchestrationTests.remote("flaky"), ExchangeOrchestrationTests.remote("steady"),
        ])
        var settings = Settings()
        settings.ranking = .quality
        harness.configure(settings)
        harness.gateway.script("flaky", ping: .bid(Money(cents: 3_000)))
        harness.gateway.script("flaky", post: .reject("not today"))
        harness.gateway.script("steady", ping: .bid(Money(cents: 2_000)))
        for _ in 0..<40 { _ = try await harness.sell() }
        let result = try await harness.sell()
        let posts = try await harness.records(result).posts
        #expect(posts.first?.campaignID == "steady" && result.price == Money(cents: 2_000), "no post wasted on the flaky buyer")
    }
}

extension IntelligenceExchangeTests {
    /// A buyer that bids high and rejects half its posts, against a steady one: a free cascade
    /// (cost 0) offers the high bid first, since a rejection still reaches the steady bid; with a
    /// cost of 1 a rejection is taken to lose the lead, and the steady buyer is offered it first.
    @Test(arguments: [(Rate.zero, "flaky"), (Rate.one, "steady")])
    func theRejectionCostDecidesWhoIsOfferedTheLeadFirst(cost: Rate, first: String) async throws {
        let harness = ExchangeOrchestrationTests.Harness([
            ExchangeOrchestrationTests.remote("flaky"), ExchangeOrchestrationTests.remote("steady"),
        ])
        var settings = Settings()
        (settings.ranking, settings.rejectionCost) = (.quality, cost)
        harness.configure(settings)
        harness.gateway.script("flaky", ping: .bid(Money(cents: 3_000)))
        harness.gateway.script("steady", ping: .bid(Money(cents: 2_000)))
        for index in 0..<40 {
            harness.gateway.script("flaky", post: index % 2 == 0 ? .accept : .reject("not today"))
            _ = try await harness.sell()
        }
        let result = try await harness.sell()
        let records = try await harness.records(result)
        #expect(records.posts.first?.campaignID == first)
        let note = try #require(try await harness.store.lead(id: result.leadID)?.outcome?.note)
        #expect(note.rejectionCost == cost)
    }
}

@Suite("Bid guidance and auction notes")
struct BidGuidanceTests {
    @Test func thinSegmentsAreHiddenAndPricesNeedTenSales() {
        let thick = BidFacts(
            campaignID: "c", vertical: "auto_insurance", source: "a", leads: 20, won: 5,
            clearing: [1_000: 4, 1_200: 4, 1_500: 3, 2_000: 1], accepted: 4, rejected: 1, sold: 5, returned: 1)
        let fewSales = BidFacts(campaignID: "c", vertical: "auto_insurance", source: "b", leads: 10, won: 1, clearing: [900: 9])
        let thin = BidFacts(campaignID: "c", vertical: "auto_insurance", source: "c", leads: 9, won: 9, clearing: [500: 9])
        let guidance = BidGuidance([thick, fewSales, thin])
        #expect(guidance.hiddenSegments == 1)
        #expect(guidance.rows.map(\.source) == ["a", "b"])
        let row = guidance.rows[0]
        // 12 sold leads: the 3rd, 6th and 9th prices by nearest rank.
        #expect(row.clearing == [Money(cents: 1_000), Money(cents: 1_200), Money(cents: 1_500)])
        #expect(row.bidToWinHalf == Money(cents: 1_201) && row.bidToWinThreeQuarters == Money(cents: 1_501))
        #expect(row.winRate == Rate("0.25") && row.acceptRate == Rate("0.8") && row.returnRate == Rate("0.2"))
        #expect(guidance.rows[1].clearing == nil && guidance.rows[1].bidToWinHalf == nil, "9 sold leads are too few for prices")
    }

    @Test func notesRoundTripThroughTheirStoredText() {
        let note = AuctionNote(
            floor: FloorDecision(
                floor: Money(cents: 1_420), staticFloor: Money(cents: 200), source: .learned, segment: "a|PA|s", samples: 312),
            ranking: .quality, factors: ["x": Rate("0.855")], rejectionCost: Rate("0.25"))
        #expect(AuctionNote(text: note.text) == note)
        var older = note
        older.rejectionCost = nil
        #expect(AuctionNote(text: older.text)?.rejectionCost == nil, "notes stored before the cost existed")
        #expect(AuctionNote(text: "") == nil && AuctionNote(text: "{}") == nil)
        #expect(note.floor.explanation == "learned floor $14.20 for segment a|PA|s from 312 leads (static $2.00)")
    }
}
