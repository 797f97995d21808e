/// A ping sent to (or priced for) one campaign and what came of it.
public struct PingRecord: Sendable, Hashable {
    /// The campaign.
    public var campaignID: String
    /// Its buyer.
    public var buyerID: String
    /// What it answered.
    public var answer: PingAnswer
    /// The bid as it stood in the auction, after seller adjustments; `nil` for no-bids.
    public var effectiveBid: Money?

    /// Creates a record.
    public init(campaignID: String, buyerID: String, answer: PingAnswer, effectiveBid: Money? = nil) {
        self.campaignID = campaignID
        self.buyerID = buyerID
        self.answer = answer
        self.effectiveBid = effectiveBid
    }
}

/// One offer of the full lead and its result.
public struct PostRecord: Sendable, Hashable {
    /// The campaign.
    public var campaignID: String
    /// Its buyer.
    public var buyerID: String
    /// The price offered.
    public var price: Money
    /// Where the offer came from.
    public var origin: Offer.Origin
    /// The buyer's verdict (`rejected` with a reason when the exchange skipped the offer).
    public var outcome: PostAnswer.Outcome
    /// Why it was refused.
    public var reason: String?
    /// The buyer's id for the lead.
    public var buyerLeadID: String?
    /// How long the post took, in microseconds (0 when not sent).
    public var latencyMicros: Int64
    /// When the offer was decided.
    public var at: Timestamp
    /// The HTTP status of the buyer's answer, when there was one.
    public var httpStatus: Int?
    /// The price the buyer confirmed, when it stated one (what it is charged when lower).
    public var confirmedPrice: Money?
    /// The page the buyer wants the consumer sent to.
    public var redirectURL: String?

    /// Creates a record of a post the buyer answered.
    public init(offer: Offer, answer: PostAnswer, at: Timestamp) {
        self.init(
            campaignID: offer.campaignID, buyerID: offer.buyerID, price: offer.price, origin: offer.origin, outcome: answer.outcome,
            reason: answer.reason, buyerLeadID: answer.buyerLeadID, latencyMicros: answer.latencyMicros, at: at,
            httpStatus: answer.httpStatus, confirmedPrice: answer.confirmedPrice, redirectURL: answer.redirectURL)
    }

    /// Creates a record.
    public init(
        campaignID: String, buyerID: String, price: Money, origin: Offer.Origin, outcome: PostAnswer.Outcome,
        reason: String? = nil, buyerLeadID: String? = nil, latencyMicros: Int64 = 0, at: Timestamp, httpStatus: Int? = nil,
        confirmedPrice: Money? = nil, redirectURL: String? = nil
    ) {
        self.httpStatus = httpStatus
        self.confirmedPrice = confirmedPrice
        self.redirectURL = redirectURL
        self.campaignID = campaignID
        self.buyerID = buyerID
        self.price = price
        self.origin = origin
        self.outcome = outcome
        self.reason = reason
        self.buyerLeadID = buyerLeadID
        self.latencyMicros = latencyMicros
        self.at = at
    }
}

/// A campaign that was not offered the lead, and why.
public struct SkipRecord: Sendable, Hashable {
    /// The campaign.
    public var campaignID: String
    /// Why it was skipped.
    public var reason: SkipReason

    /// Creates a record.
    public init(campaignID: String, reason: SkipReason) {
        self.campaignID = campaignID
        self.reason = reason
    }
}

/// One sale of a lead to one campaign: what the buyer pays and how it is split.
public struct Sale: Sendable, Hashable {
    /// The campaign that bought.
    public var campaignID: String
    /// Its buyer.
    public var buyerID: String
    /// What the buyer pays.
    public var price: Money
    /// What the seller earns.
    public var payout: Money
    /// The buyer's id for the lead.
    public var buyerLeadID: String?
    /// The cap slot the sale used.
    public var hold: CapHold

    /// Days after the sale within which the buyer may return the lead (the campaign's window
    /// at the time of the sale).
    public var returnWindowDays: Int

    /// Creates a sale; the seller's payout is computed once from the price.
    public init(offer: Offer, seller: Seller, buyerLeadID: String?, hold: CapHold, returnWindowDays: Int = 7) {
        campaignID = offer.campaignID
        buyerID = offer.buyerID
        price = offer.price
        payout = seller.payout(for: offer.price)
        self.buyerLeadID = buyerLeadID
        self.hold = hold
        self.returnWindowDays = returnWindowDays
    }

    /// Creates a sale from stored parts.
    public init(
        campaignID: String, buyerID: String, price: Money, payout: Money, buyerLeadID: String?, hold: CapHold,
        returnWindowDays: Int
    ) {
        self.campaignID = campaignID
        self.buyerID = buyerID
        self.price = price
        self.payout = payout
        self.buyerLeadID = buyerLeadID
        self.hold = hold
        self.returnWindowDays = returnWindowDays
    }

    /// The exchange's margin: price minus payout.
    public var margin: Money { price - payout }
}

/// Everything that happened to a lead, written at once when its auction ends.
public struct LeadOutcome: Sendable, Hashable {
    /// The lead.
    public var leadID: String
    /// Its final status.
    public var status: LeadStatus
    /// Why it was not sold, when that has a reason.
    public var reason: String?
    /// The sales (none, one, or several shared).
    public var sales: [Sale]
    /// The pings.
    public var pings: [PingRecord]
    /// The posts, in order.
    public var posts: [PostRecord]
    /// The campaigns skipped by eligibility.
    public var skips: [SkipRecord]
    /// When the outcome was decided.
    public var finishedAt: Timestamp
    /// The exchange's time for the lead, in microseconds.
    public var elapsedMicros: Int64
    /// The webhook messages of the outcome's events, written to the outbox in its transaction
    /// (none when nobody subscribes; never read back).
    public var webhooks: [WebhookMessage] = []
    /// Why the auction ran with its floor and order (`nil` when no auction ran).
    public var note: AuctionNote?

    /// Creates an outcome.
    public init(
        leadID: String, status: LeadStatus, reason: String? = nil, sales: [Sale] = [], pings: [PingRecord] = [],
        posts: [PostRecord] = [], skips: [SkipRecord] = [], finishedAt: Timestamp, elapsedMicros: Int64 = 0, note: AuctionNote? = nil
    ) {
        self.note = note
        self.leadID = leadID
        self.status = status
        self.reason = reason
        self.sales = sales
        self.pings = pings
        self.posts = posts
        self.skips = skips
        self.finishedAt = finishedAt
        self.elapsedMicros = elapsedMicros
    }

    /// What the seller earns in total.
    public var payout: Money { sales.reduce(.zero) { $0 + $1.payout } }
    /// The landing page of the first buyer that bought and named one.
    public var redirectURL: String? {
        posts.first { $0.outcome == .accepted && $0.redirectURL != nil }?.redirectURL
    }
    /// What the buyers pay in total.
    public var revenue: Money { sales.reduce(.zero) { $0 + $1.price } }
}

/// A stored lead with everything that happened to it.
public struct LeadDetail: Sendable, Hashable {
    /// The lead.
    public var lead: Lead
    /// Its outcome, once decided.
    public var outcome: LeadOutcome?
    /// Its current status (which may differ from the outcome's after a return or review).
    public var status: LeadStatus

    /// Creates a detail.
    public init(lead: Lead, outcome: LeadOutcome?, status: LeadStatus) {
        self.lead = lead
        self.outcome = outcome
        self.status = status
    }
}

/// One line of the double-entry ledger. The lines of one event sum to zero.
public struct LedgerEntry: Sendable, Hashable {
    /// What the entry records.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A sale.
        case sale
        /// An approved return, reversing a sale.
        case `return`
        /// A buyer's payment against its balance.
        case payment
    }

    /// The lead concerned.
    public var leadID: String
    /// The campaign concerned.
    public var campaignID: String
    /// The account: `buyer:<id>` (what the buyer owes), `seller:<id>` (what the exchange owes the
    /// seller, negative), `exchange:margin` (the exchange's earnings, negative), `cash`.
    public var account: String
    /// The signed amount.
    public var amount: Money
    /// What the entry records.
    public var kind: Kind
    /// When.
    public var at: Timestamp

    /// Creates an entry.
    public init(leadID: String, campaignID: String, account: String, amount: Money, kind: Kind, at: Timestamp) {
        self.leadID = leadID
        self.campaignID = campaignID
        self.account = account
        self.amount = amount
        self.kind = kind
        self.at = at
    }

    /// The entries of a sale: the buyer is charged the price, the seller credited its payout,
    /// the exchange its margin. They sum to zero.
    public static func forSale(_ sale: Sale, leadID: String, sellerID: String, at: Timestamp) -> [LedgerEntry] {
        [
            LedgerEntry(
                leadID: leadID, campaignID: sale.campaignID, account: "buyer:\(sale.buyerID)", amount: sale.price, kind: .sale, at: at),
            LedgerEntry(
                leadID: leadID, campaignID: sale.campaignID, account: "seller:\(sellerID)", amount: -sale.payout, kind: .sale, at: at),
            LedgerEntry(leadID: leadID, campaignID: sale.campaignID, account: "exchange:margin", amount: -sale.margin, kind: .sale, at: at),
        ]
    }

    /// The entries reversing a sale.
    public static func reversing(_ entries: [LedgerEntry], at: Timestamp) -> [LedgerEntry] {
        entries.map {
            LedgerEntry(leadID: $0.leadID, campaignID: $0.campaignID, account: $0.account, amount: -$0.amount, kind: .return, at: at)
        }
    }

    /// The entries of a buyer's payment: `buyer:<id>` −amount and `cash` +amount (kind
    /// `payment`, no lead or campaign).
    public static func forPayment(buyerID: String, amount: Money, at: Timestamp) -> [LedgerEntry] {
        [
            LedgerEntry(leadID: "", campaignID: "", account: "buyer:" + buyerID, amount: -amount, kind: .payment, at: at),
            LedgerEntry(leadID: "", campaignID: "", account: "cash", amount: amount, kind: .payment, at: at),
        ]
    }
}
