import GavelCore

/// Where the dashboard reads: the same stores, configuration and circuit breakers as the API.
/// It only reads, through the storage ports as they are; what the ports cannot answer directly
/// (a recent-leads list) is pieced together from what they can, as noted at each method.
struct DashboardData: Sendable {
    /// The store.
    let store: any LeadStore & CapStore & MoneyStore & ReportStore & ChainStore
    /// The configuration in memory.
    let market: MarketCache
    /// The campaigns' circuit breakers.
    let circuits: any CircuitBoard
    /// The wall clock.
    let clock: any WallClock

    /// The current configuration.
    var config: MarketConfig { market.current.config }

    /// Report rows as the identity may see them (none without report storage).
    func report(_ dimension: ReportDimension, from: Timestamp, to: Timestamp, viewer: Viewer) async throws -> [ReportRow] {
        guard DashboardReports.allows(dimension, for: viewer.role) else { return [] }
        return try await store.report(DashboardReports.query(dimension, from: from, to: to, identity: viewer.identity, now: clock.now()))
    }

    /// The most recent sales the viewer may see, newest first: the operator's of every buyer, a
    /// buyer's own, a seller's own leads' sales.
    ///
    /// The storage ports have no recent-leads query, so this reads each buyer's bought leads
    /// (`MoneyStore.boughtLeads`, oldest first with a limit) over widening windows until
    /// enough are found. Unsold, rejected and duplicate leads cannot be listed this way.
    func recentSales(viewer: Viewer, limit: Int) async throws -> [BoughtLead] {
        let buyers = viewer.buyerID.map { [$0] } ?? config.buyers.keys.sorted()
        let matches: @Sendable (BoughtLead) -> Bool = { [seller = viewer.sellerID] sale in seller == nil || sale.lead.sellerID == seller }
        let each = max(20, limit / max(1, buyers.count))
        var sales: [BoughtLead] = []
        for buyer in buyers {
            sales += try await recentSales(store, buyer: buyer, limit: each, matching: matches)
        }
        return Array(sales.sorted { ($0.soldAt, $0.lead.id) > ($1.soldAt, $1.lead.id) }.prefix(limit))
    }

    /// A buyer's latest sales: every sale of the first window (10 seconds … 30 days) holding
    /// `limit` matching ones, or of the widest complete one. A window over the read cap is not
    /// complete (the store returns its oldest); then the previous window stands. Merged across
    /// buyers and cut to the overall limit, this is exact while each buyer's window spans the
    /// overall newest sales, which the widening makes likely, not certain.
    private func recentSales(
        _ money: any MoneyStore, buyer: String, limit: Int, matching: @Sendable (BoughtLead) -> Bool
    ) async throws -> [BoughtLead] {
        let cap = 2_000
        let now = clock.now()
        var best: [BoughtLead] = []
        for seconds: Int64 in [10, 60, 600, 3_600, 86_400, 604_800, 2_592_000] {
            let sales = try await money.boughtLeads(
                buyerID: buyer, from: now.adding(milliseconds: -seconds * 1_000), to: now.adding(milliseconds: 1), limit: cap)
            if sales.count >= cap { return best.isEmpty ? sales.filter(matching) : best }
            best = sales.filter(matching)
            if best.count >= limit { break }
        }
        return best
    }

    /// The details of leads, in the order given (unknown ids left out).
    func details(_ ids: [String]) async throws -> [LeadDetail] {
        var details: [LeadDetail] = []
        for id in ids {
            if let detail = try await store.lead(id: id) { details.append(detail) }
        }
        return details
    }

    /// The cap usage of campaigns in their current periods.
    func capUsage(_ campaigns: [Campaign]) async throws -> [String: CapUsage] {
        let now = clock.now()
        let periods = Dictionary(campaigns.map { ($0.id, $0.caps.periods(at: now)) }, uniquingKeysWith: { first, _ in first })
        guard !periods.isEmpty else { return [:] }
        return try await store.capUsage(periods)
    }

    /// The circuit state of a campaign.
    func circuit(_ campaignID: String) -> CircuitState {
        circuits.circuitStates()[campaignID] ?? .closed
    }
}

/// Which campaigns, buyers and sellers a viewer may see: the rules of the reports API applied
/// to configuration and to single leads.
enum DashboardScope {
    /// The campaigns a viewer may list: all for the operator, its own for a buyer, none for a
    /// seller.
    static func campaigns(_ config: MarketConfig, viewer: Viewer) -> [Campaign] {
        let all = config.campaigns.values.sorted { $0.id < $1.id }
        switch viewer.role {
        case .admin: return all
        case .buyer: return all.filter { $0.buyerID == viewer.subject }
        case .seller: return []
        }
    }

    /// Whether a viewer may open a lead: the operator any, a seller its own, a buyer one its
    /// campaigns were pinged, offered or sold.
    static func mayOpen(_ detail: LeadDetail, viewer: Viewer) -> Bool {
        switch viewer.role {
        case .admin: return true
        case .seller: return detail.lead.sellerID == viewer.subject
        case .buyer:
            guard let outcome = detail.outcome, let buyer = viewer.subject else { return false }
            return outcome.pings.contains { $0.buyerID == buyer } || outcome.posts.contains { $0.buyerID == buyer }
                || outcome.sales.contains { $0.buyerID == buyer }
        }
    }
}
