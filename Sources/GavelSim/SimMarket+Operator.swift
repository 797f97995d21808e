import GavelCore

/// Where a remote campaign's buyer listens, and the secret calls to it are signed with.
public struct SimEndpoint: Sendable, Hashable {
    /// The ping URL.
    public var pingURL: String
    /// The post URL.
    public var postURL: String
    /// The signing secret.
    public var secret: String
    /// A mapped integration (`delivery.integration`) to reach the buyer by; `nil` speaks the
    /// native protocol at the URLs.
    public var integration: JSONValue?

    /// Creates an endpoint.
    public init(pingURL: String, postURL: String, secret: String, integration: JSONValue? = nil) {
        self.pingURL = pingURL
        self.postURL = postURL
        self.secret = secret
        self.integration = integration
    }

    /// A placeholder, for building campaigns that are never pinged (the offline model).
    public static let placeholder = SimEndpoint(pingURL: "http://127.0.0.1:9/ping", postURL: "http://127.0.0.1:9/post", secret: "x")
}

/// One record to create through the operator API: `POST /v1/<collection>` with `body`, or
/// `PUT /v1/<collection>/<id>` when it exists already.
public struct SimOperatorStep: Sendable, Hashable {
    /// `sellers`, `buyers` or `campaigns`.
    public var collection: String
    /// The record's id.
    public var id: String
    /// The wire form.
    public var body: JSONValue

    /// Creates a step.
    public init(collection: String, id: String, body: JSONValue) {
        self.collection = collection
        self.id = id
        self.body = body
    }
}

extension SimMarket {
    /// The settings for a pricing: first-price auction or waterfall tree, the market's tmax
    /// and each vertical's floor.
    public func settingsBody(_ pricing: Pricing) -> JSONValue {
        let floors = verticalIDs.compactMap { id in Self.vertical(id).map { (id, $0.floor.json) } }
        return [
            "auction": pricing == .auction ? "first_price" : "waterfall", "default_tmax_ms": .number(Number(tmaxMS)),
            "floors": .object(Dictionary(uniqueKeysWithValues: floors)), "dedupe_days": 30,
        ]
    }

    /// Every seller, buyer and campaign to install for a pricing, in dependency order. Remote
    /// campaigns point at `endpoints[campaign id]` (a placeholder when missing).
    public func operatorSteps(_ pricing: Pricing, endpoints: [String: SimEndpoint]) -> [SimOperatorStep] {
        let tiers = pricing == .tree ? tierPrices() : [:]
        let sellerSteps = sellers.map { seller in
            SimOperatorStep(
                collection: "sellers", id: seller.id,
                body: [
                    "id": .string(seller.id), "name": .string(seller.name), "alias": .string(seller.alias),
                    "revenue_share": .number(Number(text: seller.revenueShare)!),
                ])
        }
        let buyerSteps = buyers.map { buyer in
            SimOperatorStep(collection: "buyers", id: buyer.id, body: ["id": .string(buyer.id), "name": .string(buyer.name)])
        }
        let campaignSteps = campaigns.map { campaign in
            SimOperatorStep(
                collection: "campaigns", id: campaign.id,
                body: campaignBody(campaign, pricing: pricing, tiers: tiers, endpoint: endpoints[campaign.id] ?? .placeholder))
        }
        return sellerSteps + buyerSteps + campaignSteps
    }

    /// A campaign's wire form under a pricing.
    public func campaignBody(_ campaign: SimCampaign, pricing: Pricing, tiers: [String: Money], endpoint: SimEndpoint) -> JSONValue {
        var body: [String: JSONValue] = [
            "id": .string(campaign.id), "buyer_id": .string(campaign.buyerID), "vertical": .string(campaign.vertical),
            "name": .string("\(campaign.buyerName) — \(campaign.vertical)"), "status": "active",
            "delivery": delivery(campaign, endpoint: endpoint), "filters": .array(campaign.filters),
            "sellers": ["deny": .array(campaign.denySellers.map(JSONValue.string))], "dedupe_days": 30,
            "priority": .number(Number(pricing == .tree ? treePriority(campaign, tiers: tiers) : 0)),
        ]
        if campaign.mode == .hosted {
            let base = pricing == .auction ? campaign.baseValue * campaign.shade : campaign.baseValue
            body["bid"] = ["base": SimCampaign.dollars(base), "rules": .array(campaign.valueRules)]
        }
        if let price = campaign.directPrice {
            body["price"] = SimCampaign.dollars(price)
        } else if pricing == .tree, let tier = tiers[campaign.id] {
            body["price"] = tier.json
        }
        if let cap = campaign.dailyCap { body["caps"] = ["timezone": "America/New_York", "daily_leads": .number(Number(cap))] }
        if campaign.businessHours { body["schedule"] = Self.businessHours }
        return .object(body)
    }

    private func delivery(_ campaign: SimCampaign, endpoint: SimEndpoint) -> JSONValue {
        switch campaign.mode {
        case .remote:
            if let integration = endpoint.integration {
                ["mode": "remote", "secret": .string(endpoint.secret), "integration": integration]
            } else {
                [
                    "mode": "remote", "ping_url": .string(endpoint.pingURL), "post_url": .string(endpoint.postURL),
                    "secret": .string(endpoint.secret),
                ]
            }
        case .hosted: ["mode": "hosted"]
        case .direct: ["mode": "direct"]
        }
    }

    /// Monday–Saturday 06:00–23:00, New York time.
    static var businessHours: JSONValue {
        let open: JSONValue = [["06:00", "23:00"]]
        return [
            "timezone": "America/New_York",
            "hours": ["mon": open, "tue": open, "wed": open, "thu": open, "fri": open, "sat": open, "sun": []],
        ]
    }

    /// In the tree, campaigns of a vertical are tried by tier, highest first: priority n for
    /// the best tier down to 1.
    func treePriority(_ campaign: SimCampaign, tiers: [String: Money]) -> Int {
        let peers = campaigns.filter { $0.vertical == campaign.vertical && $0.mode != .direct }
        let ordered = peers.sorted { (tiers[$0.id] ?? .zero, $1.id) > (tiers[$1.id] ?? .zero, $0.id) }
        guard let rank = ordered.firstIndex(where: { $0.id == campaign.id }) else { return 0 }
        return ordered.count - rank
    }

    /// The campaign as the exchange would store it (for the offline model).
    public func exchangeCampaign(_ campaign: SimCampaign, pricing: Pricing, tiers: [String: Money]) -> Campaign {
        let body = campaignBody(campaign, pricing: pricing, tiers: tiers, endpoint: .placeholder)
        guard case .success(let parsed) = Campaign.parse(body, defaultID: campaign.id) else {
            preconditionFailure("invalid simulated campaign \(campaign.id)")
        }
        return parsed
    }

    /// Each non-direct campaign's tier price for the tree: its average value over the leads it
    /// would be offered, estimated on a fixed sample of the market's traffic.
    public func tierPrices(sample: Int = 4_000) -> [String: Money] {
        let generator = SimLeadGenerator(market: self, seed: StableHash.mix(seed, StableHash.of("tiers")))
        let filters = Dictionary(uniqueKeysWithValues: campaigns.map { ($0.id, exchangeCampaign($0, pricing: .auction, tiers: [:])) })
        var totals: [String: (sum: Double, count: Int)] = [:]
        for lead in generator.leads(0..<sample) {
            guard let view = SimLeadView(lead, market: self) else { continue }
            for campaign in campaigns where campaign.vertical == lead.vertical && campaign.mode != .direct {
                guard let parsed = filters[campaign.id], view.offered(to: parsed) else { continue }
                let value = campaign.value(fields: view.pingFields, source: lead.source, sourceQuality: view.quality)
                totals[campaign.id, default: (0, 0)].sum += value
                totals[campaign.id, default: (0, 0)].count += 1
            }
        }
        return totals.mapValues { Money(cents: Int64(($0.sum / Double(max(1, $0.count)) * 100).rounded())) }
    }
}

/// A generated lead as the exchange sees it: normalized, with the fields a ping carries.
struct SimLeadView {
    var lead: SimLead
    var pingFields: [String: JSONValue]
    var quality: Double

    init?(_ lead: SimLead, market: SimMarket) {
        guard let vertical = SimMarket.vertical(lead.vertical), case .success(let normalized) = vertical.validate(fields: lead.fields)
        else { return nil }
        self.lead = lead
        pingFields = vertical.nonPersonal(normalized)
        quality = market.quality(ofSource: lead.source)
    }

    /// Whether eligibility (seller lists and filters; not schedules or caps) offers the lead.
    func offered(to campaign: Campaign) -> Bool {
        campaign.status == .active && campaign.sellers.admits(lead.sellerID) && campaign.accepts(pingFields)
    }
}
