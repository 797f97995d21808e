import GavelCore
import GavelServer
import HTTPTypes
import HummingbirdTesting
import Testing

/// Bid guidance through the API and the dashboard, and the timeline's floor and ranking events.
@Suite("Buyer insights and auction notes")
struct InsightsAPITests {
    /// Two hosted buyers bid on 12 leads of one source and 3 of another.
    static func market(
        _ client: any TestClientProtocol, _ market: MarketFixture
    ) async throws -> (seller: String, low: String, leads: [String]) {
        let seller = try await market.seller("S1")
        try await market.hosted("high", base: "10")
        try await market.hosted("low", base: "6")
        var leads: [String] = []
        for n in 0..<15 {
            var lead = autoLead(phone: phone(300 + n))
            if case .object(var members) = lead {
                members["source"] = n < 12 ? "fb-spring-7" : "rare"
                lead = .object(members)
            }
            let sold = try await client.call(.post, "/v1/leads", key: seller, json: lead)
            #expect(sold.body["buyer"] == "high", "\(sold.body)")
            leads.append(try #require(sold.body["lead_id"]?.stringValue))
        }
        return (seller, try await ScopedMarket.buyerKey(client, "buyer-low"), leads)
    }

    @Test func aBuyerSeesAggregatesOfItsOwnCampaignsOnly() async throws {
        try await withMarket { client, market, _ in
            let (seller, low, _) = try await Self.market(client, market)
            let answer = try await client.call(.get, "/v1/buyer/insights", key: low)
            #expect(answer.status == .ok)
            #expect(answer.body["buyer_id"] == "buyer-low" && answer.body["minimum_leads"] == 10)
            #expect(answer.body["hidden_segments"] == 1, "the source with 3 leads is left out")
            let segments = try #require(answer.body["segments"]?.arrayValue)
            #expect(segments.count == 1)
            let row = try #require(segments.first)
            #expect(row["campaign_id"] == "low" && row["source"] == "fb-spring-7" && row["leads"] == 12 && row["won"] == 0)
            #expect(row["win_rate"] == 0)
            #expect(row["clearing_price"] == ["p25": 10, "p50": 10, "p75": 10])
            #expect(row["bid_to_win_half"] == .number(Number(text: "10.01")!))
            #expect(row["accept_rate"] == .null && row["return_rate"] == .null)
            // Nothing names the other buyer or its campaign.
            let text = JSONWriter.string(answer.body)
            #expect(!text.contains("high"), "\(text)")

            #expect(try await client.call(.get, "/v1/buyer/insights?buyer_id=buyer-high", key: low).status == .forbidden)
            #expect(try await client.call(.get, "/v1/buyer/insights", key: seller).status == .forbidden)
            #expect(try await client.call(.get, "/v1/buyer/insights").status == .unprocessableContent)
            #expect(try await client.call(.get, "/v1/buyer/insights?buyer_id=ghost").status == .notFound)
            #expect(try await client.call(.get, "/v1/buyer/insights?buyer_id=buyer-low&from=yesterday").status == .unprocessableContent)
            let high = try await client.call(.get, "/v1/buyer/insights?buyer_id=buyer-high")
            let won = try #require(high.body["segments"]?.arrayValue?.first)
            #expect(won["campaign_id"] == "high" && won["won"] == 12 && won["win_rate"] == 1 && won["accept_rate"] == 1)
        }
    }

    @Test func theDashboardShowsTheSameGuidance() async throws {
        try await withMarket { client, market, _ in
            let (_, low, _) = try await Self.market(client, market)
            let browser = DashboardBrowser(client)
            _ = try await browser.signIn(low)
            let page = try await browser.get("/insights")
            #expect(page.status == .ok)
            #expect(page.body.contains("Bid guidance") && page.body.contains("$10.01") && page.body.contains("href=\"/insights\""))
            #expect(!page.body.contains("buyer-high"))
            let csv = try await browser.get("/insights/csv?table=insights")
            #expect(csv.status == .ok && csv.body.contains("low,auto_insurance,fb-spring-7,12,0"), "\(csv.body)")
        }
    }

    @Test func theOperatorsTimelineExplainsTheFloorAndTheOrder() async throws {
        try await withMarket { client, market, _ in
            let (seller, _, leads) = try await Self.market(client, market)
            let detail = try await client.call(.get, "/v1/leads/\(leads[0])")
            let events = detail.body["timeline"]?.arrayValue ?? []
            let floor = try #require(events.first { $0["event"] == "floor" })
            #expect(floor["source"] == "static" && floor["floor"] == 2 && floor["static_floor"] == 2)
            #expect(floor["explanation"]?.stringValue?.contains("floor learning is off") == true)
            #expect(events.contains { $0["event"] == "ranking" && $0["ranking"] == "price" })
            let own = try await client.call(.get, "/v1/leads/\(leads[0])", key: seller)
            #expect(!(own.body["timeline"]?.arrayValue ?? []).contains { $0["event"] == "floor" || $0["event"] == "ranking" })

            try await market.settings(["floor_learning": "on", "ranking": "quality"])
            let next = try await client.call(.post, "/v1/leads", key: seller, json: autoLead(phone: phone(900)))
            let timeline = try await client.call(.get, "/v1/leads/\(next.body["lead_id"]!.stringValue!)").body["timeline"]?.arrayValue ?? []
            let learned = try #require(timeline.first { $0["event"] == "floor" })
            #expect(learned["source"] == "warming_up" && learned["segment"] == "auto_insurance|CA|fb-spring-7", "\(learned)")
            let ranking = try #require(timeline.first { $0["event"] == "ranking" })
            #expect(ranking["ranking"] == "quality" && ranking["factors"]?["high"] != nil && ranking["factors"]?["low"] != nil)
            #expect(ranking["rejection_cost"] == .number(Number(text: "0.25")!), "the default rejection cost, stated")
            #expect(timeline.filter { $0["event"] == "ping" }.allSatisfy { $0["quality_factor"] != nil })
        }
    }
}
