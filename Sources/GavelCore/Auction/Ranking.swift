/// A bid standing in an auction: the campaign's offer after seller multipliers and maxima.
public struct Bid: Sendable, Hashable {
    /// The bidding campaign.
    public var campaignID: String
    /// Its buyer.
    public var buyerID: String
    /// The bid as it stands in the auction (after seller multiplier, seller max and `bid.max`).
    public var amount: Money
    /// What the buyer (or its rules) offered before adjustments.
    public var offered: Money
    /// The buyer's id for the bid, echoed in the post.
    public var bidID: String?
    /// The campaign's priority, which breaks ties.
    public var priority: Int
    /// How long the answer took; earlier answers win remaining ties.
    public var latencyMicros: Int64
    /// Exclusive or shared.
    public var leadType: Campaign.LeadType
    /// Values a mapped buyer's ping answer carried for its post.
    public var captures: [String: JSONValue]

    /// Creates a bid.
    public init(
        campaignID: String, buyerID: String, amount: Money, offered: Money? = nil, bidID: String? = nil, priority: Int = 0,
        latencyMicros: Int64 = 0, leadType: Campaign.LeadType = .exclusive, captures: [String: JSONValue] = [:]
    ) {
        self.captures = captures
        self.campaignID = campaignID
        self.buyerID = buyerID
        self.amount = amount
        self.offered = offered ?? amount
        self.bidID = bidID
        self.priority = priority
        self.latencyMicros = latencyMicros
        self.leadType = leadType
    }
}

/// Ranking and clearing: pure functions over bids.
public enum Auction {
    /// The bids at or above the floor, best first: highest amount, then higher priority, then
    /// the earlier answer, then campaign id (so the order is total and reproducible).
    public static func rank(_ bids: [Bid], floor: Money) -> [Bid] {
        bids.filter { $0.amount >= floor && $0.amount.cents > 0 }.sorted(by: isBetter)
    }

    /// Whether `a` ranks above `b`.
    public static func isBetter(_ a: Bid, _ b: Bid) -> Bool {
        if a.amount != b.amount { return a.amount > b.amount }
        if a.priority != b.priority { return a.priority > b.priority }
        if a.latencyMicros != b.latencyMicros { return a.latencyMicros < b.latencyMicros }
        return a.campaignID < b.campaignID
    }

    /// What each ranked bid pays if it is the one that buys (the cascade may reach any of them):
    /// first price pays its bid; second price pays the next bid (or the floor) plus one cent,
    /// never more than its own bid.
    public static func clearingPrices(_ ranked: [Bid], floor: Money, kind: Settings.AuctionKind) -> [Money] {
        ranked.indices.map { index in
            let own = ranked[index].amount
            guard kind == .secondPrice else { return own }
            let next = index + 1 < ranked.count ? ranked[index + 1].amount : floor
            return min(own, next + Money(cents: 1))
        }
    }

    /// Quality ranking: the bids at or above the floor, best expected realized value first
    /// (bid × the campaign's quality factor, see ``QualityEstimate``), then as ``isBetter(_:_:)``.
    public static func rank(_ bids: [Bid], floor: Money, quality: [String: QualityEstimate]) -> [Bid] {
        bids.filter { $0.amount >= floor && $0.amount.cents > 0 }.sorted { a, b in
            let (left, right) = (score(a, quality), score(b, quality))
            return left != right ? left > right : isBetter(a, b)
        }
    }

    /// Prices under quality ranking: first price pays its bid; second price pays the least bid
    /// that would still have ranked it above the next one — the next score divided by its own
    /// factor, plus one cent (or the floor plus one cent when it is last) — never more than its
    /// own bid. The charge is always in the campaign's own terms, never scaled by quality.
    public static func clearingPrices(
        _ ranked: [Bid], floor: Money, kind: Settings.AuctionKind, quality: [String: QualityEstimate]
    ) -> [Money] {
        ranked.indices.map { index in
            let own = ranked[index]
            let factor = quality[own.campaignID]?.factor.micros ?? 1_000_000
            guard kind == .secondPrice, factor > 0 else { return own.amount }
            guard index + 1 < ranked.count else { return min(own.amount, floor + Money(cents: 1)) }
            let needed = (score(ranked[index + 1], quality) + factor - 1) / factor
            return min(own.amount, max(floor, Money(cents: needed)) + Money(cents: 1))
        }
    }

    /// A bid's quality score in micro-cents (a bid of a campaign without an estimate counts whole).
    static func score(_ bid: Bid, _ quality: [String: QualityEstimate]) -> Int64 {
        quality[bid.campaignID]?.score(bid.amount) ?? bid.amount.cents * 1_000_000
    }
}
