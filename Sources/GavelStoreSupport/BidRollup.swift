import GavelCore

/// Where a campaign's bid on a lead is rolled up for bid guidance: the lead's group, the
/// campaign, its buyer and the lead's clearing price (`-1` when it did not sell).
package struct BidGroup: Hashable, Sendable {
    package var lead: LeadGroup
    package var campaignID: String
    package var buyerID: String
    package var clearingCents: Int64

    package init(lead: LeadGroup, campaignID: String, buyerID: String, clearingCents: Int64) {
        self.lead = lead
        self.campaignID = campaignID
        self.buyerID = buyerID
        self.clearingCents = clearingCents
    }
}

/// One campaign's bid on a finished lead, before the lead's group is known.
package struct BidIncrement: Sendable, Hashable {
    package var campaignID: String
    package var buyerID: String
    package var clearingCents: Int64
    /// Whether the campaign bought the lead.
    package var won: Bool

    /// Each bidding campaign's increment of an outcome: once per campaign, with the price of
    /// the lead's first sale as its clearing price.
    package static func all(_ outcome: LeadOutcome) -> [BidIncrement] {
        let clearing = outcome.sales.first?.price.cents ?? -1
        var seen = Set<String>()
        return outcome.pings.compactMap { ping in
            guard ping.answer.isBid, seen.insert(ping.campaignID).inserted else { return nil }
            return BidIncrement(
                campaignID: ping.campaignID, buyerID: ping.buyerID, clearingCents: clearing,
                won: outcome.sales.contains { $0.campaignID == ping.campaignID })
        }
    }
}

/// The counts of one ``BidGroup``: leads bid on, and leads won.
package struct BidCounts: Sendable, Hashable {
    package var leads = 0
    package var won = 0

    package init(leads: Int = 0, won: Int = 0) {
        self.leads = leads
        self.won = won
    }

    package mutating func add(_ other: BidCounts) {
        leads += other.leads
        won += other.won
    }
}

/// Reads bid facts from the rollups every store keeps: the bid rollup for leads, wins and
/// clearing prices, and the campaigns' report rollup for posts, sales and returns.
package enum BidFactsAssembly {
    /// Bid rows (already filtered to the buyer and the hours) as facts.
    package static func facts(bids: [(BidGroup, BidCounts)], campaigns: [(CampaignGroup, RollupCounters)]) -> [BidFacts] {
        var parts: [BidFacts] = bids.map { group, counts in
            BidFacts(
                campaignID: group.campaignID, vertical: group.lead.vertical, source: group.lead.source, leads: counts.leads,
                won: counts.won, clearing: group.clearingCents >= 0 ? [group.clearingCents: counts.leads] : [:])
        }
        parts += campaigns.map { group, counters in
            BidFacts(
                campaignID: group.campaignID, vertical: group.lead.vertical, source: group.lead.source, accepted: counters.accepted,
                rejected: counters.rejected, sold: counters.sold, returned: counters.returned)
        }
        return BidFacts.merged(parts)
    }

    /// The hours `[from, to)` covers, as reports count them (an overlapping hour counts whole).
    package static func hours(_ query: BidFactsQuery) -> Range<Int64> {
        LeadGroup.hours(from: query.from, to: query.to)
    }
}

extension Range where Bound == Int64 {
    /// The lower and upper bounds.
    package var bounds: (Int64, Int64) { (lowerBound, upperBound) }
}
