/// A buyer's sale of a lead as a return finds it in a store: what the return policy needs to
/// decide, and what an approved return reverses.
public struct SoldLead: Sendable, Hashable {
    /// The lead.
    public var leadID: String
    /// The buyer that bought it.
    public var buyerID: String
    /// The campaign that bought it.
    public var campaignID: String
    /// The seller of the lead.
    public var sellerID: String
    /// What the buyer was charged.
    public var price: Money
    /// What the seller was paid.
    public var payout: Money
    /// When it was sold.
    public var soldAt: Timestamp
    /// The campaign's return window at the time of the sale.
    public var returnWindowDays: Int
    /// Whether this sale was returned already.
    public var returned: Bool
    /// Whether the lead was a test lead (nothing was charged).
    public var test: Bool

    /// Creates a sold lead.
    public init(
        leadID: String, buyerID: String, campaignID: String, sellerID: String, price: Money, payout: Money, soldAt: Timestamp,
        returnWindowDays: Int, returned: Bool, test: Bool
    ) {
        self.leadID = leadID
        self.buyerID = buyerID
        self.campaignID = campaignID
        self.sellerID = sellerID
        self.price = price
        self.payout = payout
        self.soldAt = soldAt
        self.returnWindowDays = returnWindowDays
        self.returned = returned
        self.test = test
    }

    /// The sale's ledger entries as they were written when it sold.
    public var saleEntries: [LedgerEntry] {
        let hold = CapHold(
            campaignID: campaignID, buyerID: buyerID, caps: Campaign.Caps(), periods: CapPeriods(date: CivilDate(daysSinceEpoch: 0)),
            price: price, balanceLimit: nil, counts: !test)
        let sale = Sale(
            campaignID: campaignID, buyerID: buyerID, price: price, payout: payout, buyerLeadID: nil, hold: hold,
            returnWindowDays: returnWindowDays)
        return LedgerEntry.forSale(sale, leadID: leadID, sellerID: sellerID, at: soldAt)
    }
}

/// The return policy, decided once for every store: only the buyer that bought the lead (a
/// test lead has no charge to return), before the sale's return window closes, within the
/// buyer's return rate (`max_return_rate`), once. The stores find the sale and count, then
/// persist what the decision says.
public enum ReturnPolicy {
    /// A buyer's returns and counted sales in the window of ``rateWindow(_:)``.
    public struct RateCounts: Sendable, Hashable {
        /// Returns made in the window.
        public var returns: Int
        /// Counted (non-test) sales made in the window.
        public var sales: Int

        /// Creates counts.
        public init(returns: Int, sales: Int) {
            self.returns = returns
            self.sales = sales
        }
    }

    /// What to do with a return request.
    public enum Decision: Sendable, Hashable {
        /// Nothing changes; answer this.
        case refuse(ReturnResult)
        /// Mark the sale returned, write these entries (the sale's, reversed) and reduce the
        /// buyer's unpaid balance by the refund. Cap usage is not given back.
        case approve(refund: Money, entries: [LedgerEntry])
    }

    /// The days of the return-rate window.
    public static let rateWindowDays = 30

    /// The window a return's rate is counted in: returns and sales after `from`, up to and
    /// including `through` (the request's moment, so returns made at the same moment count).
    public static func rateWindow(_ request: ReturnRequest) -> (from: Timestamp, through: Timestamp) {
        (request.at.minus(days: rateWindowDays), request.at)
    }

    /// Whether deciding needs the buyer's ``RateCounts`` (a rate limit is set and the sale
    /// passed every other check), so a store counts only when it must.
    public static func needsCounts(_ request: ReturnRequest, sold: SoldLead?) -> Bool {
        request.maxReturnRate != nil && screen(request, sold: sold) == nil
    }

    /// The decision; `counts` are needed when ``needsCounts(_:sold:)`` says so (without them a
    /// rate limit is not checked).
    public static func decide(_ request: ReturnRequest, sold: SoldLead?, counts: RateCounts?) -> Decision {
        if let refusal = screen(request, sold: sold) { return .refuse(refusal) }
        guard let sold else { return .refuse(.notFound) }
        if let limit = request.maxReturnRate, let counts, exceeds(limit, counts) {
            return .refuse(.denied(reason: "return_rate_exceeded"))
        }
        return .approve(refund: sold.price, entries: LedgerEntry.reversing(sold.saleEntries, at: request.at))
    }

    /// The checks that need no counting: found, not a test lead, not returned, in the window.
    static func screen(_ request: ReturnRequest, sold: SoldLead?) -> ReturnResult? {
        guard let sold, !sold.test else { return .notFound }
        if sold.returned { return .alreadyReturned }
        let closes = sold.soldAt.adding(milliseconds: Int64(sold.returnWindowDays) * 86_400_000)
        if request.at >= closes { return .denied(reason: "outside_return_window") }
        return nil
    }

    /// Whether this return would lift returns ÷ sales above the limit: `(returns + 1) / sales
    /// > limit`, in exact integers.
    static func exceeds(_ limit: Rate, _ counts: RateCounts) -> Bool {
        Int64(counts.returns + 1) * 1_000_000 > limit.micros * Int64(counts.sales)
    }
}
