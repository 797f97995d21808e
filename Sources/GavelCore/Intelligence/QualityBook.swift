/// How bids are ordered.
public enum RankingMode: String, Sendable, Hashable, CaseIterable {
    /// By the bid as it stands (the v1 auction).
    case price
    /// By expected realized value: bid × P(the post is accepted) × (1 − P(the sale is returned)).
    case quality
}

/// A campaign's record as quality ranking sees it: how its posts and sales went.
public struct QualityCounts: Sendable, Hashable {
    /// Posts it answered (accepted or rejected, duplicates included).
    public var posts: Int
    /// Posts it accepted.
    public var accepted: Int
    /// Sales it kept or returned.
    public var sales: Int
    /// Sales it returned.
    public var returned: Int

    /// Creates counts.
    public init(posts: Int = 0, accepted: Int = 0, sales: Int = 0, returned: Int = 0) {
        self.posts = posts
        self.accepted = accepted
        self.sales = sales
        self.returned = returned
    }
}

/// A campaign's expected quality: the chances, in millionths, that its post is accepted and
/// that its sale is kept, and the factor its bid is ranked by.
///
/// The factor is the bid's share of *expected realized value* in the post-reject cascade. A sale
/// realizes bid × (1 − P(returned)) when the post is accepted; a rejected post passes the lead on
/// to the next bid, losing the share ``rejectionCost`` of what the rest of the cascade would
/// realize (the seller's wait, a consumer cooling off). Ordering by
/// `bid × (1 − P(returned)) × P(accepted) / (P(accepted) + cost × (1 − P(accepted)))` maximizes
/// the cascade's expected realized value (an exchange of two neighbours in the order changes it
/// by a quantity whose sign is the difference of their scores). With a cost of 1 — a rejection
/// loses the lead — the factor is P(accepted) × (1 − P(returned)); with 0 — a free cascade —
/// acceptance does not change the order, only returns do.
public struct QualityEstimate: Sendable, Hashable {
    /// P(the post is accepted).
    public var accept: Rate
    /// P(the sale is returned).
    public var returned: Rate
    /// The share of the rest of the cascade's value one rejected post loses (1: all of it).
    public var rejectionCost: Rate

    /// Creates an estimate.
    public init(accept: Rate, returned: Rate, rejectionCost: Rate = .one) {
        self.accept = accept
        self.returned = returned
        self.rejectionCost = rejectionCost
    }

    /// (1 − P(returned)) × P(accepted) / (P(accepted) + cost × (1 − P(accepted))), in millionths.
    public var factor: Rate {
        let kept = 1_000_000 - returned.micros
        let rejected = 1_000_000 - accept.micros
        let weight = accept.micros + rejectionCost.micros * rejected / 1_000_000
        guard weight > 0 else { return Rate(micros: kept) }
        return Rate(micros: kept * accept.micros / weight)
    }

    /// A bid's ranking score in micro-cents: its amount × the factor.
    public func score(_ amount: Money) -> Int64 {
        amount.cents * factor.micros
    }
}

/// The quality of every campaign, estimated from its own posts and returns with a prior that
/// a new campaign starts from (Beta priors: 9 accepted of 10 posts, 1 returned of 20 sales), so
/// one early rejection does not sink a campaign and a long record outweighs the prior. A value
/// type fed by the exchange (post outcomes) and by returns.
public struct QualityBook: Sendable, Hashable {
    /// The prior's pseudo-counts.
    public struct Prior: Sendable, Hashable {
        /// Accepted posts of the prior.
        public var accepted: Int
        /// Posts of the prior.
        public var posts: Int
        /// Returned sales of the prior.
        public var returned: Int
        /// Sales of the prior.
        public var sales: Int

        /// The default prior: 90 % accepted, 5 % returned, worth 10 posts and 20 sales.
        public init(accepted: Int = 9, posts: Int = 10, returned: Int = 1, sales: Int = 20) {
            self.accepted = accepted
            self.posts = posts
            self.returned = returned
            self.sales = sales
        }
    }

    /// The prior new campaigns start from.
    public var prior: Prior
    private(set) var counts: [String: QualityCounts] = [:]

    /// An empty book.
    public init(prior: Prior = Prior()) {
        self.prior = prior
    }

    /// A campaign's counts so far.
    public func counts(_ campaignID: String) -> QualityCounts {
        counts[campaignID] ?? QualityCounts()
    }

    /// Adds a post's outcome.
    public mutating func recordPost(campaignID: String, outcome: PostAnswer.Outcome) {
        counts[campaignID, default: QualityCounts()].posts += 1
        if outcome == .accepted {
            counts[campaignID, default: QualityCounts()].accepted += 1
            counts[campaignID, default: QualityCounts()].sales += 1
        }
    }

    /// Adds an approved return.
    public mutating func recordReturn(campaignID: String) {
        counts[campaignID, default: QualityCounts()].returned += 1
    }

    /// Replaces a campaign's counts (warming the book from the store's reports at start).
    public mutating func seed(campaignID: String, _ seeded: QualityCounts) {
        counts[campaignID] = seeded
    }

    /// A campaign's estimate: its record blended with the prior, ranked with a rejection cost.
    public func estimate(_ campaignID: String, rejectionCost: Rate = .one) -> QualityEstimate {
        let own = counts(campaignID)
        let accept = Self.rate(own.accepted + prior.accepted, of: own.posts + prior.posts)
        let returned = Self.rate(min(own.returned, own.sales) + prior.returned, of: own.sales + prior.sales)
        return QualityEstimate(accept: accept, returned: returned, rejectionCost: rejectionCost)
    }

    private static func rate(_ part: Int, of whole: Int) -> Rate {
        guard whole > 0 else { return .zero }
        return Rate(micros: Int64(part) * 1_000_000 / Int64(whole))
    }
}
