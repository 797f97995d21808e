import GavelCore
import GavelServer
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Dashboard: webhooks")
struct WebhookDashboardTests {
    /// Registers a webhook through the page's form; returns the page that answers.
    static func register(_ browser: DashboardBrowser, url: String, events: [String]) async throws -> DashboardBrowser.Page {
        var form = ["url": url, "csrf": try await browser.csrf(of: "/webhooks"), "description": "CRM <hook>"]
        for event in events { form["event:" + event] = "on" }
        return try await browser.post("/webhooks", form)
    }

    @Test func everyRoleRegistersSeesItsSecretOnceAndDeletes() async throws {
        try await withMarket { client, market, exchange in
            let sellerKey = try await market.seller("S1")
            try await market.buyer("acme")
            let buyerKey = try await WebhookAPITests.buyerKey(client, market, "acme")
            for (key, events, hidden) in [
                (sellerKey, ["lead.sold", "lead.unsold"], "balance.low"), (buyerKey, ["balance.low", "campaign.paused"], "lead.unsold"),
                (adminToken, ["lead.unsold", "balance.low"], "nothing-hidden"),
            ] {
                let browser = DashboardBrowser(client)
                try await browser.signIn(key)
                let empty = try await browser.get("/webhooks")
                #expect(empty.status == .ok && empty.body.contains("No webhooks yet."))
                #expect(empty.body.contains(#"href="/webhooks" aria-current="page""#), "in the navigation")
                #expect(!empty.body.contains("name=\"event:\(hidden)\""), "\(hidden) offered to a role that never receives it")

                let created = try await Self.register(browser, url: "https://hooks.example/\(events[0])", events: events)
                #expect(created.status == .ok)
                let stored = try #require(try await exchange.store.webhooks().last)
                #expect(stored.events.map(\.rawValue) == events.sorted() && stored.description == "CRM <hook>")
                #expect(created.body.contains(stored.secret), "the secret, shown once")
                #expect(created.body.contains("CRM &lt;hook&gt;") && !created.body.contains("CRM <hook>"))
                let later = try await browser.get("/webhooks")
                #expect(!later.body.contains(stored.secret) && later.body.contains(stored.id))
                let page = try await browser.get("/webhooks/\(stored.id)")
                #expect(page.status == .ok && page.body.contains("No deliveries.") && !page.body.contains(stored.secret))

                let csrf = try await browser.csrf(of: "/webhooks/\(stored.id)")
                #expect(try await browser.post("/webhooks/\(stored.id)/delete", [:]).status == .forbidden, "no CSRF token")
                let deleted = try await browser.post("/webhooks/\(stored.id)/delete", ["csrf": csrf])
                #expect(deleted.status == .seeOther && deleted.location == "/webhooks?done=deleted")
                #expect(try await exchange.store.webhooks().allSatisfy { $0.id != stored.id })
            }
        }
    }

    @Test func aRefusedFormShowsWhyAndKeepsWhatWasTyped() async throws {
        try await withMarket(configure: { $0.allowPrivateBuyerURLs = false }) { client, market, exchange in
            let browser = DashboardBrowser(client)
            try await browser.signIn(try await market.seller("S1"))
            let refused = try await Self.register(browser, url: "http://169.254.169.254/latest", events: [])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("The webhook was not registered"))
            #expect(refused.body.contains("events: must name at least one event"))
            #expect(refused.body.contains("metadata address"))
            #expect(refused.body.contains(#"value="http://169.254.169.254/latest""#))
            #expect(try await exchange.store.webhooks().isEmpty)
        }
    }

    @Test func deliveriesAreListedWithARedeliverButtonForTheOwnerOnly() async throws {
        try await withMarket { client, market, exchange in
            let sellerKey = try await market.seller("S1")
            let otherKey = try await market.seller("S2")
            try await market.hosted("acme-ca", base: "20")
            let hook = try await WebhookAPITests.register(client, key: sellerKey, url: "https://hooks.example/s1", events: ["lead.sold"])
            _ = try await client.call(.post, "/v1/leads", key: sellerKey, json: autoLead())
            let delivery = try #require(try await exchange.store.webhookDeliveries(webhookID: hook.id, status: nil, limit: 1).first)

            let browser = DashboardBrowser(client)
            try await browser.signIn(sellerKey)
            let page = try await browser.get("/webhooks/\(hook.id)")
            #expect(page.body.contains(delivery.id) && page.body.contains(delivery.message.eventID) && page.body.contains("pending"))
            let action = "/webhooks/\(hook.id)/deliveries/\(delivery.id)/redeliver"
            #expect(page.body.contains(#"action="\#(action)""#))
            #expect(try await browser.get("/webhooks/\(hook.id)?status=delivered").body.contains("No deliveries."))
            let redelivered = try await browser.post(action, ["csrf": try await browser.csrf(of: "/webhooks/\(hook.id)")])
            #expect(redelivered.status == .seeOther && redelivered.location == "/webhooks/\(hook.id)?done=redelivered")

            let stranger = DashboardBrowser(client)
            try await stranger.signIn(otherKey)
            #expect(try await stranger.get("/webhooks/\(hook.id)").status == .notFound)
            #expect(try await stranger.post(action, ["csrf": try await stranger.csrf(of: "/webhooks")]).status == .notFound)
            #expect(!(try await stranger.get("/webhooks").body.contains(hook.id)))
            let admin = DashboardBrowser(client)
            try await admin.signIn(adminToken)
            #expect(try await admin.get("/webhooks").body.contains("Seller S1"))
        }
    }
}
