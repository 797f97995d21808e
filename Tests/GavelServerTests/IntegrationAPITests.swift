import Foundation
import GavelCore
import GavelServer
import GavelSim
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Buyer integrations through the API, with real loopback buyers of four shapes")
struct IntegrationAPITests {
    static func money(_ text: String) -> Money { Money(Number(text: text)!)! }

    @Test func medicareShapeBidsWinsAndGetsItsAuctionIDBack() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            let (buyer, id) = try await market.foreign(.medicare, bid: Self.money("22"))
            _ = try await market.remote("native", .bidding(Self.money("20")), vertical: "medicare")
            let sold = try await client.call(.post, "/v1/leads", key: key, json: medicareLead())
            #expect(sold.body["status"] == "sold" && sold.body["buyer"] == .string(id) && sold.body["price"] == 22, "\(sold.body)")
            let ping = try #require(buyer.pings.first?.json)
            #expect(
                ping == ["vendorId": "gavel", "zip": 94105, "birthday": "07/04/1958", "tobacco": "N", "gender": "M", "src": "fb-spring-7"])
            let post = try #require(buyer.posts.first)
            let answered = try JSONParser.parse(Array(buyer.pings[0].answerBody.utf8))
            #expect(answered["response"] == "success" && post.json?["leadAuctionId"] == answered["leadAuctionId"])
            #expect(post.json?["leadAuctionId"]?.numberValue != nil, "the captured id goes back as a number")
            #expect(post.answerBody == #"{"response":"success"}"#)
            #expect(post.json?["phone"] == .string(phone(0)) && post.json?["firstName"] == "Ada")
            buyer.update { $0.bid = nil }
            let quota = try await client.call(.post, "/v1/leads", key: key, json: medicareLead(1))
            #expect(quota.body["buyer"] == "native")
            let detail = try await client.call(.get, "/v1/leads/\(quota.body["lead_id"]!.stringValue!)")
            let mapped = (detail.body["timeline"]?.arrayValue ?? []).first { $0["campaign"] == .string(id) }
            #expect(mapped?["answer"] == "no_bid" && mapped?["detail"] == "Quota Reached" && mapped?["http_status"] == 200)
        }
    }

    @Test func formShapeErrorWithALeadIDCascadesAndDuplicatesAreRecorded() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            let (buyer, id) = try await market.foreign(.leadProsper, bid: Self.money("25"))
            let native = try await market.remote("native", .bidding(Self.money("20")))
            let sold = try await client.call(.post, "/v1/leads", key: key, json: contactLead(0))
            #expect(sold.body["buyer"] == .string(id) && sold.body["price"] == 25)
            let ping = try #require(buyer.pings.first)
            #expect(ping.value("lp_key") == "lp-secret-key" && ping.value("zip_code") == "94105" && ping.value("lp_action") == nil)
            #expect(buyer.posts.first?.value("lp_ping_id") == (try? JSONParser.parse(Array(ping.answerBody.utf8)))?["ping_id"]?.stringValue)
            buyer.update { $0.postOutcome = .reject("Missing field zip") }
            let cascaded = try await client.call(.post, "/v1/leads", key: key, json: contactLead(1))
            #expect(cascaded.body["buyer"] == "native" && native.posts.count == 1, "an ERROR that carries a lead_id is a rejection")
            let detail = try await client.call(.get, "/v1/leads/\(cascaded.body["lead_id"]!.stringValue!)")
            let post = (detail.body["timeline"]?.arrayValue ?? []).first { $0["event"] == "post" && $0["campaign"] == .string(id) }
            #expect(post?["outcome"] == "rejected" && post?["reason"] == "Missing field zip" && post?["buyer_lead_id"] != nil)
            buyer.update { $0.postOutcome = .duplicate }
            let duplicate = try await client.call(.post, "/v1/leads", key: key, json: contactLead(2, test: true))
            #expect(duplicate.body["buyer"] == "native")
            #expect(buyer.pings.last?.value("lp_action") == "test", "the test flag in the buyer's own spelling")
            let again = try await client.call(.get, "/v1/leads/\(duplicate.body["lead_id"]!.stringValue!)")
            #expect((again.body["timeline"]?.arrayValue ?? []).contains { $0["campaign"] == .string(id) && $0["outcome"] == "duplicate" })
        }
    }

    @Test func aLowerConfirmedPriceIsChargedWhenTheCampaignAcceptsIt() async throws {
        try await withMarket { client, market, exchange in
            let key = try await market.seller("S1", share: "0.5")
            let (buyer, id) = try await market.foreign(.leadProsper, bid: Self.money("25"))
            buyer.update { $0.confirmed = Self.money("19") }
            let sold = try await client.call(.post, "/v1/leads", key: key, json: contactLead(0))
            #expect(sold.body["status"] == "sold" && sold.body["price"] == .number(Number(text: "9.5")!), "half of the confirmed 19.00")
            let detail = try await client.call(.get, "/v1/leads/\(sold.body["lead_id"]!.stringValue!)")
            #expect(detail.body["revenue"] == 19)
            let post = (detail.body["timeline"]?.arrayValue ?? []).first { $0["event"] == "post" && $0["campaign"] == .string(id) }
            #expect(post?["price"] == 25 && post?["confirmed_price"] == 19)
            let usage = try await exchange.store.capUsage([id: Campaign.Caps().periods(at: SystemWallClock().now())])
            #expect(usage[id]?.daySpend ?? .zero <= Self.money("19"), "caps count what the buyer was charged")
        }
    }

    @Test func getXMLShapeReturnsARedirectAndRejectsALowerPrice() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            let (buyer, id) = try await market.foreign(.xmlGet, bid: Self.money("12.5"))
            _ = try await market.remote("native", .bidding(Self.money("10")))
            let sold = try await client.call(.post, "/v1/leads", key: key, json: contactLead(0))
            #expect(sold.body["buyer"] == .string(id) && sold.body["price"] == .number(Number(text: "12.5")!))
            #expect(sold.body["redirect_url"] == "https://buyer.example/thanks?ref=gavel&step=2")
            let ping = try #require(buyer.pings.first)
            #expect(ping.method == "GET" && ping.value("zip") == "94105" && ping.value("state") == "CA" && ping.body.isEmpty)
            #expect(ping.headers["authorization"]?.hasPrefix("Basic ") == true)
            #expect(buyer.posts.first?.value("phone") == "415-200-1000")
            let lead = try await client.call(.get, "/v1/leads/\(sold.body["lead_id"]!.stringValue!)", key: key)
            #expect(lead.body["redirect_url"] == "https://buyer.example/thanks?ref=gavel&step=2")
            buyer.update { $0.confirmed = Self.money("11") }
            let lowered = try await client.call(.post, "/v1/leads", key: key, json: contactLead(1))
            #expect(lowered.body["buyer"] == "native" && lowered.body["redirect_url"] == .null, "lower_price: reject cascades")
        }
    }

    @Test func nestedXMLShapeOnlyMatchedIsABid() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            let (buyer, id) = try await market.foreign(.nestedXML, bid: Self.money("17.25"))
            _ = try await market.remote("native", .bidding(Self.money("6")))
            let sold = try await client.call(.post, "/v1/leads", key: key, json: contactLead(0))
            #expect(sold.body["buyer"] == .string(id) && sold.body["price"] == .number(Number(text: "17.25")!))
            let ping = try #require(buyer.pings.first?.xml)
            #expect(ping.name == "request" && ping.firstElement(named: "lead")?.firstElement(named: "homeowner")?.text == "Yes")
            #expect(buyer.posts.first?.xml?.firstElement(named: "contact")?.firstElement(named: "phone")?.text == phone(0))
            buyer.update { $0.bid = nil }
            let unmatched = try await client.call(.post, "/v1/leads", key: key, json: contactLead(1))
            #expect(unmatched.body["buyer"] == "native", "an Unmatched answer with a best_bid is no bid")
        }
    }

    @Test func allFourShapesAndNativeBuyersInOneAuctionWithNoPersonalDataInAnyPing() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            let prices = ["20", "21", "22", "23"].map(Self.money)
            var campaigns: [ForeignShape: (ForeignBuyer, String)] = [:]
            for (shape, price) in zip([ForeignShape.leadProsper, .xmlGet, .nestedXML], prices) {
                campaigns[shape] = try await market.foreign(shape, bid: price)
            }
            let native = try await market.remote("native", .bidding(Self.money("19")))
            try await market.hosted("hosted", base: "18")
            var winners: [String] = []
            for round in 0..<4 {
                for (shape, (buyer, _)) in campaigns {
                    let rank = (Array(campaigns.keys).firstIndex(of: shape)! + round) % 4
                    buyer.update { $0.bid = rank == 3 ? nil : prices[rank] }
                }
                let sold = try await client.call(.post, "/v1/leads", key: key, json: contactLead(round))
                #expect(sold.body["status"] == "sold")
                winners.append(sold.body["buyer"]?.stringValue ?? "")
            }
            #expect(Set(winners).isSubset(of: Set(campaigns.values.map(\.1))), "\(winners)")
            #expect(Set(winners).count == 3, "each mapped buyer won a round: \(winners)")
            let pings = campaigns.values.flatMap(\.0.pings)
            #expect(pings.count == 12 && native.pings.count == 4)
            for ping in pings {
                let text = ping.bodyText + ping.query.map { "\($0.name)=\($0.value)" }.joined()
                for value in personalValues + (0..<4).map(phone) { #expect(!text.contains(value), "a ping carried \(value)") }
            }
        }
    }

    @Test func twoStepSellingKeepsTheCapturedTokenUntilThePost() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            let (buyer, id) = try await market.foreign(.leadProsper, bid: Self.money("25"))
            let ping = try await client.call(.post, "/v1/ping", key: key, json: TwoStepTests.pingBody(contactLead(0)))
            #expect(ping.body["status"] == "bid" && ping.body["price"] == 25)
            let token = (try? JSONParser.parse(Array(buyer.pings[0].answerBody.utf8)))?["ping_id"]?.stringValue
            let post = try await client.call(
                .post, "/v1/post", key: key, json: TwoStepTests.postBody(ping.body["ping_id"]!, contactLead(0)))
            #expect(post.body["status"] == "sold" && post.body["buyer"] == .string(id))
            #expect(buyer.posts.first?.value("lp_ping_id") == token && token != nil)
        }
    }
}
