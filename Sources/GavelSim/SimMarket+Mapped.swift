import GavelCore

extension SimEndpoint {
    /// The same buyer reached through a mapped integration (`delivery.integration`) that
    /// rebuilds the native protocol's calls field by field and reads its answers by path, so
    /// the buyer does the same work either way and only the exchange's cost differs.
    public func mapped(vertical: Vertical) -> SimEndpoint {
        var endpoint = self
        endpoint.integration = SimMarket.nativeLikeIntegration(vertical: vertical, pingURL: pingURL, postURL: postURL)
        return endpoint
    }
}

extension SimMarket {
    /// A `delivery.integration` that speaks the native protocol to a sandbox buyer: a signed
    /// JSON ping of the non-personal fields, a signed JSON post of every field and the consent,
    /// answers read by JSON paths. Every member is a mapping, so a call pays the full cost of
    /// rendering and reading a mapped request.
    public static func nativeLikeIntegration(vertical: Vertical, pingURL: String, postURL: String) -> JSONValue {
        let envelope: [JSONValue] = [
            member("ping_id", "$ping_id"), member("vertical", "$vertical"), member("tmax_ms", "$tmax_ms"), member("test", "$test"),
            member("seller", "$seller"), member("source", "$source"),
        ]
        let open = vertical.fields.filter { !$0.pii }.map { member("fields.\($0.name)", $0.name) }
        let all = vertical.fields.map { member("fields.\($0.name)", $0.name) }
        let sale: [JSONValue] = [member("lead_id", "$lead_id"), member("bid_id", "$bid_id"), member("price", "$price")]
        let consent = ["tcpa_text", "trustedform_cert_url", "leadid_token"].map { member("consent.\($0)", "$consent.\($0)") }
        let ping: JSONValue = [
            "method": "POST", "url": .string(pingURL), "encoding": "json", "body": .array(envelope + open),
            "response": ["format": "json", "price": "bid", "bid_id": "bid_id"],
        ]
        let post: JSONValue = [
            "method": "POST", "url": .string(postURL), "encoding": "json", "body": .array(envelope + sale + all + consent),
            "response": [
                "format": "json", "accept": ["path": "status", "equals": "accepted"],
                "duplicate": ["path": "status", "equals": "duplicate"], "reject": ["path": "status", "equals": "rejected"],
                "reason": "reason", "lead_id": "buyer_lead_id",
            ],
        ]
        return ["sign": true, "ping": ping, "post": post]
    }

    private static func member(_ to: String, _ from: String) -> JSONValue {
        ["to": .string(to), "from": .string(from)]
    }
}
