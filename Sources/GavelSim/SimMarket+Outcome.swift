import GavelCore

/// What a lead stream earned: the seller's view (payouts) and the buyers' (spend).
public struct SimOutcome: Sendable, Hashable {
    /// Leads offered.
    public var leads = 0
    /// Leads sold.
    public var sold = 0
    /// What sellers earned (their share of each sale).
    public var sellerRevenue = Money.zero
    /// What buyers paid.
    public var buyerSpend = Money.zero

    /// Creates an empty outcome.
    public init() {}

    /// Counts one lead, sold at `price` with the seller earning `payout`, or unsold (`nil`).
    public mutating func record(price: Money?, payout: Money?) {
        leads += 1
        guard let price, let payout else { return }
        sold += 1
        buyerSpend += price
        sellerRevenue += payout
    }

    /// The share of leads sold (0 when there were none).
    public var fillRate: Double { leads == 0 ? 0 : Double(sold) / Double(leads) }

    /// The seller's average payout per sold lead.
    public var averagePrice: Money { sold == 0 ? .zero : Money(cents: sellerRevenue.cents / Int64(sold)) }

    /// The seller's earnings per offered lead.
    public var revenuePerLead: Money { leads == 0 ? .zero : Money(cents: sellerRevenue.cents / Int64(leads)) }
}

extension SimMarket {
    /// What a lead stream would earn under a pricing, computed without a network by the same
    /// rules the exchange applies (eligibility by seller lists and filters, floors, ranking,
    /// first-price clearing, post rejections, the tree's tier order, direct fallback). It
    /// leaves out what only a live run has: schedules, caps, timeouts and faults.
    public func expectedOutcome(_ leads: [SimLead], pricing: Pricing) -> SimOutcome {
        let tiers = pricing == .tree ? tierPrices() : [:]
        let parsed = campaigns.map { (sim: $0, campaign: exchangeCampaign($0, pricing: pricing, tiers: tiers)) }
        let sellerModels = Dictionary(uniqueKeysWithValues: sellers.map { ($0.id, $0.seller) })
        var outcome = SimOutcome()
        for lead in leads {
            guard let view = SimLeadView(lead, market: self), let vertical = Self.vertical(lead.vertical),
                let seller = sellerModels[lead.sellerID]
            else { continue }
            let eligible = parsed.filter { $0.sim.vertical == lead.vertical && view.offered(to: $0.campaign) }
            let sale =
                pricing == .auction
                ? auctionPrice(eligible, view: view, floor: vertical.floor) : treePrice(eligible, view: view, floor: vertical.floor)
            let price = sale ?? directPrice(eligible, floor: vertical.floor)
            outcome.record(price: price, payout: price.map { seller.payout(for: $0) })
        }
        return outcome
    }

    private typealias Entry = (sim: SimCampaign, campaign: Campaign)

    private func offer(_ entry: Entry, view: SimLeadView, pricing: Pricing) -> Money? {
        let amount: Money?
        switch entry.sim.mode {
        case .hosted: amount = entry.campaign.bid.price(for: view.pingFields)
        case .remote:
            let value = entry.sim.value(fields: view.pingFields, source: view.lead.source, sourceQuality: view.quality)
            amount = entry.sim.bid(value: value, pricing: pricing)
        case .direct: amount = nil
        }
        return amount.map { entry.campaign.effectiveBid($0, seller: view.lead.sellerID) }
    }

    private func auctionPrice(_ eligible: [Entry], view: SimLeadView, floor: Money) -> Money? {
        let bids = eligible.compactMap { entry in
            offer(entry, view: view, pricing: .auction).map {
                Bid(campaignID: entry.sim.id, buyerID: entry.sim.buyerID, amount: $0, priority: entry.campaign.priority)
            }
        }
        let ranked = Auction.rank(bids, floor: floor)
        let prices = Auction.clearingPrices(ranked, floor: floor, kind: .firstPrice)
        for (bid, price) in zip(ranked, prices) {
            guard let sim = campaign(bid.campaignID), !sim.rejects(fields: view.pingFields, source: view.lead.source) else { continue }
            return price
        }
        return nil
    }

    private func treePrice(_ eligible: [Entry], view: SimLeadView, floor: Money) -> Money? {
        let nodes = eligible.filter { $0.sim.mode != .direct }.sorted { a, b in
            (a.campaign.priority, a.campaign.price ?? .zero, b.sim.id) > (b.campaign.priority, b.campaign.price ?? .zero, a.sim.id)
        }
        for node in nodes {
            guard let bid = offer(node, view: view, pricing: .tree) else { continue }
            let price = node.campaign.price ?? bid
            guard bid >= price, price >= floor, price > .zero else { continue }
            if !node.sim.rejects(fields: view.pingFields, source: view.lead.source) { return price }
        }
        return nil
    }

    private func directPrice(_ eligible: [Entry], floor: Money) -> Money? {
        eligible.filter { $0.sim.mode == .direct }.compactMap { $0.campaign.price }.filter { $0 >= floor && $0 > .zero }.max()
    }
}
