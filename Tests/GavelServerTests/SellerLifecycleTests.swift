import GavelCore
import GavelServer
import GavelSim
import GavelStoreSQLite
import HTTPTypes
import HummingbirdTesting
import Testing

/// A seller's status: testing (every lead a test lead), active (the v1 behaviour and default),
/// paused (403); the operator changes it by API or in the dashboard.
@Suite("Seller lifecycle")
struct SellerLifecycleTests {
    @Test func aSellerCreatedWithoutStatusSellsForRealAsBefore() async throws {
        try await withMarket { client, market, exchange in
            let key = try await market.seller("S1")
            let seller = try await client.call(.get, "/v1/sellers/S1")
            #expect(seller.body["status"] == "active")
            #expect(seller.body["active"] == true)
            #expect(try await client.call(.get, "/v1/settings").body["new_seller_status"] == "active")
            try await market.hosted("h", base: "10")
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(sold.body["status"] == "sold")
            #expect(sold.body["test"] == false)
            let store = try #require(exchange.store as? SQLiteStore)
            #expect(try await store.ledgerBalances()["seller:S1"] == Money("-8.00"))
        }
    }

    /// A testing seller's leads run the whole auction as test leads — buyers see `test: true`
    /// — and change no ledger, report, cap or dedupe history; once active, it sells for real.
    @Test func aTestingSellersLeadsRunButCostNothing() async throws {
        try await withMarket { client, market, exchange in
            try await market.settings(["new_seller_status": "testing"])
            let key = try await market.seller("T1")
            #expect(try await client.call(.get, "/v1/sellers/T1").body["status"] == "testing")
            let buyer = try await market.remote("capped", .bidding(Money(cents: 2_000)), extra: ["caps": ["daily_leads": 1]])
            for _ in 0..<2 {
                let lead = try await client.call(.post, "/v1/leads", key: key, json: autoLead(test: false))
                #expect(lead.body["status"] == "sold", "\(lead.body)")
                #expect(lead.body["buyer"] == "capped", "test leads do not use up the cap")
                #expect(lead.body["test"] == true)
                let detail = try await client.call(.get, "/v1/leads/\(lead.body["lead_id"]!.stringValue!)", key: key)
                #expect(detail.body["test"] == true)
            }
            let form = try await client.form("/v1/leads", key: key, autoForm(test: false))
            #expect(form.body["test"] == true)
            let ping = try await client.call(
                .post, "/v1/ping", key: key, json: ["vertical": "auto_insurance", "fields": ["zip": "94105", "state": "CA"]])
            #expect(ping.body["test"] == true)
            #expect((buyer.pings + buyer.posts).allSatisfy { $0.json?["test"] == true }, "every ping and post said it was a test")
            #expect(buyer.posts.count == 3)
            let store = try #require(exchange.store as? SQLiteStore)
            #expect(try await store.ledgerBalances().isEmpty)
            #expect(try await store.audit().entries == 0)
            #expect(try await client.call(.get, "/v1/reports?group_by=seller").body == [])
            #expect(try await client.call(.get, "/v1/reports?group_by=seller", key: key).body == [])

            #expect(try await client.call(.patch, "/v1/sellers/T1", json: ["status": "active"]).body["status"] == "active")
            let real = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(real.body["status"] == "sold", "the test leads' consumer is no duplicate")
            #expect(real.body["test"] == false)
            #expect(try await store.ledgerBalances()["seller:T1"] == Money("-16.00"))
            let capped = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(9)))
            #expect(capped.body["status"] == "unsold", "the cap of 1 counted the one real lead only")
            let rows = try await client.call(.get, "/v1/reports?group_by=seller")
            #expect(rows.body.arrayValue?.first?["leads"] == 2)
            #expect(rows.body.arrayValue?.first?["sold"] == 1)
        }
    }

    @Test func aTestingSellersPingsAndPostsAreTests() async throws {
        try await withMarket { client, market, exchange in
            let key = try await market.seller("T1", extra: ["status": "testing"])
            try await market.hosted("h", base: "10")
            let ping = try await client.call(
                .post, "/v1/ping", key: key,
                json: ["vertical": "auto_insurance", "test": false, "fields": ["zip": "94105", "state": "CA"]])
            #expect(ping.body["test"] == true)
            let post = try await client.call(
                .post, "/v1/post", key: key,
                json: [
                    "ping_id": ping.body["ping_id"]!,
                    "fields": ["zip": "94105", "state": "CA", "first_name": "A", "last_name": "B", "phone": "4155550100"],
                ])
            #expect(post.body["status"] == "sold")
            #expect(post.body["test"] == true)
            let store = try #require(exchange.store as? SQLiteStore)
            #expect(try await store.ledgerBalances().isEmpty)
        }
    }

    @Test func aPausedSellerGetsA403AndNothingIsStored() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("h", base: "10")
            let ping = try await client.call(
                .post, "/v1/ping", key: key, json: ["vertical": "auto_insurance", "fields": ["zip": "94105", "state": "CA"]])
            let pingID = try #require(ping.body["ping_id"]?.stringValue)
            #expect(try await client.call(.patch, "/v1/sellers/S1", json: ["status": "paused"]).status == .ok)
            let refusals = [
                try await client.call(.post, "/v1/leads", key: key, json: autoLead()),
                try await client.form("/v1/leads", key: key, autoForm()),
                try await client.call(
                    .post, "/v1/ping", key: key, json: ["vertical": "auto_insurance", "fields": ["zip": "94105", "state": "CA"]]),
                try await client.form("/v1/post", key: key, [("ping_id", pingID)] + autoForm().filter { $0.0 != "vertical" }),
                try await client.form("/v1/post", key: key, [("ping_id", "P-unknown")] + autoForm().filter { $0.0 != "vertical" }),
            ]
            for refusal in refusals {
                #expect(refusal.status == .forbidden)
                #expect(refusal.headers[.contentType] == "application/problem+json")
                #expect(problemSlug(refusal.body) == "seller-paused")
                #expect(refusal.body["title"] == "This seller is paused")
            }
            #expect(try await client.call(.get, "/v1/reports?group_by=seller").body == [])
            #expect(try await client.call(.get, "/v1/sellers/S1/spec?vertical=auto_insurance", key: key).status == .ok)

            #expect(try await client.call(.patch, "/v1/sellers/S1", json: ["status": "active"]).status == .ok)
            let full = [
                ("ping_id", pingID), ("zip", "94105"), ("state", "CA"), ("first_name", "A"), ("last_name", "B"), ("phone", "4155550100"),
            ]
            let post = try await client.form("/v1/post", key: key, full)
            #expect(post.body["status"] == "sold", "the ping held through the pause")
        }
    }

    @Test func statusIsValidatedAndAPutWithoutItKeepsIt() async throws {
        try await withMarket { client, _, _ in
            let bad = try await client.call(.post, "/v1/sellers", json: ["id": "S1", "status": "retired"])
            #expect(bad.status == .unprocessableContent)
            #expect(errorFields(bad.body) == ["status"])
            #expect(try await client.call(.get, "/v1/sellers/S1").status == .notFound)
            #expect(try await client.call(.post, "/v1/sellers", json: ["id": "S1", "status": "testing"]).body["status"] == "testing")
            let renamed = try await client.call(.put, "/v1/sellers/S1", json: ["id": "S1", "name": "Renamed"])
            #expect(renamed.body["status"] == "testing", "a v1 PUT leaves the status alone")
            #expect(try await client.call(.put, "/v1/sellers/S1", json: ["id": "S1", "status": "paused"]).body["status"] == "paused")
            let settings = try await client.call(.put, "/v1/settings", json: ["new_seller_status": "paused"])
            #expect(errorFields(settings.body) == ["new_seller_status"])
            #expect(
                try await client.call(.put, "/v1/settings", json: ["new_seller_status": "testing"]).body["new_seller_status"] == "testing")
            #expect(try await client.call(.post, "/v1/sellers", json: ["id": "S2"]).body["status"] == "testing")
            #expect(try await client.call(.post, "/v1/sellers", json: ["id": "S3", "status": "active"]).body["status"] == "active")
        }
    }

    @Test func theOperatorChangesASellersStatusInTheDashboard() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", extra: ["status": "testing"])
            try await market.seller("S2")
            let operatorView = DashboardBrowser(client)
            try await operatorView.signIn(adminToken)
            let list = try await operatorView.get("/sellers")
            #expect(list.status == .ok)
            #expect(list.body.contains(#"href="/sellers" aria-current="page">Sellers</a>"#))
            #expect(list.body.contains(#"<a href="/sellers/S1">S1</a>"#))
            #expect(list.body.contains("<td>testing</td>"))
            #expect(try await operatorView.get("/sellers.csv").body.contains("S1,S1,testing,yes,0.8"))
            let page = try await operatorView.get("/sellers/S1")
            #expect(page.body.contains(#"action="/sellers/S1/status""#))
            #expect(page.body.contains(#"<option value="testing" selected>testing</option>"#))
            #expect(page.body.contains(#"href="/sellers/S1/spec?vertical=auto_insurance""#))

            let forged = try await operatorView.post("/sellers/S1/status", ["status": "active", "csrf": "wrong"])
            #expect(forged.status == .forbidden)
            #expect(try await client.call(.get, "/v1/sellers/S1").body["status"] == "testing")
            let csrf = try #require(DashboardBrowser.csrf(page.body))
            let bogus = try await operatorView.post("/sellers/S1/status", ["status": "retired", "csrf": csrf])
            #expect(bogus.status == .unprocessableContent)
            let changed = try await operatorView.post("/sellers/S1/status", ["status": "active", "csrf": csrf])
            #expect(changed.status == .seeOther)
            #expect(changed.location == "/sellers/S1?done=active")
            #expect(try await client.call(.get, "/v1/sellers/S1").body["status"] == "active")
            #expect(try await operatorView.get("/sellers/S1?done=active").body.contains("status is now active."))

            let sellerView = DashboardBrowser(client)
            try await sellerView.signIn(key)
            let own = try await sellerView.get("/sellers")
            #expect(own.status == .seeOther)
            #expect(own.location == "/sellers/S1")
            let mine = try await sellerView.get("/sellers/S1")
            #expect(mine.body.contains(#"href="/sellers" aria-current="page">Integration</a>"#))
            #expect(mine.body.contains("Active: leads are sold for real"))
            #expect(!mine.body.contains(#"action="/sellers/S1/status""#))
            #expect(mine.body.contains(#"href="/sellers/S1/spec?vertical=solar""#))
            let sellerCSRF = try #require(DashboardBrowser.csrf(mine.body))
            #expect(try await sellerView.post("/sellers/S1/status", ["status": "paused", "csrf": sellerCSRF]).status == .forbidden)
            #expect(try await sellerView.get("/sellers/S2").status == .notFound)
            #expect(try await sellerView.get("/sellers.csv").status == .forbidden)
            let guide = try await sellerView.get("/sellers/S1/spec?vertical=auto_insurance")
            #expect(guide.status == .ok)
            #expect(guide.body.contains("Posting guide: Auto insurance for S1"))
            #expect(guide.body.contains("<code>credit_rating</code>"))

            try await market.buyer("buyer-h")
            let buyerKey = try await ScopedMarket.buyerKey(client, "buyer-h")
            let buyerView = DashboardBrowser(client)
            try await buyerView.signIn(buyerKey)
            #expect(try await buyerView.get("/sellers").status == .forbidden)
            #expect(try await buyerView.get("/sellers/S1").status == .notFound)
            #expect(!(try await buyerView.get("/").body.contains(#"href="/sellers""#)))
        }
    }
}
