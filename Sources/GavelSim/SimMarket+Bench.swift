import GavelCore

extension SimMarket {
    /// The benchmark's single seller: all auto-insurance leads from one average source.
    static var benchSeller: SimSeller {
        SimSeller(
            id: "bench-seller", name: "Bench Seller", alias: "s-bench", revenueShare: "0.85", weight: 1,
            verticals: [.init("auto_insurance", 1)], sources: [SimSource("bench", quality: 1, weight: 1)])
    }

    /// A market of `count` hosted auto-insurance campaigns priced by rules (each its own buyer,
    /// bases $5.00, $5.50, …), delivering to buyers' inboxes: the exchange's own cost per lead,
    /// with no buyer on the network.
    public static func hostedBench(campaigns count: Int, seed: UInt64 = 1) -> SimMarket {
        let campaigns = (1...max(1, count)).map { index in
            SimCampaign(
                id: "hosted-\(index)", buyerID: "hosted-buyer-\(index)", buyerName: "Hosted Buyer \(index)", vertical: "auto_insurance",
                mode: .hosted, baseValue: 4.5 + 0.5 * Double(index), valueRules: autoRules, shade: 1)
        }
        return SimMarket(seed: seed, sellers: [benchSeller], campaigns: campaigns)
    }

    /// A market of `count` remote auto-insurance campaigns (`remote-1` …), each its own buyer,
    /// for sandbox buyers whose behavior the caller sets; `tmaxMS` is the exchange's deadline.
    public static func remoteBench(campaigns count: Int, tmaxMS: Int = 250, seed: UInt64 = 1) -> SimMarket {
        let campaigns = (1...max(1, count)).map { index in
            SimCampaign(
                id: "remote-\(index)", buyerID: "remote-buyer-\(index)", buyerName: "Remote Buyer \(index)", vertical: "auto_insurance",
                mode: .remote, baseValue: 5, latency: SimLatency(medianMS: 0.01, sigma: 0))
        }
        return SimMarket(seed: seed, sellers: [benchSeller], campaigns: campaigns, tmaxMS: tmaxMS)
    }
}
