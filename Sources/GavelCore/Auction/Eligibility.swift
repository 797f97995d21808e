/// Why a campaign was not offered a lead.
public enum SkipReason: String, Sendable, Hashable, CaseIterable {
    /// The campaign is paused.
    case paused
    /// A filter did not match.
    case filter
    /// The seller is not on the allow list, or is on the deny list.
    case sellerList = "seller_list"
    /// Outside the campaign's schedule.
    case schedule
    /// A cap is used up.
    case cap
    /// The buyer's unpaid spend is at its credit limit.
    case credit
    /// The campaign already received this consumer within its dedupe window.
    case dedupe
    /// The consumer is on the buyer's suppression list.
    case suppression
    /// The campaign's circuit breaker is open after repeated failures.
    case circuitOpen = "circuit_open"
}

/// Everything eligibility needs to know about one lead and the state of the market.
public struct EligibilityContext: Sendable {
    /// The seller of the lead.
    public var sellerID: String
    /// The lead's normalized fields.
    public var fields: [String: JSONValue]
    /// When the lead arrived.
    public var now: Timestamp
    /// Usage of each campaign's caps in its current periods.
    public var usage: [String: CapUsage]
    /// Unpaid spend per buyer.
    public var balances: [String: Money]
    /// Buyers whose suppression list holds this consumer.
    public var suppressedBuyers: Set<String>
    /// When each campaign last bought this consumer.
    public var lastSold: [String: Timestamp]
    /// Campaigns whose circuit breaker is open.
    public var openCircuits: Set<String>

    /// Creates a context.
    public init(
        sellerID: String, fields: [String: JSONValue], now: Timestamp, usage: [String: CapUsage] = [:],
        balances: [String: Money] = [:], suppressedBuyers: Set<String> = [], lastSold: [String: Timestamp] = [:],
        openCircuits: Set<String> = []
    ) {
        self.sellerID = sellerID
        self.fields = fields
        self.now = now
        self.usage = usage
        self.balances = balances
        self.suppressedBuyers = suppressedBuyers
        self.lastSold = lastSold
        self.openCircuits = openCircuits
    }
}

/// Decides which campaigns may be offered a lead, and why the others may not.
public enum Eligibility {
    /// Why `campaign` must skip the lead, or `nil` when it is eligible.
    public static func skipReason(
        _ campaign: Campaign, buyer: Buyer?, context: EligibilityContext, converter: ZoneConverter = .shared
    ) -> SkipReason? {
        if campaign.status == .paused { return .paused }
        if !campaign.sellers.admits(context.sellerID) { return .sellerList }
        if !campaign.accepts(context.fields) { return .filter }
        if let schedule = campaign.schedule,
            !schedule.isOpen(at: converter.localTime(epochSeconds: context.now.seconds, zone: schedule.timezone))
        {
            return .schedule
        }
        if campaign.caps.isExhausted(context.usage[campaign.id] ?? .zero) { return .cap }
        if let limit = buyer?.balanceLimit, (context.balances[campaign.buyerID] ?? .zero) >= limit { return .credit }
        if isDuplicate(campaign, context: context) { return .dedupe }
        if context.suppressedBuyers.contains(campaign.buyerID) { return .suppression }
        if context.openCircuits.contains(campaign.id) { return .circuitOpen }
        return nil
    }

    /// Whether the campaign bought this consumer within its own dedupe window.
    public static func isDuplicate(_ campaign: Campaign, context: EligibilityContext) -> Bool {
        guard let days = campaign.dedupeDays, days > 0, let last = context.lastSold[campaign.id] else { return false }
        return last > context.now.minus(days: days)
    }

    /// Splits campaigns into the eligible ones and the skipped ones with their reasons.
    public static func partition(
        _ campaigns: [Campaign], buyers: [String: Buyer], context: EligibilityContext, converter: ZoneConverter = .shared
    ) -> (eligible: [Campaign], skipped: [(campaign: Campaign, reason: SkipReason)]) {
        var eligible: [Campaign] = []
        var skipped: [(campaign: Campaign, reason: SkipReason)] = []
        for campaign in campaigns {
            if let reason = skipReason(campaign, buyer: buyers[campaign.buyerID], context: context, converter: converter) {
                skipped.append((campaign, reason))
            } else {
                eligible.append(campaign)
            }
        }
        return (eligible, skipped)
    }
}
