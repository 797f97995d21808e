import Foundation
import GavelCore
import GavelServer
import GavelSim
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Buyer integrations: test console, presets, validation on save, write-only secrets")
struct IntegrationConsoleTests {
    @Test func theConsoleShowsTheExactCallsWithSecretsMaskedAndStoresNothing() async throws {
        try await withMarket { client, market, _ in
            let (buyer, id) = try await market.foreign(.leadProsper, bid: IntegrationAPITests.money("25"))
            let run = try await client.call(.post, "/v1/campaigns/\(id)/test", json: [:])
            #expect(run.status == .ok, "\(run.body)")
            #expect(run.body["ping_protocol"] == "mapped" && run.body["lead"]?["generated"] == true && run.body["lead"]?["test"] == true)
            let request = try #require(run.body["ping"]?["request"])
            #expect(request["method"] == "POST" && request["url"] == .string(buyer.pingURL))
            let body = try #require(request["body"]?.stringValue)
            #expect(body.contains("lp_key=********") && !body.contains("lp-secret-key"), "\(body)")
            #expect(body.contains("lp_action=test"), "the console's lead is a test lead, in the buyer's spelling")
            let answered = try #require(buyer.pings.last?.answerBody)
            #expect(run.body["ping"]?["response"]?["status"] == 200 && run.body["ping"]?["response"]?["body"] == .string(answered))
            let reading = try #require(run.body["ping"]?["reading"])
            #expect(reading["answer"] == "bid" && reading["bid"] == 25 && reading["captures"]?["ping_id"] != nil)
            #expect(run.body["post"]?["reading"]?["outcome"] == "accepted" && run.body["post"]?["reading"]?["charged"] == 25)
            let postBody = run.body["post"]?["request"]?["body"]?.stringValue ?? ""
            #expect(postBody.contains("lp_ping_id=") && buyer.posts.count == 1)
            let report = try await client.call(.get, "/v1/reports?group_by=campaign")
            #expect(report.body["rows"]?.arrayValue?.isEmpty ?? true, "a test run is not a lead: \(report.body)")
        }
    }

    @Test func theConsoleTakesGivenFieldsValidatesThemAndCanStopBeforeThePost() async throws {
        try await withMarket { client, market, _ in
            let (buyer, id) = try await market.foreign(.xmlGet, bid: IntegrationAPITests.money("12.5"))
            let fields = contactLead(3).objectValue!["fields"]!
            let run = try await client.call(.post, "/v1/campaigns/\(id)/test", json: ["fields": fields, "post": false])
            #expect(run.status == .ok && run.body["lead"]?["generated"] == false && run.body["post"] == .null)
            #expect(run.body["ping"]?["request"]?["url"]?.stringValue?.contains("zip=94105&state=CA") == true)
            let authorization = run.body["ping"]?["request"]?["headers"]?.arrayValue?.first { $0["name"] == "Authorization" }
            #expect(authorization?["value"] == "********", "the Basic credentials are masked")
            #expect(buyer.posts.isEmpty)
            let invalid = try await client.call(.post, "/v1/campaigns/\(id)/test", json: ["fields": ["zip": "94105"]])
            #expect(invalid.status == .unprocessableContent && invalid.headers[.contentType] == "application/problem+json")
            #expect(buyer.pings.count == 1, "an invalid test lead calls no one")
        }
    }

    @Test func theConsoleReportsAFailedCallAndANoBid() async throws {
        try await withMarket { client, market, _ in
            let (buyer, id) = try await market.foreign(.medicare, bid: nil)
            let quota = try await client.call(.post, "/v1/campaigns/\(id)/test", json: [:])
            #expect(quota.body["ping"]?["reading"]?["answer"] == "no_bid" && quota.body["ping"]?["reading"]?["detail"] == "Quota Reached")
            #expect(quota.body["post"] == .null && buyer.posts.isEmpty)
            try await market.buyer("acme")
            let dead = try IntegrationDocs.example("medicare", host: "medicare-buyer.example.com", base: "http://127.0.0.1:9")
            let created = try await client.call(
                .post, "/v1/campaigns", json: MergePatchForTests.apply(["id": "acme-dead", "delivery": ["timeout_ms": 500]], to: dead))
            #expect(created.status == .created)
            let refused = try await client.call(.post, "/v1/campaigns/acme-dead/test", json: [:])
            #expect(refused.status == .ok && refused.body["ping"]?["response"] == .null)
            #expect(refused.body["ping"]?["failure"]?.stringValue?.isEmpty == false && refused.body["ping"]?["reading"]?["answer"] != "bid")
        }
    }

    @Test func theConsoleIsForTheOperatorAndTheCampaignsOwnBuyerOnly() async throws {
        try await withMarket { client, market, _ in
            let (_, id) = try await market.foreign(.nestedXML, bid: IntegrationAPITests.money("17.25"))
            try await market.buyer("other")
            let own = try await ScopedMarket.buyerKey(client, "acme")
            let other = try await ScopedMarket.buyerKey(client, "other")
            let seller = try await market.seller("S1")
            #expect(
                try await client.call(.post, "/v1/campaigns/\(id)/test", key: own, json: [:]).body["ping"]?["reading"]?["bid"]
                    == .number(Number(text: "17.25")!))
            #expect(try await client.call(.post, "/v1/campaigns/\(id)/test", key: other, json: [:]).status == .notFound)
            #expect(try await client.call(.post, "/v1/campaigns/\(id)/test", key: seller, json: [:]).status == .forbidden)
            #expect(try await client.call(.post, "/v1/campaigns/\(id)/test", key: nil, json: [:]).status == .unauthorized)
            #expect(try await client.call(.post, "/v1/campaigns/nope/test", json: [:]).status == .notFound)
        }
    }

    @Test func presetsAreListedAndEachSavesOnceItsURLsAreFilledIn() async throws {
        try await withMarket { client, market, _ in
            try await market.buyer("acme")
            let listed = try await client.call(.get, "/v1/integration-presets")
            let presets = try #require(listed.body.arrayValue)
            let ids = presets.compactMap { $0["id"]?.stringValue }
            #expect(Set(["native", "json-auction", "form-ping-post", "get-xml", "xml-nested"]).isSubset(of: Set(ids)), "\(ids)")
            let buyerKey = try await ScopedMarket.buyerKey(client, "acme")
            #expect(try await client.call(.get, "/v1/integration-presets", key: buyerKey).status == .ok)
            #expect(try await client.call(.get, "/v1/integration-presets", key: try await market.seller("S1")).status == .forbidden)
            for preset in presets where preset["integration"] != .null && preset["integration"] != nil {
                let text = String(decoding: JSONWriter.bytes(preset["integration"]!), as: UTF8.self)
                    .replacingOccurrences(of: #"https?://[^"/]+"#, with: "http://127.0.0.1:9", options: .regularExpression)
                let integration = try JSONParser.parse(Array(text.utf8))
                let vertical = preset["vertical"]?.stringValue ?? "auto_insurance"
                let campaign: JSONValue = [
                    "id": .string("preset-\(preset["id"]!.stringValue!)"), "buyer_id": "acme", "vertical": .string(vertical),
                    "delivery": ["mode": "remote", "integration": integration],
                ]
                let saved = try await client.call(.post, "/v1/campaigns", json: campaign)
                #expect(saved.status == .created, "preset \(preset["id"]!): \(saved.body)")
            }
        }
    }

    @Test func aBadIntegrationIsRefusedWithEveryErrorAndChangesNothing() async throws {
        try await withMarket { client, market, _ in
            let (_, id) = try await market.foreign(.leadProsper, bid: IntegrationAPITests.money("25"))
            let before = try await client.call(.get, "/v1/campaigns/\(id)")
            let bad: JSONValue = [
                "method": "DELETE", "url": "ftp://lp-buyer.example.com/ping", "encoding": "yaml",
                "body": [["to": "phone", "from": "phone"], ["to": "zip", "from": "zipcode"], ["to": "token", "from": "$secret.nope"]],
                "response": ["format": "json", "price": .null],
            ]
            let changed = MergePatchForTests.apply(["delivery": ["integration": ["ping": bad]]], to: before.body)
            let refused = try await client.call(.put, "/v1/campaigns/\(id)", json: changed)
            #expect(refused.status == .unprocessableContent && refused.headers[.contentType] == "application/problem+json")
            let fields = Set((refused.body["errors"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            for expected in ["method", "url", "encoding", "body[0]", "body[1]", "body[2]", "response.price"] {
                #expect(fields.contains("delivery.integration.ping.\(expected)"), "\(expected) missing from \(fields)")
            }
            let personal = (refused.body["errors"]?.arrayValue ?? []).first { $0["field"] == "delivery.integration.ping.body[0]" }
            #expect(personal?["message"]?.stringValue?.contains("personal") == true)
            #expect(try await client.call(.get, "/v1/campaigns/\(id)").body == before.body, "nothing changed")
            let created = try await client.call(.post, "/v1/campaigns", json: MergePatchForTests.apply(["id": "acme-bad"], to: changed))
            #expect(created.status == .unprocessableContent)
            #expect(try await client.call(.get, "/v1/campaigns/acme-bad").status == .notFound)
        }
    }

    @Test func secretsAreMaskedOnEveryReadAndKeptWhenSentBackMasked() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            let (buyer, id) = try await market.foreign(.leadProsper, bid: IntegrationAPITests.money("25"))
            let read = try await client.call(.get, "/v1/campaigns/\(id)")
            #expect(read.body["delivery"]?["integration"]?["secrets"]?["key"] == "********")
            let listed = try await client.call(.get, "/v1/campaigns")
            #expect(!String(decoding: JSONWriter.bytes(listed.body), as: UTF8.self).contains("lp-secret-key"))
            let renamed = MergePatchForTests.apply(["name": "renamed"], to: read.body)
            #expect(try await client.call(.put, "/v1/campaigns/\(id)", json: renamed).status == .ok)
            let sold = try await client.call(.post, "/v1/leads", key: key, json: contactLead(0))
            #expect(sold.body["buyer"] == .string(id), "the stored key still goes out")
            #expect(buyer.pings.last?.value("lp_key") == "lp-secret-key")
            let page = try await client.execute(uri: "/openapi.json", method: .get) { String(buffer: $0.body) }
            #expect(page.contains("\"Integration\""))
        }
    }

    @Test func theBenchsNativeLikeMappingSellsToASigningSandboxBuyer() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            let sandbox = market.buyers.add("mapped", SandboxBuyer.Behavior(bid: .fixed(Money(cents: 900)), secret: "mapped-secret"))
            try await market.buyer("buyer-mapped")
            let endpoint = SimEndpoint(pingURL: sandbox.pingURL, postURL: sandbox.postURL, secret: "mapped-secret")
                .mapped(vertical: BuiltInVerticals.autoInsurance)
            let campaign: JSONValue = [
                "id": "mapped", "buyer_id": "buyer-mapped", "vertical": "auto_insurance",
                "delivery": ["mode": "remote", "secret": "mapped-secret", "integration": try #require(endpoint.integration)],
            ]
            #expect(try await client.call(.post, "/v1/campaigns", json: campaign).status == .created)
            let sold = try await client.call(.post, "/v1/leads", key: key, json: contactLead(0))
            #expect(sold.body["status"] == "sold" && sold.body["buyer"] == "mapped" && sold.body["price"] == 9, "\(sold.body)")
            let ping = try #require(sandbox.pings.first)
            #expect(ping.signatureVerified && ping.json?["fields"]?["zip"] == "94105" && ping.json?["fields"]?["phone"] == nil)
            #expect(sandbox.posts.first?.json?["fields"]?["phone"] == .string(phone(0)))
        }
    }

    @Test func theCampaignsDashboardPageHasTheSameConsole() async throws {
        try await withMarket { client, market, _ in
            let (buyer, id) = try await market.foreign(.leadProsper, bid: IntegrationAPITests.money("25"))
            let browser = DashboardBrowser(client)
            try await browser.signIn(adminToken)
            let page = try await browser.get("/campaigns/\(id)")
            #expect(page.status == .ok && page.body.contains("Integration and test console"))
            let token = try #require(DashboardBrowser.csrf(page.body))
            let run = try await browser.post("/campaigns/\(id)/test", ["csrf": token, "fields": "", "post": "on"])
            #expect(run.status == .ok)
            #expect(run.body.contains("lp_key=********") && !run.body.contains("lp-secret-key"))
            #expect(run.body.contains("ACCEPTED") && buyer.posts.count == 1)
            let refused = try await browser.post("/campaigns/\(id)/test", ["csrf": token, "fields": "{\"zip\": 1}"])
            #expect(refused.status == .unprocessableContent && refused.body.contains("The test was refused"))
            #expect(buyer.pings.count == 1)
            let key = try await market.seller("S1", share: "1")
            let sold = try await client.call(.post, "/v1/leads", key: key, json: contactLead(0))
            let lead = try await browser.get("/leads/\(sold.body["lead_id"]!.stringValue!)")
            #expect(
                lead.body.contains("bid · HTTP 200") && lead.body.contains("captured ping_id = "),
                "the timeline shows each call's status and reading")
            #expect(lead.body.contains("accepted · HTTP 200") && lead.body.contains("buyer lead "))
        }
    }
}
