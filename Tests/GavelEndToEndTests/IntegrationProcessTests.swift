import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Testing

@Suite("Mapped buyers of four real-world shapes through the real server process", .serialized)
struct IntegrationProcessTests {
    /// The JSON block after `<!-- example: NAME -->` in docs/INTEGRATIONS.md, with its example
    /// host pointed at a loopback buyer: the operator's steps exactly as the page gives them.
    static func example(_ name: String, host: String? = nil, base: String? = nil) throws -> JSONValue {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("docs/INTEGRATIONS.md"), encoding: .utf8)
        let start = try #require(page.range(of: "<!-- example: \(name) -->\n```json\n"))
        let end = try #require(page[start.upperBound...].range(of: "\n```"))
        var text = String(page[start.upperBound..<end.lowerBound])
        if let host, let base { text = text.replacingOccurrences(of: "https://\(host)", with: base) }
        // A generous deadline: this test is about the shapes, and CI machines are busy.
        text = text.replacingOccurrences(of: #""timeout_ms": 250"#, with: #""timeout_ms": 5000"#)
        return try JSONParser.parse(Array(text.utf8), limits: .trusted)
    }

    static let shapes: [(ForeignShape, example: String, host: String, bid: Int64)] = [
        (.medicare, "medicare", "medicare-buyer.example.com", 2_200), (.leadProsper, "leadprosper", "lp-buyer.example.com", 2_500),
        (.xmlGet, "xmlget", "xml-buyer.example.com", 1_250), (.nestedXML, "nestedxml", "nested-buyer.example.com", 1_725),
    ]

    @Test func fourShapesConnectedFromTheDocsBidWinDeliverAndAnswerTheConsole() async throws {
        try await withSandboxBuyers { buyers in
            let server = try GavelProcess(["serve", "--port", "0", "--allow-private-buyer-urls", "--admin-token", "t0ken"])
            let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
            let (key, foreign) = try await connect(client, buyers)
            let native = buyers.add("native", SandboxBuyer.Behavior(bid: .fixed(Money(cents: 1_100)), secret: "native-secret"))
            _ = try await client.call(.POST, "/v1/buyers", key: "t0ken", json: ["id": "native"])
            for vertical in ["auto_insurance", "medicare"] {
                let created = try await client.call(
                    .POST, "/v1/campaigns", key: "t0ken",
                    json: [
                        "id": .string("native-\(vertical)"), "buyer_id": "native", "vertical": .string(vertical),
                        "delivery": [
                            "mode": "remote", "ping_url": .string(native.pingURL), "post_url": .string(native.postURL),
                            "secret": "native-secret",
                        ],
                    ])
                #expect(created.status == 201, "\(created.body)")
            }
            let auto = try await client.call(.POST, "/v1/leads", key: key, json: Self.lead("auto_insurance", n: 1))
            #expect(auto.body["status"] == "sold" && auto.body["buyer"] == "acme-lp" && auto.body["price"] == 25, "\(auto.body)")
            foreign["leadprosper"]?.update { $0.bid = nil }
            let xml = try await client.call(.POST, "/v1/leads", key: key, json: Self.lead("auto_insurance", n: 2))
            #expect(xml.body["buyer"] == "acme-nested" && xml.body["price"] == .number(Number(text: "17.25")!), "\(xml.body)")
            foreign["nestedxml"]?.update { $0.bid = nil }
            let get = try await client.call(.POST, "/v1/leads", key: key, json: Self.lead("auto_insurance", n: 3))
            #expect(get.body["buyer"] == "acme-xml" && get.body["redirect_url"]?.stringValue?.hasPrefix("https://") == true, "\(get.body)")
            let medicare = try await client.call(.POST, "/v1/leads", key: key, json: Self.lead("medicare", n: 4))
            #expect(medicare.body["buyer"] == "acme-medicare" && medicare.body["price"] == 22, "\(medicare.body)")
            #expect(native.pings.count == 4 && native.posts.isEmpty, "the native buyer bid in every auction and lost each")
            for shape in Self.shapes {
                let run = try await client.call(.POST, "/v1/campaigns/\(campaignID(shape.example))/test", key: "t0ken", json: [:])
                #expect(run.status == 200 && run.body["ping"]?["reading"]?["answer"] != nil, "\(shape.example): \(run.body)")
            }
            let personal = ["Grace", "Hopper", "example.com", "41555501"]
            for ping in buyers.foreignReceived where ping.kind == .ping {
                let text = ping.bodyText + ping.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
                #expect(!personal.contains { text.contains($0) }, "a ping carried personal data: \(text)")
            }
            #expect(
                buyers.foreignReceived.filter { $0.kind == .post }.count == 4 + 2, "4 sales and the console's 2 posts of the bidding shapes"
            )
            #expect(await server.terminate() == 0)
        }
    }

    func campaignID(_ example: String) -> String {
        ["medicare": "acme-medicare", "leadprosper": "acme-lp", "xmlget": "acme-xml", "nestedxml": "acme-nested"][example]!
    }

    /// Connects the four buyers through the operator API with the docs' examples; returns a
    /// seller key and the buyers by example name.
    private func connect(_ client: Client, _ buyers: SandboxBuyers) async throws -> (String, [String: ForeignBuyer]) {
        var foreign: [String: ForeignBuyer] = [:]
        _ = try await client.call(.POST, "/v1/sellers", key: "t0ken", json: ["id": "S1", "revenue_share": 1])
        _ = try await client.call(.POST, "/v1/buyers", key: "t0ken", json: ["id": "acme", "name": "Acme Leads"])
        _ = try await client.call(.PUT, "/v1/settings", key: "t0ken", json: ["default_tmax_ms": 5_000])
        #expect(try await client.call(.POST, "/v1/verticals", key: "t0ken", json: try Self.example("medicare-vertical")).status == 201)
        for shape in Self.shapes {
            let buyer = buyers.addForeign(shape.example, shape.0, ForeignBuyer.Behavior(bid: Money(cents: shape.bid)))
            foreign[shape.example] = buyer
            let campaign = try Self.example(shape.example, host: shape.host, base: buyer.baseURL)
            let created = try await client.call(.POST, "/v1/campaigns", key: "t0ken", json: campaign)
            #expect(created.status == 201, "\(shape.example): \(created.body)")
            #expect(created.body["delivery"]?["integration"]?["secrets"]?.objectValue?.values.allSatisfy { $0 == "********" } == true)
        }
        let key = try await client.call(.POST, "/v1/api-keys", key: "t0ken", json: ["role": "seller", "subject_id": "S1"])
        return (try #require(key.body["key"]?.stringValue), foreign)
    }

    static func lead(_ vertical: String, n: Int) -> JSONValue {
        var fields: [String: JSONValue] = [
            "zip": "94105", "state": "CA", "first_name": "Grace", "last_name": "Hopper", "phone": .string("41555501\(10 + n)"),
            "email": .string("grace\(n)@example.com"),
        ]
        if vertical == "medicare" {
            fields.merge(["birth_date": "1958-07-04", "gender": "female", "tobacco_use": false]) { _, new in new }
        } else {
            fields.merge(["age": 40, "homeowner": true]) { _, new in new }
        }
        return ["vertical": .string(vertical), "source": "e2e", "fields": .object(fields), "consent": ["tcpa_text": "I agree"]]
    }
}
