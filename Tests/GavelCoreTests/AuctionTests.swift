import Testing

@testable import GavelCore

/// A bid, briefly.
func bid(
    _ campaign: String, _ amount: Int64, buyer: String? = nil, priority: Int = 0, latency: Int64 = 0,
    type: Campaign.LeadType = .exclusive, bidID: String? = nil
) -> Bid {
    Bid(
        campaignID: campaign, buyerID: buyer ?? "buyer-\(campaign)", amount: cents(amount), bidID: bidID, priority: priority,
        latencyMicros: latency, leadType: type)
}

@Suite("Ranking")
struct RankingTests {
    @Test func filtersBelowTheFloorAndNonPositive() {
        let ranked = Auction.rank([bid("a", 199), bid("b", 200), bid("c", 0), bid("d", -100), bid("e", 201)], floor: cents(200))
        #expect(ranked.map(\.campaignID) == ["e", "b"])  // the floor itself is enough
        let free = Auction.rank([bid("a", 0), bid("b", 1)], floor: .zero)
        #expect(free.map(\.campaignID) == ["b"])  // a zero bid is no bid even without a floor
        #expect(Auction.rank([], floor: .zero).isEmpty)
    }

    @Test func ordersByAmountThenPriorityThenLatencyThenID() {
        let bids = [
            bid("low", 500),
            bid("tie-slow", 1000, priority: 1, latency: 900),
            bid("tie-fast", 1000, priority: 1, latency: 100),
            bid("tie-high-priority", 1000, priority: 5, latency: 999_999),
            bid("tie-b", 1000, priority: 1, latency: 100),
            bid("top", 1001, priority: -10, latency: 5_000_000),
            bid("tie-low-priority", 1000, priority: 0, latency: 0),
        ]
        let expected = ["top", "tie-high-priority", "tie-b", "tie-fast", "tie-slow", "tie-low-priority", "low"]
        #expect(Auction.rank(bids, floor: .zero).map(\.campaignID) == expected)
        // The order is total: any input order gives the same ranking.
        var rng = SeededRandom(seed: 7)
        for _ in 0..<50 {
            #expect(Auction.rank(bids.shuffled(using: &rng), floor: .zero).map(\.campaignID) == expected)
        }
    }

    @Test func isBetterIsAStrictOrder() {
        let a = bid("a", 1000), b = bid("b", 1000)
        #expect(Auction.isBetter(a, b))
        #expect(!Auction.isBetter(b, a))
        #expect(!Auction.isBetter(a, a))
    }

    @Test func firstPricePaysOwnBid() {
        let ranked = Auction.rank([bid("a", 1000), bid("b", 800), bid("c", 500)], floor: cents(200))
        #expect(Auction.clearingPrices(ranked, floor: cents(200), kind: .firstPrice) == [cents(1000), cents(800), cents(500)])
        #expect(Auction.clearingPrices(ranked, floor: cents(200), kind: .waterfall) == [cents(1000), cents(800), cents(500)])
    }

    @Test func secondPricePaysNextBidPlusOneCent() {
        let ranked = Auction.rank([bid("a", 1000), bid("b", 800), bid("c", 500)], floor: cents(200))
        #expect(Auction.clearingPrices(ranked, floor: cents(200), kind: .secondPrice) == [cents(801), cents(501), cents(201)])
    }

    @Test func secondPriceWithTiesPaysOwnBid() {
        let ranked = Auction.rank([bid("a", 1000), bid("b", 1000), bid("c", 500)], floor: cents(200))
        #expect(Auction.clearingPrices(ranked, floor: cents(200), kind: .secondPrice) == [cents(1000), cents(501), cents(201)])
    }

    @Test func secondPriceNeverExceedsOwnBid() {
        let adjacent = Auction.rank([bid("a", 500), bid("b", 499)], floor: cents(499))
        #expect(Auction.clearingPrices(adjacent, floor: cents(499), kind: .secondPrice) == [cents(500), cents(499)])
    }

    @Test(arguments: [(Int64(1000), Int64(200), Int64(201)), (1000, 0, 1), (200, 200, 200), (201, 200, 201), (1, 0, 1)])
    func secondPriceWithASingleBidPaysTheFloorPlusOneCent(_ amount: Int64, _ floor: Int64, _ expected: Int64) {
        let ranked = Auction.rank([bid("only", amount)], floor: cents(floor))
        #expect(Auction.clearingPrices(ranked, floor: cents(floor), kind: .secondPrice) == [cents(expected)])
    }

    @Test func noBidsNoPrices() {
        #expect(Auction.clearingPrices([], floor: cents(200), kind: .secondPrice).isEmpty)
    }

    @Test func bidDefaults() {
        let plain = Bid(campaignID: "c", buyerID: "b", amount: cents(100))
        #expect(plain.offered == cents(100))
        #expect(plain.leadType == .exclusive)
        #expect(plain.priority == 0)
        #expect(Bid(campaignID: "c", buyerID: "b", amount: cents(100), offered: cents(90)).offered == cents(90))
    }
}

@Suite("Answers")
struct AnswerTests {
    @Test(arguments: PingAnswer.Kind.allCases)
    func onlyPositiveBidsAndHostedPricesAreBids(_ kind: PingAnswer.Kind) {
        let answer = PingAnswer(kind: kind, bid: cents(100))
        #expect(answer.isBid == (kind == .bid || kind == .hosted))
        #expect(!PingAnswer(kind: kind, bid: .zero).isBid)
        #expect(!PingAnswer(kind: kind).isBid)
    }

    @Test func faultsAreFailuresToAnswerProperly() {
        let faults = PingAnswer.Kind.allCases.filter { PingAnswer(kind: $0).isFault }
        #expect(Set(faults) == [.timeout, .httpStatus, .malformed, .invalidPrice, .tooLarge, .connectError])
    }
}

@Suite("Sales and the ledger")
struct LedgerTests {
    static let hold = CapHold(
        campaignID: "c", buyerID: "b", caps: Campaign.Caps(), periods: CapPeriods(date: CivilDate(year: 2026, month: 3, day: 9)),
        price: cents(1250), balanceLimit: nil)

    @Test func saleSplitsThePriceOnceAndTheEntriesBalance() {
        let seller = Seller(id: "S1", name: "S", alias: "a", revenueShare: Rate("0.85"))
        let sale = Sale(
            offer: Offer(campaignID: "c", buyerID: "b", price: cents(1250), origin: .auction), seller: seller, buyerLeadID: nil,
            hold: Self.hold)
        #expect(sale.payout == cents(1063))
        #expect(sale.margin == cents(187))
        let at = utc(2026, 3, 9, 12)
        let entries = LedgerEntry.forSale(sale, leadID: "L1", sellerID: "S1", at: at)
        #expect(entries.map(\.account) == ["buyer:b", "seller:S1", "exchange:margin"])
        #expect(entries.map(\.amount) == [cents(1250), cents(-1063), cents(-187)])
        #expect(entries.reduce(Money.zero) { $0 + $1.amount } == .zero)
        let reversal = LedgerEntry.reversing(entries, at: at.adding(milliseconds: 1_000))
        #expect(reversal.allSatisfy { $0.kind == .return })
        #expect(reversal.map(\.amount) == [cents(-1250), cents(1063), cents(187)])
        #expect((entries + reversal).reduce(Money.zero) { $0 + $1.amount } == .zero)
    }

    @Test func outcomeTotals() {
        let seller = Seller(id: "S1", name: "S", alias: "a", revenueShare: Rate("0.5"))
        let sales = [cents(1001), cents(999)].map {
            Sale(offer: Offer(campaignID: "c", buyerID: "b", price: $0, origin: .shared), seller: seller, buyerLeadID: nil, hold: Self.hold)
        }
        let outcome = LeadOutcome(leadID: "L1", status: .sold, sales: sales, finishedAt: utc(2026, 1, 1))
        #expect(outcome.revenue == cents(2000))
        #expect(outcome.payout == cents(501 + 500))  // each sale rounds once: 500.5 → 501, 499.5 → 500
    }
}
