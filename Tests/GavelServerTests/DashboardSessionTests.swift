import Foundation
import GavelCore
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Dashboard: sign-in, sessions and CSRF")
struct DashboardSessionTests {
    @Test func pagesWithoutASessionRedirectToTheSignInForm() async throws {
        try await TestExchange.run { client, _ in
            let browser = DashboardBrowser(client)
            for path in [
                "/", "/leads", "/campaigns", "/leads/L1", "/campaigns/c1", "/reports.csv?group_by=day", "/overview.csv?table=prices",
            ] {
                let page = try await browser.get(path)
                #expect(page.status == .seeOther, "\(path)")
                #expect(page.location == "/login", "\(path)")
            }
            let form = try await browser.get("/login")
            #expect(form.status == .ok)
            #expect(form.body.contains(#"<label for="key">API key</label>"#))
            #expect(form.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(try await browser.get("/dashboard.css").headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    @Test func signInWithAKeyStartsAStrictHttpOnlySessionAndSignOutEndsIt() async throws {
        try await TestExchange.run { client, _ in
            let browser = DashboardBrowser(client)
            let wrong = try await browser.signIn("not-a-key")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.contains("not valid"))
            #expect(browser.session == nil)

            let signedIn = try await browser.signIn(adminToken)
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == "/")
            let cookie = try #require(signedIn.cookies.first { $0.hasPrefix("gavel_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.contains(adminToken), "the cookie holds a random id, never the key")
            let overview = try await browser.get("/")
            #expect(overview.status == .ok)
            #expect(overview.body.contains("<h1>Overview</h1>"))
            #expect(overview.body.contains(#"<meta http-equiv="refresh" content="5">"#))
            #expect(!overview.body.contains(adminToken))

            let token = try await browser.csrf()
            let out = try await browser.post("/logout", ["csrf": token])
            #expect(out.status == .seeOther)
            #expect(out.location == "/login")
            #expect(browser.session == nil)
            #expect(try await browser.get("/").location == "/login")
        }
    }

    @Test func theSignInFormNeedsItsOwnToken() async throws {
        try await TestExchange.run { client, _ in
            let browser = DashboardBrowser(client)
            #expect(try await browser.post("/login", ["key": adminToken]).status == .forbidden)
            _ = try await browser.get("/login")
            #expect(try await browser.post("/login", ["key": adminToken, "csrf": "forged"]).status == .forbidden)
            #expect(browser.session == nil)
        }
    }

    @Test func formPostsWithoutAValidCSRFTokenAreRefused() async throws {
        try await withMarket { client, market, _ in
            try await market.hosted("hostedcamp", base: "9")
            let browser = DashboardBrowser(client)
            try await browser.signIn(adminToken)
            let cases: [(String, [String: String])] = [
                ("/campaigns/hostedcamp/status", ["status": "paused"]), ("/campaigns/hostedcamp/caps", ["daily_leads": "1"]),
                ("/preferences", ["timezone": "Asia/Tokyo"]), ("/logout", [:]),
            ]
            for (path, form) in cases {
                #expect(try await browser.post(path, form).status == .forbidden, "\(path) without a token")
                var forged = form
                forged["csrf"] = "forged"
                #expect(try await browser.post(path, forged).status == .forbidden, "\(path) with a wrong token")
            }
            let real = try await browser.csrf()
            let crossSite = try await browser.send(
                .post, "/campaigns/hostedcamp/status", form: ["status": "paused", "csrf": real], headers: [.origin: "https://evil.example"])
            #expect(crossSite.status == .forbidden, "another site's origin")
            let campaign = try await client.call(.get, "/v1/campaigns/hostedcamp")
            #expect(campaign.body["status"] == "active")
            #expect(campaign.body["caps"]?["daily_leads"] == .null)
            #expect(try await browser.get("/").status == .ok, "the session survives refused forms")
            #expect(try await browser.post("/campaigns/hostedcamp/status", ["status": "paused"]).status == .forbidden)
            let noSession = DashboardBrowser(client)
            #expect(try await noSession.post("/campaigns/hostedcamp/status", ["status": "paused", "csrf": real]).status == .forbidden)
        }
    }

    @Test func revokingTheKeyEndsItsSessions() async throws {
        try await withMarket { client, market, _ in
            _ = try await market.seller("alphaseller")
            let created = try await client.call(.post, "/v1/api-keys", json: ["role": "seller", "subject_id": "alphaseller"])
            let key = try #require(created.body["key"]?.stringValue)
            let id = try #require(created.body["id"]?.stringValue)
            let browser = DashboardBrowser(client)
            try await browser.signIn(key)
            #expect(try await browser.get("/").status == .ok)
            #expect(try await client.call(.delete, "/v1/api-keys/\(id)").status == .noContent)
            let after = try await browser.get("/")
            #expect(after.status == .seeOther)
            #expect(after.location == "/login")
            #expect(try await browser.signIn(key).status == .unauthorized)
        }
    }

    @Test func aOneTimeLinkSignsInOnceAndNeverCarriesTheKey() async throws {
        try await TestExchange.run { client, _ in
            #expect(try await client.call(.post, "/v1/dashboard/links", key: nil).status == .unauthorized)
            let minted = try await client.call(.post, "/v1/dashboard/links")
            #expect(minted.status == .created)
            let url = try #require(minted.body["url"]?.stringValue)
            #expect(url.hasPrefix("/login?token="))
            #expect(!url.contains(adminToken))
            let browser = DashboardBrowser(client)
            let used = try await browser.get(url)
            #expect(used.status == .seeOther)
            #expect(used.location == "/")
            #expect(try await browser.get("/").body.contains("Operator"))
            let again = DashboardBrowser(client)
            #expect(try await again.get(url).status == .unauthorized, "a link works once")
            #expect(again.session == nil)
            #expect(try await again.get("/login?token=made-up").status == .unauthorized)
        }
    }

    @Test func theTimeZoneIsTheViewersChoice() async throws {
        try await TestExchange.run { client, _ in
            let browser = DashboardBrowser(client)
            try await browser.signIn(adminToken)
            #expect(try await browser.get("/").body.contains("UTC</time>"))
            let token = try await browser.csrf()
            let set = try await browser.post("/preferences", ["timezone": "America/New_York", "back": "/leads", "csrf": token])
            #expect(set.status == .seeOther)
            #expect(set.location == "/leads")
            let page = try await browser.get("/")
            #expect(page.body.contains(#"<option value="America/New_York" selected>"#))
            #expect(page.body.contains("America/New_York</time>"))
            #expect(try await browser.post("/preferences", ["timezone": "Mars/Olympus", "csrf": token]).status == .unprocessableContent)
            let offsite = try await browser.post("/preferences", ["timezone": "UTC", "back": "//evil.example/", "csrf": token])
            #expect(offsite.location == "/", "only local paths")
        }
    }
}
