import Testing

@testable import GavelCore

/// An offer, briefly.
func offer(_ campaign: String, _ price: Int64, buyer: String? = nil, origin: Offer.Origin = .direct) -> Offer {
    Offer(campaignID: campaign, buyerID: buyer ?? "buyer-\(campaign)", price: cents(price), origin: origin)
}

/// Drives a cascade to the end: posts each offer and answers from `accepting`. Returns the
/// campaigns posted to, in order.
@discardableResult
func drive(_ cascade: inout Cascade, accepting: Set<String>) -> [String] {
    var posted: [String] = []
    var guardRail = 0
    while let next = cascade.next() {
        posted.append(next.campaignID)
        cascade.record(next, accepted: accepting.contains(next.campaignID))
        guardRail += 1
        if guardRail > 1_000 {
            Issue.record("the cascade does not end")
            break
        }
    }
    return posted
}

/// Plans a cascade for ranked bids under first price.
func plan(
    _ bids: [Bid], allocated: Offer? = nil, directs: [Offer] = [], maxSales: Int = 1, kind: Settings.AuctionKind = .firstPrice,
    floor: Money = .zero
) -> Cascade {
    let ranked = Auction.rank(bids, floor: floor)
    let prices = Auction.clearingPrices(ranked, floor: floor, kind: kind)
    return Cascade.plan(allocated: allocated, ranked: ranked, prices: prices, directs: directs, maxSales: maxSales)
}

@Suite("Post cascade: exclusive")
struct ExclusiveCascadeTests {
    let bids = [bid("a", 1000), bid("b", 800), bid("c", 600)]

    @Test func postsInBidOrderAndStopsAtTheFirstAccept() {
        var cascade = plan(bids)
        let posted = drive(&cascade, accepting: ["b", "c"])
        #expect(posted == ["a", "b"])
        #expect(cascade.isFinished)
        #expect(cascade.sales.map(\.campaignID) == ["b"])
        #expect(cascade.sales.first?.price == cents(800))
        #expect(cascade.sales.first?.origin == .auction)
        #expect(cascade.next() == nil)
    }

    @Test func theWinnerAcceptingEndsItAtOnce() {
        var cascade = plan(bids)
        #expect(drive(&cascade, accepting: ["a", "b", "c"]) == ["a"])
        #expect(cascade.sales.map(\.campaignID) == ["a"])
    }

    @Test func afterEveryBidderRejectsDirectCampaignsAreOfferedInOrder() {
        var cascade = plan(bids, directs: [offer("d1", 500), offer("d2", 400)])
        #expect(drive(&cascade, accepting: ["d2"]) == ["a", "b", "c", "d1", "d2"])
        #expect(cascade.sales == [offer("d2", 400)])
    }

    @Test func nothingAcceptsNothingSold() {
        var cascade = plan(bids, directs: [offer("d1", 500)])
        #expect(drive(&cascade, accepting: []) == ["a", "b", "c", "d1"])
        #expect(cascade.isFinished)
        #expect(cascade.sales.isEmpty)
    }

    @Test func noOffersIsFinishedAtOnce() {
        var cascade = plan([])
        #expect(cascade.isFinished)
        #expect(cascade.stages.isEmpty)
        #expect(cascade.next() == nil)
        #expect(cascade.sales.isEmpty)
    }

    @Test func secondPriceOffersPayTheirClearingPrice() throws {
        var cascade = plan(bids, kind: .secondPrice, floor: cents(200))
        let next = cascade.next()
        let first = try #require(next)
        #expect(first.price == cents(801))
        cascade.record(first, accepted: false)
        let following = cascade.next()
        let second = try #require(following)
        #expect(second.price == cents(601))
        cascade.record(second, accepted: false)
        #expect(cascade.next()?.price == cents(201))
    }

    @Test func bidIDsTravelWithTheOffer() {
        var cascade = plan([bid("a", 1000, bidID: "buyer-bid-7")])
        #expect(cascade.next()?.bidID == "buyer-bid-7")
    }

    @Test func allocationIsOfferedFirst() {
        var cascade = plan(bids, allocated: offer("d1", 700, origin: .allocation), directs: [offer("d1", 700), offer("d2", 400)])
        #expect(drive(&cascade, accepting: ["d1"]) == ["d1"])
        #expect(cascade.sales.map(\.origin) == [.allocation])
    }

    @Test func aCampaignThatRefusedIsNotOfferedAgain() {
        var cascade = plan(bids, allocated: offer("d1", 700, origin: .allocation), directs: [offer("d1", 700), offer("d2", 400)])
        // d1 refuses the allocation; the auction runs; d1 is skipped among the directs.
        #expect(drive(&cascade, accepting: ["d2"]) == ["d1", "a", "b", "c", "d2"])
        #expect(cascade.sales.map(\.campaignID) == ["d2"])
    }

    @Test func aCampaignThatRejectedItsBidIsNotOfferedAgainAsADirect() {
        var rejecting = plan([bid("a", 1000)], directs: [offer("a", 300), offer("d", 200)])
        #expect(drive(&rejecting, accepting: ["d"]) == ["a", "d"])
    }
}

@Suite("Post cascade: shared")
struct SharedCascadeTests {
    @Test func sharedSumCountsTheBestOfferOfDistinctBuyers() {
        let shared = [
            offer("s1", 600, buyer: "b1", origin: .shared), offer("s2", 500, buyer: "b1", origin: .shared),
            offer("s3", 300, buyer: "b2", origin: .shared), offer("s4", 200, buyer: "b3", origin: .shared),
        ]
        #expect(Cascade.sharedSum(shared, maxSales: 3) == cents(1100))  // 6 + 3 + 2, not 6 + 5 + 3
        #expect(Cascade.sharedSum(shared, maxSales: 2) == cents(900))
        #expect(Cascade.sharedSum(shared, maxSales: 1) == cents(600))
        #expect(Cascade.sharedSum([], maxSales: 3) == .zero)
    }

    @Test func sharedGoesFirstWhenItsSumBeatsTheBestExclusivePrice() {
        let bids = [bid("e", 1000), bid("s1", 600, type: .shared), bid("s2", 500, type: .shared)]
        var cascade = plan(bids, maxSales: 3)
        #expect(cascade.headline == cents(1100))
        #expect(drive(&cascade, accepting: ["e", "s1", "s2"]) == ["s1", "s2"])
        #expect(cascade.sales.map(\.campaignID) == ["s1", "s2"])
        #expect(cascade.sales.map(\.origin) == [.shared, .shared])
        #expect(cascade.sales.map(\.price) == [cents(600), cents(500)])
    }

    @Test func exclusiveGoesFirstWhenTheSharedSumIsNotMore() {
        let bids = [bid("e", 1100), bid("s1", 600, type: .shared), bid("s2", 500, type: .shared)]
        var cascade = plan(bids, maxSales: 3)
        #expect(cascade.headline == cents(1100))
        #expect(drive(&cascade, accepting: ["e", "s1", "s2"]) == ["e"])
        #expect(cascade.sales.map(\.origin) == [.auction])
    }

    @Test func sameBuyerBidsCountOnceInTheComparison() {
        // b1's two campaigns cannot both buy, so the shared side is worth 6 + 3, not 6 + 5 + 3.
        let shared = [
            bid("s1", 600, buyer: "b1", type: .shared), bid("s2", 500, buyer: "b1", type: .shared),
            bid("s3", 300, buyer: "b2", type: .shared),
        ]
        var exclusiveFirst = plan(shared + [bid("e", 1000)], maxSales: 3)
        #expect(drive(&exclusiveFirst, accepting: ["e", "s1", "s2", "s3"]) == ["e"])
        var sharedFirst = plan(shared + [bid("e", 850)], maxSales: 3)
        #expect(drive(&sharedFirst, accepting: ["e", "s1", "s2", "s3"]) == ["s1", "s3"])
    }

    @Test func sellsToAtMostMaxSalesDistinctBuyers() {
        let bids = [
            bid("s1", 900, buyer: "b1", type: .shared), bid("s2", 800, buyer: "b1", type: .shared),
            bid("s3", 700, buyer: "b2", type: .shared), bid("s4", 600, buyer: "b3", type: .shared),
            bid("s5", 500, buyer: "b4", type: .shared),
        ]
        var cascade = plan(bids, maxSales: 3)
        let posted = drive(&cascade, accepting: ["s1", "s2", "s3", "s4", "s5"])
        #expect(posted == ["s1", "s3", "s4"])  // s2 skipped: b1 already bought; s5 not needed
        #expect(Set(cascade.sales.map(\.buyerID)).count == 3)
    }

    @Test func aRejectedSharedBidIsReplacedByTheNextOne() {
        let bids = [
            bid("s1", 900, type: .shared), bid("s2", 800, type: .shared), bid("s3", 700, type: .shared),
            bid("s4", 600, type: .shared), bid("e", 500),
        ]
        var cascade = plan(bids, maxSales: 3)
        #expect(drive(&cascade, accepting: ["s2", "s3", "s4", "e"]) == ["s1", "s2", "s3", "s4"])
        #expect(cascade.sales.map(\.campaignID) == ["s2", "s3", "s4"])
    }

    @Test func fewerSharedAcceptsThanWantedStillSell() {
        let bids = [bid("s1", 900, type: .shared), bid("s2", 800, type: .shared), bid("e", 1000)]
        var cascade = plan(bids, maxSales: 3)
        #expect(drive(&cascade, accepting: ["s2", "e"]) == ["s1", "s2"])
        #expect(cascade.sales.map(\.campaignID) == ["s2"])  // no fall-through to exclusive after a sale
    }

    @Test func fallsBackToExclusiveWhenNoSharedBidAccepts() {
        let bids = [bid("s1", 900, type: .shared), bid("s2", 800, type: .shared), bid("e", 1000), bid("e2", 400)]
        var cascade = plan(bids, directs: [offer("d", 100)], maxSales: 3)
        #expect(drive(&cascade, accepting: ["e2"]) == ["s1", "s2", "e", "e2"])
        #expect(cascade.sales.map(\.campaignID) == ["e2"])
        #expect(cascade.sales.map(\.origin) == [.auction])
    }

    @Test func fallsBackToSharedWhenEveryExclusiveBidRejects() {
        let bids = [bid("e", 2000), bid("s1", 900, type: .shared), bid("s2", 800, type: .shared)]
        var cascade = plan(bids, directs: [offer("d", 100)], maxSales: 3)
        #expect(drive(&cascade, accepting: ["s1", "s2", "d"]) == ["e", "s1", "s2"])
        #expect(cascade.sales.map(\.campaignID) == ["s1", "s2"])
        #expect(cascade.sales.map(\.origin) == [.shared, .shared])
    }

    @Test func withMaxSalesOneSharedBidsCompeteAsExclusive() {
        let bids = [bid("s1", 900, type: .shared), bid("e", 800), bid("s2", 700, type: .shared)]
        var cascade = plan(bids, maxSales: 1, kind: .secondPrice)
        #expect(cascade.stages.count == 1)
        let first = cascade.next()
        #expect(first?.campaignID == "s1")
        #expect(first?.origin == .auction)
        #expect(first?.price == cents(801))
    }

    @Test func sharedOffersPayTheirOwnBidEvenInASecondPriceAuction() {
        let bids = [bid("s1", 900, type: .shared), bid("s2", 800, type: .shared)]
        var cascade = plan(bids, maxSales: 2, kind: .secondPrice)
        drive(&cascade, accepting: ["s1", "s2"])
        #expect(cascade.sales.map(\.price) == [cents(900), cents(800)])
    }

    @Test func stageOrderWithAllocation() {
        let cascade = plan(
            [bid("e", 1000), bid("s1", 600, type: .shared), bid("s2", 500, type: .shared)],
            allocated: offer("alloc", 300, origin: .allocation), directs: [offer("d", 100)], maxSales: 2)
        #expect(cascade.stages.map { $0.offers.map(\.campaignID) } == [["alloc"], ["s1", "s2"], ["e"], ["d"]])
        #expect(cascade.stages.map(\.wanted) == [1, 2, 1, 1])
    }
}

@Suite("Post cascade: headline")
struct HeadlineTests {
    @Test func headlineIsWhatTheFirstStagePays() {
        #expect(plan([]).headline == .zero)
        #expect(plan([bid("a", 1000), bid("b", 800)]).headline == cents(1000))
        #expect(plan([bid("a", 1000), bid("b", 800)], kind: .secondPrice, floor: cents(200)).headline == cents(801))
        #expect(plan([], directs: [offer("d", 500)]).headline == cents(500))
        let shared = plan(
            [bid("s1", 600, buyer: "b1", type: .shared), bid("s2", 550, buyer: "b1", type: .shared), bid("s3", 500, type: .shared)],
            maxSales: 3)
        #expect(shared.headline == cents(1100))  // one sale per buyer
        #expect(plan([bid("a", 1000)], allocated: offer("d", 700, origin: .allocation)).headline == cents(700))
    }
}
