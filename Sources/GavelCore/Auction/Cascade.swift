/// An offer of a lead to one campaign at one price, as the cascade makes it.
public struct Offer: Sendable, Hashable {
    /// Where the offer comes from.
    public enum Origin: String, Sendable, Hashable {
        /// A hybrid allocation draw to a direct campaign, before any auction.
        case allocation
        /// An exclusive bid in the auction.
        case auction
        /// A shared bid (one of several buyers).
        case shared
        /// A direct campaign's fixed price after the bidders.
        case direct
    }

    /// The campaign offered the lead.
    public var campaignID: String
    /// Its buyer.
    public var buyerID: String
    /// What the buyer pays if it accepts.
    public var price: Money
    /// The buyer's bid id, if it gave one.
    public var bidID: String?
    /// Where the offer comes from.
    public var origin: Origin
    /// Values the buyer's ping answer carried for its post.
    public var captures: [String: JSONValue]

    /// Creates an offer.
    public init(
        campaignID: String, buyerID: String, price: Money, bidID: String? = nil, origin: Origin, captures: [String: JSONValue] = [:]
    ) {
        self.captures = captures
        self.campaignID = campaignID
        self.buyerID = buyerID
        self.price = price
        self.bidID = bidID
        self.origin = origin
    }
}

/// The post-reject cascade as a state machine: it says which offer to post next and learns
/// each answer, until a stage has sold or every offer is spent. It does no I/O.
///
/// A stage is a list of offers and how many acceptances end it: exclusive stages end at the
/// first, the shared stage at the vertical's `max_sales`. When a stage is exhausted with no
/// acceptance the next one begins (allocation → auction → shared/exclusive fallback → direct).
/// A campaign that already refused is not offered the lead again (another campaign of the same
/// buyer may be: its terms differ), and a shared sale never goes twice to one buyer.
public struct Cascade: Sendable {
    /// One stage of the cascade.
    public struct Stage: Sendable, Hashable {
        /// The offers, in the order they are made.
        public var offers: [Offer]
        /// How many acceptances complete the stage (and the sale).
        public var wanted: Int

        /// Creates a stage.
        public init(offers: [Offer], wanted: Int = 1) {
            self.offers = offers
            self.wanted = wanted
        }
    }

    /// The stages, without empty ones.
    public private(set) var stages: [Stage]
    private var stageIndex = 0
    private var offerIndex = 0
    private var refused: Set<String> = []
    private var stageSales: [Offer] = []
    /// The accepted offers, once the cascade has finished.
    public private(set) var sales: [Offer] = []
    /// Whether no more offers will be made.
    public private(set) var isFinished = false

    /// Creates a cascade over stages.
    public init(stages: [Stage]) {
        self.stages = stages.filter { !$0.offers.isEmpty }
        isFinished = self.stages.isEmpty
    }

    /// The next offer to post, or `nil` when the cascade is finished.
    public mutating func next() -> Offer? {
        while !isFinished {
            let stage = stages[stageIndex]
            guard offerIndex < stage.offers.count else {
                finishStage()
                continue
            }
            let offer = stage.offers[offerIndex]
            offerIndex += 1
            if refused.contains(offer.campaignID) || stageSales.contains(where: { $0.buyerID == offer.buyerID }) {
                continue
            }
            return offer
        }
        return nil
    }

    /// Records the answer to the offer last returned by ``next()``.
    public mutating func record(_ offer: Offer, accepted: Bool) {
        guard accepted else {
            refused.insert(offer.campaignID)
            return
        }
        stageSales.append(offer)
        if stageSales.count >= stages[stageIndex].wanted {
            sales = stageSales
            isFinished = true
        }
    }

    private mutating func finishStage() {
        if !stageSales.isEmpty {
            sales = stageSales
            isFinished = true
            return
        }
        stageIndex += 1
        offerIndex = 0
        if stageIndex >= stages.count { isFinished = true }
    }
}

extension Cascade {
    /// Plans the stages for a lead.
    ///
    /// - `allocated`: a direct campaign the hybrid draw picked, tried first.
    /// - `ranked`/`prices`: the auction's ranked bids and what each pays.
    /// - `directs`: direct campaigns by priority, at their fixed prices, tried last.
    /// - `maxSales`: the most shared buyers one lead goes to.
    ///
    /// Shared bids go first only when the best `maxSales` of them (from distinct buyers) sum to
    /// more than the best exclusive price; otherwise exclusive bids go first and shared ones
    /// follow as a fallback.
    public static func plan(
        allocated: Offer?, ranked: [Bid], prices: [Money], directs: [Offer], maxSales: Int
    ) -> Cascade {
        var exclusive: [Offer] = []
        var shared: [Offer] = []
        for (bid, price) in zip(ranked, prices) {
            let offer = Offer(
                campaignID: bid.campaignID, buyerID: bid.buyerID, price: price, bidID: bid.bidID, origin: .auction, captures: bid.captures)
            if bid.leadType == .shared && maxSales > 1 {
                shared.append(
                    Offer(
                        campaignID: offer.campaignID, buyerID: offer.buyerID, price: bid.amount, bidID: bid.bidID, origin: .shared,
                        captures: bid.captures))
            } else {
                exclusive.append(offer)
            }
        }
        let sharedStage = Stage(offers: shared, wanted: maxSales)
        let exclusiveStage = Stage(offers: exclusive)
        var stages: [Stage] = allocated.map { [Stage(offers: [$0])] } ?? []
        if sharedSum(shared, maxSales: maxSales) > (exclusive.first?.price ?? .zero) {
            stages += [sharedStage, exclusiveStage]
        } else {
            stages += [exclusiveStage, sharedStage]
        }
        stages.append(Stage(offers: directs))
        return Cascade(stages: stages)
    }

    /// The sum of the best `maxSales` shared offers from distinct buyers.
    public static func sharedSum(_ shared: [Offer], maxSales: Int) -> Money {
        var buyers = Set<String>()
        var sum = Money.zero
        for offer in shared where buyers.count < maxSales && buyers.insert(offer.buyerID).inserted {
            sum += offer.price
        }
        return sum
    }
}
