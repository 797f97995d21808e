import GavelCore

extension SimMarket {
    /// The states of the floors market's thin segments: one, two and three bidders.
    public static let thinStates: [String: Int] = ["PA": 1, "IL": 2, "OH": 3]
    /// The states of the floors market's thick segments: ten bidders each.
    public static let thickStates = ["CA", "TX", "FL", "NY"]

    /// A market for learned floors: auto-insurance leads from one seller, sold in thin segments
    /// (PA with one remote buyer, IL with two, OH with three) and thick ones (CA, TX, FL, NY
    /// with ten), every buyer bidding its own noisy value of each lead. Leads of other states
    /// find no buyer in either run.
    public static func floorsBench(seed: UInt64 = 1) -> SimMarket {
        let thick = (1...10).map { index in
            remoteBenchCampaign("thick-\(index)", base: 14 + Double(index), states: thickStates)
        }
        let thin = thinStates.sorted { $0.key < $1.key }.flatMap { state, bidders in
            (1...bidders).map { index in
                remoteBenchCampaign("thin-\(state.lowercased())-\(index)", base: 16 + 2 * Double(index), states: [state])
            }
        }
        return SimMarket(seed: seed, sellers: [benchSeller], campaigns: thick + thin)
    }

    /// A market for quality ranking: six remote buyers of auto-insurance leads in every state —
    /// three steady ones (2 % of posts rejected, 3 % of sales returned), one that bids high but
    /// rejects half its posts, and two that bid high and return 40 % of what they buy.
    public static func qualityBench(seed: UInt64 = 1) -> SimMarket {
        var campaigns = (1...3).map { index in
            remoteBenchCampaign("steady-\(index)", base: 15 + Double(index), states: [], rejectRate: 0.02, returnRate: 0.03)
        }
        campaigns.append(remoteBenchCampaign("flaky", base: 21, states: [], rejectRate: 0.5, returnRate: 0.03))
        campaigns += (1...2).map { index in
            remoteBenchCampaign("returner-\(index)", base: 20 + Double(index), states: [], rejectRate: 0.02, returnRate: 0.4)
        }
        return SimMarket(seed: seed, sellers: [benchSeller], campaigns: campaigns)
    }

    /// A remote campaign of the intelligence benches: its own buyer, the auto value rules, a
    /// noisy value per lead, bidding 90 % of it, answering in a few milliseconds.
    static func remoteBenchCampaign(
        _ id: String, base: Double, states: [String], rejectRate: Double = 0, returnRate: Double = 0
    ) -> SimCampaign {
        let filters: [JSONValue] = states.isEmpty ? [] : [["field": "state", "in": .array(states.map(JSONValue.string))]]
        var campaign = SimCampaign(
            id: id, buyerID: "buyer-\(id)", buyerName: "Buyer \(id)", vertical: "auto_insurance", mode: .remote, baseValue: base,
            valueRules: autoRules, filters: filters, noise: 0.35, shade: 0.9, latency: SimLatency(medianMS: 2, sigma: 0.3),
            rejectRate: rejectRate)
        campaign.returnRate = returnRate
        return campaign
    }
}
