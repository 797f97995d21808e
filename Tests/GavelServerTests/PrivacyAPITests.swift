import Crypto
import Foundation
import GavelCore
import GavelServer
import GavelSim
import GavelStoreSQLite
import GavelStoreSupport
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

/// Erasure and retention through the API: after an erasure nothing of the consumer comes out
/// of any route, CSV or dashboard page, or out of the database file, and the books, reports,
/// dedupe and suppression lists still work.
@Suite("Privacy API")
struct PrivacyAPITests {
    /// The erased consumer's values, each distinctive enough to search for anywhere.
    static let values = ["4155550142", "zeb.quixotic@example.org", "Zebulon", "Quixotic", "17 Marigold Lane", "1979-04-12", "203.0.113.42"]

    /// The erased consumer's lead.
    static var erasedLead: JSONValue {
        var lead = autoLead(
            phone: "(415) 555-0142", email: "Zeb.Quixotic@example.org",
            extra: ["first_name": "Zebulon", "last_name": "Quixotic", "street_address": "17 Marigold Lane", "birth_date": "1979-04-12"])
        if case .object(var members) = lead {
            members["consent"] = ["tcpa_text": "I agree", "ip": "203.0.113.42"]
            lead = .object(members)
        }
        return lead
    }

    @Test func onlyTheOperatorErasesAndBadInputChangesNothing() async throws {
        try await withMarket { client, market, _ in
            let seller = try await market.seller("S1")
            let erase = ["phone": "4155550142"] as JSONValue
            #expect(try await client.call(.post, "/v1/privacy/erasures", key: seller, json: erase).status == .forbidden)
            #expect(try await client.call(.get, "/v1/privacy/erasures", key: seller).status == .forbidden)
            #expect(try await client.call(.post, "/v1/privacy/erasures", key: nil, json: erase).status == .unauthorized)
            let bad: [(JSONValue, [String])] = [
                ([:], ["phone"]), (["phone": "12"], ["phone"]), (["email": "not-an-email"], ["email"]),
                (["phone": "4155550142", "name": "Zeb"], ["name"]), (["phone": 4_155_550_142], ["phone"]),
            ]
            for (body, fields) in bad {
                let answer = try await client.call(.post, "/v1/privacy/erasures", json: body)
                #expect(answer.status == .unprocessableContent, "\(body)")
                #expect(errorFields(answer.body) == fields, "\(body)")
            }
            #expect(try await client.call(.get, "/v1/privacy/erasures").body == [])
            #expect(try await client.call(.get, "/v1/privacy/erasures?limit=0").status == .unprocessableContent)
            let nobody = try await client.call(.post, "/v1/privacy/erasures", json: ["email": "nobody@example.org"])
            #expect(nobody.status == .created && nobody.body["leads"] == 0, "an erasure that finds no lead is done and recorded")
            #expect(try await client.call(.get, "/v1/privacy/erasures").body == [nobody.body])
            #expect(try await client.call(.get, "/v1/privacy/erasures?limit=1").body == [nobody.body])
        }
    }

    @Test func anErasedConsumerIsGoneFromEveryRouteCSVAndPage() async throws {
        try await withMarket { client, market, exchange in
            let seller = try await market.seller("S1")
            try await market.hosted("h1", base: "10")
            var echoing = SandboxBuyer.Behavior.bidding(Money(cents: 1_500))
            echoing.postOutcome = .reject(reason: "already have 415-555-0142")
            _ = try await market.remote("r1", echoing)
            let buyer = try #require(
                try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": "buyer-h1"]).body["key"]?.stringValue)
            let retry: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "k-erased"]
            let sold = try await client.call(.post, "/v1/leads", key: seller, json: Self.erasedLead, headers: retry)
            #expect(sold.body["buyer"] == "h1", "\(sold.body)")
            let id = try #require(sold.body["lead_id"]?.stringValue)
            let kept = try await client.call(.post, "/v1/leads", key: seller, json: autoLead(phone: "2125550177", email: "ada@example.com"))
            #expect(kept.body["status"] == "sold")
            let hook = try await Self.returnNamingTheConsumer(client, leadID: id, buyer: buyer)
            let before = try await Self.everything(client, exchange, id: id, buyer: buyer, seller: seller, hook: hook)
            #expect(Self.leaks(before) == Self.values)
            let reportBefore = try await client.call(.get, "/v1/reports?group_by=seller").body

            let erased = try await client.call(
                .post, "/v1/privacy/erasures", json: ["phone": "415.555.0142", "email": "ZEB.quixotic@example.org"])
            #expect(erased.status == .created, "\(erased.body)")
            #expect(erased.body["leads"] == 1)
            #expect(erased.body["kind"] == "request")
            let keys = erased.body["contact_keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(keys.count == 2 && !keys.contains(HashKey.hex(SHA256.hash(data: Array("14155550142".utf8)))))

            let everything = try await Self.everything(client, exchange, id: id, buyer: buyer, seller: seller, hook: hook)
            #expect(Self.leaks(everything).isEmpty, "after the erasure: \(Self.leaks(everything))")
            #expect(everything.contains("ada@example.com"), "the other consumer is kept")
            let detail = try await client.call(.get, "/v1/leads/\(id)").body
            #expect(detail["erased_at"] == erased.body["at"])
            #expect(detail["status"] == "sold")
            #expect(detail["fields"]?["zip"] == "94105" && detail["fields"]?["phone"] == nil)
            #expect(try await client.call(.get, "/v1/reports?group_by=seller").body == reportBefore)
            #expect(try await exchange.store.audit().isClean)
            #expect(try await client.call(.get, "/v1/privacy/erasures").body == [erased.body])

            let again = try await client.call(.post, "/v1/leads", key: seller, json: Self.erasedLead)
            #expect(again.body["status"] == "duplicate", "dedupe still knows the consumer by its keyed contact keys")
        }
    }

    @Test func suppressionListsMatchLeadsThroughKeyedKeys() async throws {
        try await withMarket { client, market, exchange in
            let seller = try await market.seller("S1")
            try await market.hosted("h1", base: "10")
            try await market.hosted("h2", base: "5")
            let buyer = try #require(
                try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": "buyer-h1"]).body["key"]?.stringValue)
            let digest = HashKey.hex(SHA256.hash(data: Array("14155550142".utf8)))
            let added = try await client.call(
                .post, "/v1/buyer/suppressions", key: buyer, json: ["phone_sha256": [.string(digest.uppercased())]])
            #expect(added.body["size"] == 1)
            let lead = try await client.call(.post, "/v1/leads", key: seller, json: Self.erasedLead)
            #expect(lead.body["buyer"] == "h2", "h1's buyer suppressed the consumer: \(lead.body)")
            let secret = try await exchange.store.contactKeySecret()
            let stored = try #require(try await exchange.store.lead(id: lead.body["lead_id"]?.stringValue ?? "")).lead.contactKeys
            #expect(stored.phoneHashes == [KeyedContactHasher(secret: secret).contactKey("14155550142")])
            #expect(!stored.all.contains(digest))
        }
    }

    @Test func theRetentionSettingErasesOldLeadsInHousekeeping() async throws {
        try await withMarket { client, market, exchange in
            let seller = try await market.seller("S1")
            try await market.hosted("h1", base: "10")
            let old = try await client.call(.post, "/v1/leads", key: seller, json: Self.erasedLead)
            let id = try #require(old.body["lead_id"]?.stringValue)
            let settings = try await client.call(.put, "/v1/settings", json: ["pii_retention_days": 30])
            #expect(settings.body["pii_retention_days"] == 30)
            #expect(try await client.call(.put, "/v1/settings", json: ["pii_retention_days": 0]).status == .unprocessableContent)

            let clock = ManualWallClock(Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1_000)))
            let privacy = PrivacyService(store: exchange.store, market: exchange.app.market, hasher: exchange.app.hasher, clock: clock)
            let housekeeping = Housekeeping(
                store: exchange.store, wallClock: clock, clock: ContinuousClock(), privacy: privacy, logger: Logger(label: "test"))
            #expect(await housekeeping.sweep().erasedLeads == 0)
            clock.advance(milliseconds: 31 * 86_400_000)
            #expect(await housekeeping.sweep().erasedLeads == 1)
            #expect(await housekeeping.sweep().erasedLeads == 0)
            let detail = try await client.call(.get, "/v1/leads/\(id)").body
            #expect(detail["erased_at"] != .null && detail["fields"]?["first_name"] == nil)
            let listed = try await client.call(.get, "/v1/privacy/erasures").body.arrayValue ?? []
            #expect(listed.map { $0["kind"] } == ["retention"] && listed.map { $0["leads"] } == [1])
            #expect(try await client.call(.put, "/v1/settings", json: ["pii_retention_days": .null]).body["pii_retention_days"] == .null)
        }
    }

    @Test func theDashboardPrivacyPageErasesForTheOperatorOnly() async throws {
        try await withMarket { client, market, _ in
            let seller = try await market.seller("S1")
            try await market.hosted("h1", base: "10")
            let sold = try await client.call(.post, "/v1/leads", key: seller, json: Self.erasedLead)
            let id = try #require(sold.body["lead_id"]?.stringValue)
            let buyer = try #require(
                try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": "buyer-h1"]).body["key"]?.stringValue)

            let inbox = DashboardBrowser(client)
            try await inbox.signIn(buyer)
            #expect(!(try await inbox.get("/").body.contains(#"href="/privacy""#)))
            #expect(try await inbox.get("/privacy").status == .forbidden)
            let refused = try await inbox.post("/privacy/erasures", ["phone": "4155550142", "csrf": try await inbox.csrf()])
            #expect(refused.status == .forbidden)

            let admin = DashboardBrowser(client)
            try await admin.signIn(adminToken)
            #expect(try await admin.get("/").body.contains(#"href="/privacy""#), "the operator reaches it from the navigation")
            let token = try await admin.csrf(of: "/privacy")
            #expect(try await admin.post("/privacy/erasures", ["phone": "4155550142"]).status == .forbidden, "no CSRF token")
            let bad = try await admin.post("/privacy/erasures", ["phone": "12", "email": "nope", "csrf": token])
            #expect(bad.status == .unprocessableContent)
            #expect(
                bad.body.contains("The erasure was refused") && bad.body.contains("<li>phone: ") && bad.body.contains("<li>email: "),
                "\(bad.body)")
            #expect(try await admin.post("/privacy/erasures", ["phone": " ", "csrf": token]).status == .unprocessableContent)
            #expect(try await client.call(.get, "/v1/privacy/erasures").body == [], "a refused form erases nothing")
            #expect(try await client.call(.get, "/v1/leads/\(id)").body["fields"]?["first_name"] == "Zebulon")

            let done = try await admin.post("/privacy/erasures", ["phone": "(415) 555-0142", "email": "", "csrf": token])
            #expect(done.status == .seeOther && done.location == "/privacy?done=erased")
            let page = try await admin.get("/privacy?done=erased")
            #expect(page.body.contains("The erasure is done and recorded below."))
            let listed = try #require(try await client.call(.get, "/v1/privacy/erasures").body.arrayValue?.first)
            #expect(listed["leads"] == 1)
            #expect(page.body.contains(listed["id"]?.stringValue ?? "-"))
            #expect(try await client.call(.get, "/v1/leads/\(id)").body["fields"]?["first_name"] == nil)
            #expect(Self.leaks(page.body).isEmpty)
        }
    }

    /// The buyer returns the lead with a reason that names the consumer, and an operator's
    /// webhook gets it (`lead.returned`, `return.decided`); returns the webhook's id.
    static func returnNamingTheConsumer(_ client: any TestClientProtocol, leadID: String, buyer: String) async throws -> String {
        let hook = try await client.call(
            .post, "/v1/webhooks", json: ["url": "https://hooks.example/privacy", "events": ["lead.returned", "return.decided"]])
        let returned = try await client.call(
            .post, "/v1/returns", key: buyer,
            json: ["lead_id": .string(leadID), "reason": "Zebulon Quixotic at 415-555-0142 says he never asked"])
        #expect(returned.body["status"] == "approved", "\(returned.body)")
        return try #require(hook.body["id"]?.stringValue)
    }

    /// Every place a person could read the lead: the lead's detail for the operator and the
    /// seller, the buyer's bought leads as JSON and CSV, a replay of the seller's request, the
    /// webhook's deliveries (API and dashboard), the dashboard's lead page (operator and buyer)
    /// and its CSV, the leads list and its CSV, the privacy page, and the database file with
    /// its WAL.
    static func everything(
        _ client: any TestClientProtocol, _ exchange: TestExchange, id: String, buyer: String, seller: String, hook: String
    ) async throws -> String {
        var texts: [String] = []
        texts.append(JSONWriter.string(try await client.call(.get, "/v1/leads/\(id)").body))
        texts.append(JSONWriter.string(try await client.call(.get, "/v1/leads/\(id)", key: seller).body))
        texts.append(JSONWriter.string(try await client.call(.get, "/v1/buyer/leads", key: buyer).body))
        texts.append(try await text(client, "/v1/buyer/leads?format=csv", key: buyer))
        let replay = try await client.call(
            .post, "/v1/leads", key: seller, json: erasedLead, headers: [HTTPField.Name("Idempotency-Key")!: "k-erased"])
        texts.append(JSONWriter.string(replay.body))
        let admin = DashboardBrowser(client)
        try await admin.signIn(adminToken)
        let inbox = DashboardBrowser(client)
        try await inbox.signIn(buyer)
        texts.append(JSONWriter.string(try await client.call(.get, "/v1/webhooks/\(hook)/deliveries").body))
        let pages = [
            "/leads/\(id)", "/leads/\(id)/csv?table=timeline", "/leads", "/leads.csv", "/privacy", "/privacy.csv", "/webhooks/\(hook)",
        ]
        for path in pages {
            texts.append(try await admin.get(path).body)
        }
        texts.append(try await inbox.get("/leads/\(id)").body)
        for file in [exchange.path, exchange.path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            texts.append(String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self))
        }
        return texts.joined(separator: "\n")
    }

    static func text(_ client: any TestClientProtocol, _ path: String, key: String) async throws -> String {
        try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(key)"]) { response in
            String(decoding: response.body.readableBytesView, as: UTF8.self)
        }
    }

    /// The erased values found in a text (compared case-insensitively).
    static func leaks(_ text: String) -> [String] {
        let lower = text.lowercased()
        return values.filter { lower.contains($0.lowercased()) }
    }
}
