import Foundation
import GavelCore
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Dashboard: what each role sees")
struct DashboardScopeTests {
    /// Every page and download a viewer can reach, with their bodies.
    static func pages(_ browser: DashboardBrowser, _ paths: [String]) async throws -> [(String, DashboardBrowser.Page)] {
        var pages: [(String, DashboardBrowser.Page)] = []
        for path in paths { pages.append((path, try await browser.get(path))) }
        return pages
    }

    /// A page without its ISO 8601 times, whose seconds and milliseconds can read like an amount
    /// (a lead received at `…:17.378Z` holds "17.37").
    static func withoutTimes(_ body: String) -> String {
        body.replacing(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/, with: "")
    }

    @Test func aSellerSeesItsOwnLeadsAndEarningsOnly() async throws {
        try await withMarket { client, market, _ in
            let run = try await ScopedMarket.make(client, market)
            let browser = DashboardBrowser(client)
            try await browser.signIn(run.alphaKey)
            let paths =
                [
                    "/", "/leads", "/leads.csv", "/leads?status=sold", "/overview.csv?table=reasons", "/reports.csv?group_by=source",
                    "/reports.csv?group_by=hour",
                ] + run.alphaLeads.map { "/leads/\($0)" } + run.alphaLeads.map { "/leads/\($0)/csv?table=timeline" }
                + run.alphaLeads.map { "/leads/\($0)/csv?table=ledger" }
            for (path, page) in try await Self.pages(browser, paths) {
                #expect(page.status == .ok, "\(path)")
                #expect(!page.body.contains("betaseller"), "another seller on \(path)")
                for lead in run.betaLeads { #expect(!page.body.contains(lead), "another seller's lead on \(path)") }
                let amounts = Self.withoutTimes(page.body)
                for bid in ScopedMarket.bids { #expect(!amounts.contains(bid), "a buyer's bid \(bid) on \(path)") }
                #expect(!page.body.contains("buyer-"), "a buyer on \(path)")
            }
            let overview = try await browser.get("/")
            #expect(overview.body.contains("Seller alphaseller"))
            #expect(overview.body.contains("$46.53"), "its own earnings: 13.90 + 13.90 + 18.73")
            #expect(!overview.body.contains("tamper-evident"), "the books' chain is the operator's")
            #expect(try await browser.get("/chain-head.json").status == .forbidden)
            #expect(!overview.body.contains("Revenue"))
            #expect(!overview.body.contains("/campaigns\""), "no campaigns list in its navigation")
            let lead = try await browser.get("/leads/\(run.alphaLeads[2])")
            #expect(lead.body.contains("Your payout"))
            #expect(lead.body.contains("seller:alphaseller"))
            #expect(!lead.body.contains("exchange:margin"))
            #expect(lead.body.contains("/campaigns/remotecamp?lead=\(run.alphaLeads[2])"), "the campaign that bought it")
        }
    }

    @Test func aSellerReachesOnlyTheCampaignThatBoughtItsLead() async throws {
        try await withMarket { client, market, _ in
            let run = try await ScopedMarket.make(client, market)
            let browser = DashboardBrowser(client)
            try await browser.signIn(run.alphaKey)
            let bought = try await browser.get("/campaigns/remotecamp?lead=\(run.alphaLeads[2])")
            #expect(bought.status == .ok)
            #expect(bought.body.contains("Bought your lead"))
            for hidden in ["Spend", "Caps", "23.41", "buyer-", "Operator actions"] { #expect(!bought.body.contains(hidden), "\(hidden)") }
            #expect(try await browser.get("/campaigns/remotecamp").status == .notFound)
            #expect(try await browser.get("/campaigns/remotecamp?lead=\(run.alphaLeads[0])").status == .notFound, "a lead it did not buy")
            #expect(try await browser.get("/campaigns/remotecamp?lead=\(run.betaLeads[0])").status == .notFound, "another seller's lead")
            #expect(try await browser.get("/campaigns").status == .forbidden)
            #expect(try await browser.get("/campaigns.csv").status == .forbidden)
            #expect(try await browser.get("/leads/\(run.betaLeads[0])").status == .notFound)
            #expect(try await browser.get("/reports.csv?group_by=buyer").status == .forbidden)
        }
    }

    @Test func aBuyerSeesItsCampaignsSpendAndCapsButNoPayoutsOrOtherBuyers() async throws {
        try await withMarket { client, market, _ in
            let run = try await ScopedMarket.make(client, market)
            let browser = DashboardBrowser(client)
            try await browser.signIn(run.remoteBuyerKey)
            let paths = [
                "/", "/leads", "/leads.csv", "/campaigns", "/campaigns.csv", "/campaigns/remotecamp",
                "/campaigns/remotecamp/csv?table=caps",
                "/campaigns/remotecamp/csv?table=activity", "/overview.csv?table=prices", "/overview.csv?table=reasons",
                "/reports.csv?group_by=campaign", "/reports.csv?group_by=hour", "/leads/\(run.alphaLeads[2])", "/leads/\(run.betaLeads[0])",
                "/leads/\(run.alphaLeads[2])/csv?table=ledger",
            ]
            for (path, page) in try await Self.pages(browser, paths) {
                #expect(page.status == .ok, "\(path)")
                for payout in ScopedMarket.payouts { #expect(!page.body.contains(payout), "a seller's payout \(payout) on \(path)") }
                for hidden in ["hostedcamp", "alphaseller", "betaseller", "seller:", "17.37"] {
                    #expect(!page.body.contains(hidden), "\(hidden) on \(path)")
                }
            }
            let overview = try await browser.get("/")
            #expect(overview.body.contains("Spend"))
            #expect(overview.body.contains("$70.23"), "its spend: three leads at 23.41")
            #expect(!overview.body.contains("Payout"))
            let campaign = try await browser.get("/campaigns/remotecamp")
            #expect(campaign.body.contains("Spend versus caps"))
            #expect(!campaign.body.contains("Operator actions"))
            #expect(try await browser.get("/campaigns/hostedcamp").status == .notFound)
            #expect(try await browser.get("/leads/\(run.alphaLeads[0])").status == .notFound, "a lead it was never offered")
            #expect(try await browser.get("/reports.csv?group_by=seller").status == .forbidden)
        }
    }

    @Test func theOperatorSeesEverythingButPersonalFields() async throws {
        try await withMarket { client, market, _ in
            let run = try await ScopedMarket.make(client, market)
            let browser = DashboardBrowser(client)
            try await browser.signIn(adminToken)
            let overview = try await browser.get("/")
            for seen in ["alphaseller", "betaseller", "buyer-hostedcamp", "buyer-remotecamp", "Margin"] {
                #expect(overview.body.contains(seen), "\(seen)")
            }
            let head = try await client.call(.get, "/v1/audit/chain-head")
            let hash = try #require(head.body["hash"]?.stringValue)
            #expect(overview.body.contains("Books (tamper-evident chain)") && overview.body.contains(String(hash.prefix(12)) + "…"))
            #expect(overview.body.contains("<a href=\"/chain-head.json\">"), "the head, whole, a click away")
            let download = try await browser.get("/chain-head.json")
            #expect(download.status == .ok && download.body.contains("\"hash\":\"\(hash)\""), "\(download.body)")
            #expect(overview.body.contains("&lt;b&gt;&quot;bold&quot;&lt;/b&gt;"), "a source is escaped")
            #expect(!overview.body.contains("<b>\"bold\"</b>"))
            let lead = try await browser.get("/leads/\(run.alphaLeads[2])")
            for seen in ["bid $23.41", "exchange:margin", "seller:alphaseller", "buyer:buyer-remotecamp", "Eligibility skip", "hostedcamp"]
            {
                #expect(lead.body.contains(seen), "\(seen)")
            }
            for personal in ["Lovelace", "4152001702", "Analytical"] {
                #expect(!lead.body.contains(personal), "personal data: \(personal)")
            }
            let list = try await browser.get("/leads")
            for id in run.alphaLeads + run.betaLeads { #expect(list.body.contains(id)) }
            let campaigns = try await browser.get("/campaigns")
            #expect(campaigns.body.contains("/campaigns/hostedcamp") && campaigns.body.contains("/campaigns/remotecamp"))
        }
    }

    @Test func reportDownloadsAreTheReportsAPIsCSV() async throws {
        try await withMarket { client, market, _ in
            let run = try await ScopedMarket.make(client, market)
            let browser = DashboardBrowser(client)
            try await browser.signIn(run.alphaKey)
            let range = "from=2020-01-01&to=2100-01-01"
            let download = try await browser.get("/reports.csv?group_by=source&\(range)")
            #expect(download.headers[.contentType] == "text/csv; charset=utf-8")
            let api = try await client.call(.get, "/v1/reports?group_by=source&format=csv&\(range)", key: run.alphaKey)
            #expect(.string(download.body) == api.body)
            #expect(download.body.hasPrefix("key,leads,pings,bids"))
            let timeline = try await browser.get("/leads/\(run.alphaLeads[0])/csv?table=timeline")
            #expect(timeline.body.hasPrefix("Time,Event,Campaign,Result,Latency,Amount,Detail\r\n"))
            #expect(try await browser.get("/leads/\(run.alphaLeads[0])/csv?table=nothing").status == .notFound)
        }
    }

    @Test func theOperatorPausesResumesAndChangesCapsAndASellerCannot() async throws {
        try await withMarket { client, market, _ in
            let run = try await ScopedMarket.make(client, market)
            let seller = DashboardBrowser(client)
            try await seller.signIn(run.alphaKey)
            let sellerToken = try await seller.csrf()
            #expect(try await seller.post("/campaigns/hostedcamp/status", ["status": "paused", "csrf": sellerToken]).status == .forbidden)
            #expect(try await seller.post("/campaigns/hostedcamp/caps", ["daily_leads": "0", "csrf": sellerToken]).status == .forbidden)
            let buyer = DashboardBrowser(client)
            try await buyer.signIn(run.hostedBuyerKey)
            #expect(
                try await buyer.post("/campaigns/hostedcamp/status", ["status": "paused", "csrf": try await buyer.csrf()]).status
                    == .forbidden)
            #expect(try await client.call(.get, "/v1/campaigns/hostedcamp").body["status"] == "active")

            let admin = DashboardBrowser(client)
            try await admin.signIn(adminToken)
            let token = try await admin.csrf(of: "/campaigns/hostedcamp")
            let paused = try await admin.post("/campaigns/hostedcamp/status", ["status": "paused", "csrf": token])
            #expect(paused.status == .seeOther)
            #expect(paused.location == "/campaigns/hostedcamp?done=paused")
            #expect(try await client.call(.get, "/v1/campaigns/hostedcamp").body["status"] == "paused")
            let page = try await admin.get(paused.location ?? "/")
            #expect(page.body.contains("Resume campaign"))
            #expect(page.body.contains("The campaign is paused"))
            _ = try await admin.post("/campaigns/hostedcamp/status", ["status": "active", "csrf": token])
            #expect(try await client.call(.get, "/v1/campaigns/hostedcamp").body["status"] == "active")

            let caps = try await admin.post("/campaigns/hostedcamp/caps", ["daily_leads": "5", "daily_spend": "$1,500.50", "csrf": token])
            #expect(caps.status == .seeOther)
            let stored = try await client.call(.get, "/v1/campaigns/hostedcamp").body["caps"]
            #expect(stored?["daily_leads"] == 5)
            #expect(stored?["daily_spend"] == .number(Number(text: "1500.5")!))
            let capsPage = try await admin.get("/campaigns/hostedcamp")
            #expect(capsPage.body.contains("$1,500.50"))
            let bad = try await admin.post("/campaigns/hostedcamp/caps", ["daily_leads": "many", "csrf": token])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("caps.daily_leads"))
            #expect(bad.body.contains(#"value="many""#), "what was typed stays")
        }
    }
}

@Suite("Dashboard scope test helpers")
struct DashboardScopeHelperTests {
    @Test func timesAreRemovedAndAmountsKept() {
        let body = "L1,2026-12-04T05:05:17.378Z,auto,$17.37\n2026-12-04T05:05:17Z"
        #expect(DashboardScopeTests.withoutTimes(body) == "L1,,auto,$17.37\n")
    }
}
