import GavelCore
import GavelStoreSupport

extension InMemoryStore {
    /// The rows of a report, sorted by key, read from hourly rollups as the database stores
    /// keep them (so the numbers are theirs).
    ///
    /// An hour overlapping `[from, to)` counts whole. Lead-side rows without a buyer scope read
    /// the leads' rollup; buyer-side rows, and lead-side rows scoped to a buyer (which then
    /// count only what concerns its campaigns), read the campaigns' rollup. A lead counts once
    /// finished (its outcome recorded, stored as a duplicate, or reconciled); test leads never
    /// count; returns and conversions count in the lead's arrival hour.
    public func report(_ query: ReportQuery) async throws -> [ReportRow] {
        let plan = RollupQuery(query)
        guard plan.fromHour < plan.toHour else { return [] }
        let rollups = try locked { $0.rollups }
        return plan.rows(rollups)
    }
}

/// How a report query reads the rollups: which rows, and each row's key.
struct RollupQuery {
    let query: ReportQuery
    let fromHour: Int64
    let toHour: Int64

    init(_ query: ReportQuery) {
        self.query = query
        (fromHour, toHour) = LeadGroup.hours(from: query.from, to: query.to).bounds
    }

    /// The report's rows, summed per key and sorted.
    func rows(_ rollups: RollupBatch) -> [ReportRow] {
        var sums: [String: RollupCounters] = [:]
        if query.groupBy.isBuyerSide || query.buyerID != nil {
            for (group, counters) in rollups.campaigns where matches(group.lead, buyerID: group.buyerID) {
                sums[key(group.lead, campaignID: group.campaignID, buyerID: group.buyerID), default: RollupCounters()].add(counters)
            }
        } else {
            for (group, counters) in rollups.leads where matches(group, buyerID: nil) {
                sums[key(group, campaignID: nil, buyerID: nil), default: RollupCounters()].add(counters)
            }
        }
        return sums.map { Self.row(key: $0.key, $0.value) }.sorted { $0.key < $1.key }
    }

    private func matches(_ group: LeadGroup, buyerID: String?) -> Bool {
        guard group.hour >= fromHour, group.hour < toHour else { return false }
        if let seller = query.sellerID, group.sellerID != seller { return false }
        if let buyer = query.buyerID, buyerID != buyer { return false }
        return true
    }

    /// The row key: `seller/source` for the operator's sources, `YYYY-MM-DD` days and
    /// `YYYY-MM-DDTHH:00Z` hours (UTC).
    private func key(_ group: LeadGroup, campaignID: String?, buyerID: String?) -> String {
        switch query.groupBy {
        case .seller: return group.sellerID
        case .source: return query.sellerID == nil ? group.sellerID + "/" + group.source : group.source
        case .buyer: return buyerID ?? ""
        case .campaign: return campaignID ?? ""
        case .vertical: return group.vertical
        case .day: return CivilDate(daysSinceEpoch: Int(group.hour / 24)).description
        case .hour:
            let (day, hourOfDay) = (Int(group.hour / 24), Int(group.hour % 24))
            return "\(CivilDate(daysSinceEpoch: day))T\(hourOfDay < 10 ? "0" : "")\(hourOfDay):00Z"
        }
    }

    private static func row(key: String, _ counters: RollupCounters) -> ReportRow {
        var row = ReportRow(key: key)
        row.leads = counters.leads
        row.pings = counters.pings
        row.bids = counters.bids
        row.sold = counters.sold
        row.accepted = counters.accepted
        row.rejected = counters.rejected
        row.returned = counters.returned
        row.conversions = counters.conversions
        row.revenue = Money(cents: counters.revenueCents)
        row.payout = Money(cents: counters.payoutCents)
        row.timeouts = counters.timeouts
        row.latency = LatencyHistogram(counts: counters.latency)
        return row
    }
}

extension InMemoryStore {
    /// One buyer's bidding per campaign and segment, from the rollups (see ``BidFactsAssembly``).
    public func bidFacts(_ query: BidFactsQuery) async throws -> [BidFacts] {
        let hours = BidFactsAssembly.hours(query)
        let rollups = try locked { $0.rollups }
        let bids = rollups.bids.filter { $0.key.buyerID == query.buyerID && hours.contains($0.key.lead.hour) }
        let campaigns = rollups.campaigns.filter { $0.key.buyerID == query.buyerID && hours.contains($0.key.lead.hour) }
        return BidFactsAssembly.facts(bids: bids.map { ($0.key, $0.value) }, campaigns: campaigns.map { ($0.key, $0.value) })
    }
}
