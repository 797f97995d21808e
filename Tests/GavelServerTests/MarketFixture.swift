import GavelBuyers
import GavelCore
import GavelServer
import GavelSim
import HTTPTypes
import HummingbirdTesting
import Testing

/// Builds a small market through the operator API, with sandbox buyers behind remote campaigns.
struct MarketFixture {
    let client: any TestClientProtocol
    let buyers: SandboxBuyers

    /// Creates a seller and returns a seller key for it.
    @discardableResult
    func seller(_ id: String, share: String = "0.8", extra: [String: JSONValue] = [:]) async throws -> String {
        var body: [String: JSONValue] = ["id": .string(id), "name": .string(id), "revenue_share": .number(Number(text: share)!)]
        body.merge(extra) { _, new in new }
        let created = try await client.call(.post, "/v1/sellers", json: .object(body))
        #expect(created.status == .created, "seller \(id): \(created.body)")
        let key = try await client.call(.post, "/v1/api-keys", json: ["role": "seller", "subject_id": .string(id)])
        return try #require(key.body["key"]?.stringValue)
    }

    /// Creates a buyer (if new).
    func buyer(_ id: String, extra: [String: JSONValue] = [:]) async throws {
        var body: [String: JSONValue] = ["id": .string(id), "name": .string(id)]
        body.merge(extra) { _, new in new }
        _ = try await client.call(.post, "/v1/buyers", json: .object(body))
    }

    /// A remote campaign backed by a sandbox buyer of the same name.
    @discardableResult
    func remote(
        _ id: String, _ behavior: SandboxBuyer.Behavior, vertical: String = "auto_insurance", timeoutMS: Int? = nil,
        extra: [String: JSONValue] = [:]
    ) async throws -> SandboxBuyer {
        var behavior = behavior
        behavior.secret = "secret-of-\(id)"
        let sandbox = buyers.add(id, behavior)
        try await buyer("buyer-\(id)")
        var delivery: [String: JSONValue] = [
            "mode": "remote", "ping_url": .string(sandbox.pingURL), "post_url": .string(sandbox.postURL),
            "secret": .string(behavior.secret),
        ]
        if let timeoutMS { delivery["timeout_ms"] = .number(Number(timeoutMS)) }
        try await campaign(
            ["id": .string(id), "buyer_id": .string("buyer-\(id)"), "vertical": .string(vertical), "delivery": .object(delivery)], extra)
        return sandbox
    }

    /// A hosted campaign priced by its rules, delivered to the buyer's inbox.
    func hosted(_ id: String, base: String, vertical: String = "auto_insurance", extra: [String: JSONValue] = [:]) async throws {
        try await buyer("buyer-\(id)")
        try await campaign(
            [
                "id": .string(id), "buyer_id": .string("buyer-\(id)"), "vertical": .string(vertical),
                "delivery": ["mode": "hosted"], "bid": ["base": .number(Number(text: base)!)],
            ], extra)
    }

    /// A direct campaign at a fixed price, posting to a sandbox buyer of the same name.
    @discardableResult
    func direct(_ id: String, price: String, extra: [String: JSONValue] = [:]) async throws -> SandboxBuyer {
        let sandbox = buyers.add(id, SandboxBuyer.Behavior(secret: "secret-of-\(id)"))
        try await buyer("buyer-\(id)")
        try await campaign(
            [
                "id": .string(id), "buyer_id": .string("buyer-\(id)"), "vertical": "auto_insurance",
                "delivery": ["mode": "direct", "post_url": .string(sandbox.postURL), "secret": .string("secret-of-\(id)")],
                "price": .number(Number(text: price)!),
            ], extra)
        return sandbox
    }

    private func campaign(_ base: [String: JSONValue], _ extra: [String: JSONValue]) async throws {
        let body = base.merging(extra) { _, new in new }
        let created = try await client.call(.post, "/v1/campaigns", json: .object(body))
        #expect(created.status == .created, "campaign: \(created.body)")
    }

    /// Changes settings.
    func settings(_ body: JSONValue) async throws {
        #expect(try await client.call(.put, "/v1/settings", json: body).status == .ok)
    }
}

/// A valid auto-insurance lead.
func autoLead(
    state: String = "CA", phone: String = "4155550100", email: String? = nil, extra: [String: JSONValue] = [:], test: Bool = false
) -> JSONValue {
    var fields: [String: JSONValue] = [
        "zip": "94105", "state": .string(state), "age": 34, "homeowner": true, "credit_rating": "good",
        "first_name": "Ada", "last_name": "Lovelace", "phone": .string(phone), "street_address": "1 Analytical Way",
    ]
    if let email { fields["email"] = .string(email) }
    fields.merge(extra) { _, new in new }
    return [
        "vertical": "auto_insurance", "source": "fb-spring-7", "test": .bool(test), "fields": .object(fields),
        "consent": ["tcpa_text": "I agree", "leadid_token": "abc"],
    ]
}

/// The personal fields of the auto-insurance vertical.
let autoPII: Set<String> = ["first_name", "last_name", "phone", "email", "street_address", "birth_date"]

/// A distinct valid phone number for lead `n`.
func phone(_ n: Int) -> String {
    let line = String(1000 + n % 9000)
    let exchange = String(200 + (n / 9000) % 700)
    return "415" + exchange + line
}

/// Runs a test against an exchange and a sandbox of buyers, with a fixture.
func withMarket(
    breakers: CircuitBreakers? = nil, configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: @Sendable (any TestClientProtocol, MarketFixture, TestExchange) async throws -> Void
) async throws {
    try await withSandboxBuyers { buyers in
        try await TestExchange.run(breakers: breakers, configure: configure) { client, exchange in
            // Generous deadlines: the test suite runs many auctions in parallel on two cores.
            _ = try await exchange.app.config.updateSettings(json: ["default_tmax_ms": 2_000])
            try await body(client, MarketFixture(client: client, buyers: buyers), exchange)
        }
    }
}
