import GavelCore

/// What a report must say, computed straight from the leads, outcomes, returns and conversions
/// given to a store — an independent reference for the conformance suite.
///
/// Rules (see `ReportStore`): test leads count nowhere; a lead counts in the UTC hour it
/// arrived; the lead side counts each lead once with all its pings, posts and sales; the
/// campaign side counts, per campaign pinged, posted or sold to, the lead once and its share.
/// An hour overlapping the query's range counts whole.
struct ReportModel {
    /// The facts of one lead (`campaignID == nil`) or of one campaign's share of it.
    struct Fact {
        var hour: Int64
        var lead: Lead
        var campaignID: String?
        var buyerID: String?
        var counts: ReportRow
    }

    private var facts: [String: [Fact]] = [:]

    /// Counts a finished lead (a duplicate counts as a lead only).
    mutating func add(_ lead: Lead, _ outcome: LeadOutcome) {
        guard !lead.test else { return }
        let hour = Self.hour(lead.receivedAt.milliseconds)
        var own = Fact(hour: hour, lead: lead, counts: Self.counts(outcome.pings, outcome.posts, outcome.sales))
        own.counts.sold = outcome.sales.isEmpty ? 0 : 1
        var campaigns: [Fact] = []
        for (campaign, buyer) in Self.campaigns(outcome) {
            var counts = Self.counts(
                outcome.pings.filter { $0.campaignID == campaign }, outcome.posts.filter { $0.campaignID == campaign },
                outcome.sales.filter { $0.campaignID == campaign })
            counts.sold = outcome.sales.filter { $0.campaignID == campaign }.count
            campaigns.append(Fact(hour: hour, lead: lead, campaignID: campaign, buyerID: buyer, counts: counts))
        }
        facts[lead.id] = [own] + campaigns
    }

    /// Counts an approved return of a sale.
    mutating func returned(leadID: String, sale: Sale) {
        change(leadID, campaignID: sale.campaignID) {
            $0.returned += 1
            $0.revenue -= sale.price
            $0.payout -= sale.payout
        }
    }

    /// Counts a conversion of a sale.
    mutating func converted(leadID: String, campaignID: String) {
        change(leadID, campaignID: campaignID) { $0.conversions += 1 }
    }

    /// The report's rows, sorted by key.
    func report(_ query: ReportQuery) -> [ReportRow] {
        let (from, to) = (Self.hour(query.from.milliseconds), Self.hour(query.to.milliseconds - 1) + 1)
        let campaignSide = query.groupBy.isBuyerSide || query.buyerID != nil
        var rows: [String: ReportRow] = [:]
        for fact in facts.values.joined() where fact.hour >= from && fact.hour < to && (fact.campaignID != nil) == campaignSide {
            if let seller = query.sellerID, fact.lead.sellerID != seller { continue }
            if let buyer = query.buyerID, fact.buyerID != buyer { continue }
            let key = Self.key(fact, query)
            rows[key, default: ReportRow(key: key)].add(fact.counts)
        }
        return rows.values.sorted { $0.key < $1.key }
    }

    // MARK: Counting

    private mutating func change(_ leadID: String, campaignID: String, _ body: (inout ReportRow) -> Void) {
        guard var list = facts[leadID] else { return }
        for index in list.indices where list[index].campaignID == nil || list[index].campaignID == campaignID {
            body(&list[index].counts)
        }
        facts[leadID] = list
    }

    private static func counts(_ pings: [PingRecord], _ posts: [PostRecord], _ sales: [Sale]) -> ReportRow {
        var row = ReportRow(key: "")
        row.leads = 1
        row.pings = pings.count
        row.bids = pings.filter { [.bid, .hosted].contains($0.answer.kind) && ($0.answer.bid?.cents ?? 0) > 0 }.count
        let remote = pings.filter { $0.answer.kind != .hosted }
        row.timeouts = remote.filter { $0.answer.kind == .timeout }.count
        for ping in remote { row.latency.record(micros: ping.answer.latencyMicros) }
        row.accepted = posts.filter { $0.outcome == .accepted }.count
        row.rejected = posts.count - row.accepted
        row.revenue = sales.reduce(.zero) { $0 + $1.price }
        row.payout = sales.reduce(.zero) { $0 + $1.payout }
        return row
    }

    /// The campaigns a lead concerns, in order of first appearance.
    private static func campaigns(_ outcome: LeadOutcome) -> [(String, String)] {
        let all =
            outcome.pings.map { ($0.campaignID, $0.buyerID) } + outcome.posts.map { ($0.campaignID, $0.buyerID) }
            + outcome.sales.map { ($0.campaignID, $0.buyerID) }
        var seen: Set<String> = []
        return all.filter { seen.insert($0.0 + "\u{0}" + $0.1).inserted }
    }

    private static func key(_ fact: Fact, _ query: ReportQuery) -> String {
        let day = CivilDate(daysSinceEpoch: Int(fact.hour / 24))
        switch query.groupBy {
        case .seller: return fact.lead.sellerID
        case .source: return query.sellerID == nil ? fact.lead.sellerID + "/" + fact.lead.source : fact.lead.source
        case .buyer: return fact.buyerID ?? ""
        case .campaign: return fact.campaignID ?? ""
        case .vertical: return fact.lead.vertical
        case .day: return day.description
        case .hour:
            let hour = fact.hour % 24
            return "\(day)T\(hour < 10 ? "0" : "")\(hour):00Z"
        }
    }

    static func hour(_ milliseconds: Int64) -> Int64 {
        Int64((Double(milliseconds) / 3_600_000).rounded(.down))
    }
}

extension ReportRow {
    /// Adds another row's counts (the key stays).
    mutating func add(_ other: ReportRow) {
        leads += other.leads
        pings += other.pings
        bids += other.bids
        sold += other.sold
        accepted += other.accepted
        rejected += other.rejected
        returned += other.returned
        conversions += other.conversions
        revenue += other.revenue
        payout += other.payout
        timeouts += other.timeouts
        latency.merge(other.latency)
    }
}
