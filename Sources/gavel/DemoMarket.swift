import GavelCore
import GavelSim
import NIOHTTP1

/// Installs a simulated market through the operator API, idempotently: a record that exists
/// already (409) is replaced (PUT), so a second run on the same database updates it — e.g.
/// remote campaigns' ping URLs, whose sandbox port changes from run to run.
struct MarketInstaller {
    let api: APIClient
    let adminKey: String

    /// Puts the settings, then every seller, buyer and campaign of the market.
    func install(_ market: SimMarket, pricing: SimMarket.Pricing, endpoints: [String: SimEndpoint]) async throws {
        try await api.require(.PUT, "/v1/settings", key: adminKey, json: market.settingsBody(pricing))
        for step in market.operatorSteps(pricing, endpoints: endpoints) {
            try await upsert(step)
        }
    }

    /// Creates a record, or replaces it when it exists.
    func upsert(_ step: SimOperatorStep) async throws {
        let created = try await api.call(.POST, "/v1/\(step.collection)", key: adminKey, json: step.body)
        if created.status == 409 {
            try await api.require(.PUT, "/v1/\(step.collection)/\(step.id)", key: adminKey, json: step.body)
        } else if !(200..<300).contains(created.status) {
            throw APIClient.Failure(
                method: "POST", path: "/v1/\(step.collection)", status: created.status, body: JSONWriter.string(created.body))
        }
    }

    /// A new API key for a seller or buyer (keys are shown once, so each run makes its own).
    func key(role: String, subject: String, label: String) async throws -> String {
        let body = try await api.require(
            .POST, "/v1/api-keys", key: adminKey,
            json: ["role": .string(role), "subject_id": .string(subject), "label": .string(label)])
        guard let key = body["key"]?.stringValue else {
            throw APIClient.Failure(method: "POST", path: "/v1/api-keys", status: 201, body: "no key in the answer")
        }
        return key
    }

    /// A seller key for every seller of the market, by seller id.
    func sellerKeys(_ market: SimMarket, label: String) async throws -> [String: String] {
        var keys: [String: String] = [:]
        for seller in market.sellers {
            keys[seller.id] = try await key(role: "seller", subject: seller.id, label: label)
        }
        return keys
    }
}

extension MarketInstaller {
    /// The campaign of the demo's buyer with its own API.
    static let mappedCampaignID = "lp-style-auto"

    /// Beside the simulated market, a buyer with its own form-encoded ping/post API, connected
    /// with the `form-ping-post` preset (its URLs and credentials filled in), so the demo shows
    /// a mapped integration bidding against native buyers, and its test console has something
    /// to call. Returns the campaign's id.
    func installMappedBuyer(_ sandbox: SandboxBuyers) async throws -> String {
        let behavior = ForeignBuyer.Behavior(bid: Money(cents: 1_850), latency: .milliseconds(12))
        let buyer = sandbox.addForeign("demo-lp", .leadProsper, behavior)
        let preset = IntegrationPresets.all.first { $0.id == "form-ping-post" }?.integration ?? .null
        let filled = JSONWriter.string(preset)
            .replacingOccurrences(of: "https://buyer.example.com", with: buyer.baseURL)
            .replacingOccurrences(of: "REPLACE_WITH_CAMPAIGN_ID", with: behavior.credentials.campaignID)
            .replacingOccurrences(of: "REPLACE_WITH_THE_BUYERS_KEY", with: behavior.credentials.key)
        let integration = try JSONParser.parse(Array(filled.utf8), limits: .trusted)
        try await upsert(
            SimOperatorStep(collection: "buyers", id: "lp-style", body: ["id": "lp-style", "name": "LP-style Buyer (own API)"]))
        let campaign: JSONValue = [
            "id": .string(Self.mappedCampaignID), "buyer_id": "lp-style", "vertical": "auto_insurance",
            "name": "LP-style Buyer — auto, form ping/post (mapped)", "delivery": ["mode": "remote", "integration": integration],
            "filters": [["field": "state", "in": ["CA", "TX", "FL", "NY"]]],
        ]
        try await upsert(SimOperatorStep(collection: "campaigns", id: Self.mappedCampaignID, body: campaign))
        return Self.mappedCampaignID
    }
}
