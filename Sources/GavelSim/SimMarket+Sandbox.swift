import GavelCore

extension SimMarket {
    /// The secret a remote campaign's sandbox buyer checks signatures with.
    public static func secret(for campaign: SimCampaign) -> String {
        "sim-secret-\(campaign.id)"
    }

    /// How a remote campaign's sandbox buyer answers under a pricing: it bids from the model
    /// (shaded in the auction, its whole value in the tree), answers within its latency range
    /// (the 10th to 90th percentile of its latency model) and rejects posts at its rate.
    public func behavior(for campaign: SimCampaign, pricing: Pricing) -> SandboxBuyer.Behavior {
        let market = self
        let low = campaign.latency.quantile(z: -1.2816)
        let high = campaign.latency.quantile(z: 1.2816)
        var behavior = SandboxBuyer.Behavior(
            bid: .custom { ping in market.bid(campaign, ping: ping, pricing: pricing) },
            latency: .random(.microseconds(Int64(low * 1_000))...(.microseconds(Int64(high * 1_000)))),
            secret: Self.secret(for: campaign), seed: campaign.seed)
        if campaign.rejectRate > 0 {
            // The same leads as the offline model rejects, whatever order the posts come in.
            behavior.postDecision = { post in
                let fields = Self.vertical(campaign.vertical)?.nonPersonal(post["fields"]?.objectValue ?? [:]) ?? [:]
                return campaign.rejects(fields: fields, source: post["source"]?.stringValue ?? "") ? "not_a_fit" : nil
            }
        }
        return behavior
    }

    /// A remote campaign's bid for a ping body.
    public func bid(_ campaign: SimCampaign, ping: JSONValue, pricing: Pricing) -> Money? {
        let fields = ping["fields"]?.objectValue ?? [:]
        let source = ping["source"]?.stringValue ?? ""
        let value = campaign.value(fields: fields, source: source, sourceQuality: quality(ofSource: source))
        return campaign.bid(value: value, pricing: pricing)
    }

    /// Adds a sandbox buyer for every remote campaign (the sandbox must be running) and returns
    /// their endpoints by campaign id.
    @discardableResult
    public func addSandboxBuyers(to sandbox: SandboxBuyers, pricing: Pricing) -> [String: SimEndpoint] {
        var endpoints: [String: SimEndpoint] = [:]
        for campaign in campaigns where campaign.mode == .remote {
            let buyer = sandbox.add(campaign.id, behavior(for: campaign, pricing: pricing))
            endpoints[campaign.id] = SimEndpoint(pingURL: buyer.pingURL, postURL: buyer.postURL, secret: Self.secret(for: campaign))
        }
        return endpoints
    }

    /// The fault each remote campaign shows during time slot `tick` (e.g. one second), if any:
    /// a campaign is faulty for a share `faultRate` of slots, hanging, answering 500 or junk.
    /// Deterministic per campaign and slot.
    public func faults(tick: Int) -> [String: SandboxBuyer.Fault] {
        var faults: [String: SandboxBuyer.Fault] = [:]
        for campaign in campaigns where campaign.mode == .remote && campaign.faultRate > 0 {
            var random = SimRandom(seeds: seed, campaign.seed, UInt64(truncatingIfNegative: tick))
            guard random.chance(campaign.faultRate) else { continue }
            let kinds: [SandboxBuyer.Fault] = [.hang, .httpStatus(500), .junkBody]
            faults[campaign.id] = kinds[random.weightedIndex([0.4, 0.4, 0.2])]
        }
        return faults
    }

    /// Applies slot `tick`'s faults to the sandbox's remote buyers (clearing the others').
    public func applyFaults(tick: Int, to sandbox: SandboxBuyers) {
        let faults = faults(tick: tick)
        for campaign in campaigns where campaign.mode == .remote && campaign.faultRate > 0 {
            sandbox.buyer(campaign.id)?.update { $0.pingFault = faults[campaign.id] }
        }
    }

    /// Clears every remote buyer's fault.
    public func clearFaults(in sandbox: SandboxBuyers) {
        for campaign in campaigns where campaign.mode == .remote {
            sandbox.buyer(campaign.id)?.update { $0.pingFault = nil }
        }
    }
}
