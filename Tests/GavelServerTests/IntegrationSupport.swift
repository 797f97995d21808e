import Foundation
import GavelCore
import GavelSim
import HummingbirdTesting
import Testing

/// The worked examples of docs/INTEGRATIONS.md: the JSON block after each
/// `<!-- example: NAME -->` marker, so the tests connect buyers exactly as the page tells
/// an operator to.
enum IntegrationDocs {
    static let page: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/INTEGRATIONS.md"), encoding: .utf8)) ?? ""
    }()

    /// The example's JSON, with the example host replaced by a loopback buyer's base URL.
    static func example(_ name: String, host: String? = nil, base: String? = nil) throws -> JSONValue {
        let marker = "<!-- example: \(name) -->\n```json\n"
        let start = try #require(page.range(of: marker), "docs/INTEGRATIONS.md has no example '\(name)'")
        let end = try #require(page[start.upperBound...].range(of: "\n```"))
        var text = String(page[start.upperBound..<end.lowerBound])
        if let host, let base { text = text.replacingOccurrences(of: "https://\(host)", with: base) }
        return try JSONParser.parse(Array(text.utf8), limits: .trusted)
    }

    /// The example hosts of the four shapes.
    static let hosts: [ForeignShape: String] = [
        .medicare: "medicare-buyer.example.com", .leadProsper: "lp-buyer.example.com", .xmlGet: "xml-buyer.example.com",
        .nestedXML: "nested-buyer.example.com",
    ]

    static let examples: [ForeignShape: String] = [
        .medicare: "medicare", .leadProsper: "leadprosper", .xmlGet: "xmlget", .nestedXML: "nestedxml",
    ]
}

extension MarketFixture {
    /// Connects a foreign buyer through the operator API with the docs' example for its shape
    /// (the buyer `acme` is created first); returns the buyer and the campaign's id.
    @discardableResult
    func foreign(_ shape: ForeignShape, bid: Money?, name: String? = nil) async throws -> (ForeignBuyer, String) {
        let buyer = buyers.addForeign(name ?? shape.rawValue, shape, ForeignBuyer.Behavior(bid: bid))
        try await self.buyer("acme")
        let verticalExists = try await client.call(.get, "/v1/verticals/medicare").status == .ok
        if shape == .medicare && !verticalExists {
            let vertical = try IntegrationDocs.example("medicare-vertical")
            #expect(try await client.call(.post, "/v1/verticals", json: vertical).status == .created)
        }
        var campaign = try IntegrationDocs.example(
            IntegrationDocs.examples[shape]!, host: IntegrationDocs.hosts[shape]!, base: buyer.baseURL)
        let id = campaign["id"]!.stringValue! + (name.map { "-" + $0 } ?? "")
        campaign = MergePatchForTests.apply(["id": .string(id), "delivery": ["timeout_ms": 2_000]], to: campaign)
        let created = try await client.call(.post, "/v1/campaigns", json: campaign)
        #expect(created.status == .created, "\(shape): \(created.body)")
        return (buyer, id)
    }
}

/// RFC 7396 merge patch for building test bodies.
enum MergePatchForTests {
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var members = target.objectValue ?? [:]
        for (key, value) in changes { members[key] = value.isNull ? nil : apply(value, to: members[key] ?? .null) }
        return .object(members)
    }
}

/// Consumer `n`'s valid lead of the docs' `medicare` vertical.
func medicareLead(_ n: Int = 0, test: Bool = false) -> JSONValue {
    [
        "vertical": "medicare", "source": "fb-spring-7", "test": .bool(test),
        "fields": [
            "zip": "94105", "state": "CA", "birth_date": "1958-07-04", "gender": "male", "tobacco_use": false,
            "first_name": "Ada", "last_name": "Lovelace", "phone": .string(phone(n)), "email": .string("ada\(n)@example.com"),
        ],
        "consent": ["tcpa_text": "I agree"],
    ]
}

/// Consumer `n`'s auto-insurance lead with every contact field a buyer's post wants.
func contactLead(_ n: Int, test: Bool = false) -> JSONValue {
    autoLead(phone: phone(n), email: "ada\(n)@example.com", test: test)
}

/// The personal values of ``autoLead(state:phone:email:extra:test:)`` and ``medicareLead(phone:test:)``.
let personalValues = ["Ada", "Lovelace", "Analytical", "example.com"]
