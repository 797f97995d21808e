import Foundation
import GavelCore
import GavelServer
import GavelSim
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Money and reports")
struct MoneyAndReportsTests {
    /// Sales, a cascade, unsold leads and returns from two sellers to two buyers.
    static func mixedRun(
        _ client: any TestClientProtocol, _ market: MarketFixture
    ) async throws -> (s1: String, s2: String, b1: String, b2: String, sold: [String]) {
        let s1 = try await market.seller("S1", share: "0.8")
        let s2 = try await market.seller("S2", share: "0.5")
        try await market.hosted("h1", base: "10")
        var picky = SandboxBuyer.Behavior.bidding(Money(cents: 1_500))
        picky.postOutcome = .reject(reason: "no")
        _ = try await market.remote("r1", picky)
        let b1 = try #require(
            try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": "buyer-h1"]).body["key"]?.stringValue)
        let b2 = try #require(
            try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": "buyer-r1"]).body["key"]?.stringValue)
        var sold: [String] = []
        for n in 0..<6 {
            var lead = autoLead(phone: phone(n))
            if case .object(var members) = lead {
                members["source"] = n % 2 == 0 ? "fb, spring \"7\"" : "google"
                lead = .object(members)
            }
            let result = try await client.call(.post, "/v1/leads", key: n < 4 ? s1 : s2, json: lead)
            #expect(result.body["buyer"] == "h1")
            sold.append(result.body["lead_id"]!.stringValue!)
        }
        let unsold = try await client.call(
            .post, "/v1/leads", key: s1,
            json: [
                "vertical": "mortgage",
                "fields": [
                    "zip": "10001", "state": "NY", "loan_purpose": "purchase", "first_name": "A", "last_name": "B",
                    "phone": .string(phone(50)),
                ],
            ])
        #expect(unsold.body["status"] == "unsold")
        return (s1, s2, b1, b2, sold)
    }

    @Test func returnsConversionsAndTheLedgerAddUp() async throws {
        try await withMarket { client, market, exchange in
            let run = try await Self.mixedRun(client, market)
            let approved = try await client.call(
                .post, "/v1/returns", key: run.b1, json: ["lead_id": .string(run.sold[0]), "reason": "disconnected number"])
            #expect(approved.body["status"] == "approved")
            #expect(approved.body["refund"] == 10)
            #expect(
                try await client.call(.post, "/v1/returns", key: run.b1, json: ["lead_id": .string(run.sold[0]), "reason": "again"]).status
                    == .conflict)
            #expect(
                try await client.call(.post, "/v1/returns", key: run.b2, json: ["lead_id": .string(run.sold[1]), "reason": "not mine"])
                    .status == .notFound)
            #expect(
                try await client.call(.post, "/v1/returns", key: run.b1, json: ["lead_id": .string(run.sold[1])]).status
                    == .unprocessableContent)
            #expect(
                try await client.call(.post, "/v1/conversions", key: run.b1, json: ["lead_id": .string(run.sold[2]), "value": 120]).status
                    == .accepted)
            #expect(
                try await client.call(.post, "/v1/conversions", key: run.b1, json: ["lead_id": .string(run.sold[2])]).status == .conflict)
            #expect(
                try await client.call(.post, "/v1/conversions", key: run.b2, json: ["lead_id": .string(run.sold[3])]).status == .notFound)

            let report = try await client.call(.get, "/v1/reports?group_by=seller")
            let rows = Dictionary(uniqueKeysWithValues: (report.body.arrayValue ?? []).map { ($0["key"]!.stringValue!, $0) })
            #expect(rows["S1"]?["leads"] == 5)
            #expect(rows["S1"]?["sold"] == 4)
            #expect(rows["S1"]?["returned"] == 1)
            #expect(rows["S1"]?["conversions"] == 1)
            #expect(rows["S1"]?["revenue"] == 30, "4 sales at 10, one returned")
            #expect(rows["S1"]?["payout"] == 24)
            #expect(rows["S1"]?["margin"] == 6)
            #expect(rows["S2"]?["revenue"] == 20)
            #expect(rows["S2"]?["payout"] == 10)
            #expect(rows["S1"]?["sold_rate"] == .number(Number(text: "0.8")!))
            let store = try #require(exchange.store as? SQLiteStore)
            let balances = try await store.ledgerBalances()
            let revenue = balances.filter { $0.key.hasPrefix("buyer:") }.values.reduce(Money.zero, +)
            let payout = -balances.filter { $0.key.hasPrefix("seller:") }.values.reduce(Money.zero, +)
            #expect(revenue == Money(cents: 5_000))
            #expect(payout == Money(cents: 3_400))
            #expect(try await store.audit().isClean)
        }
    }

    @Test func everyRoleSeesOnlyItsOwnRows() async throws {
        try await withMarket { client, market, _ in
            let run = try await Self.mixedRun(client, market)
            let mine = try await client.call(.get, "/v1/reports?group_by=seller", key: run.s1)
            #expect(mine.body.arrayValue?.map { $0["key"]?.stringValue } == ["S1"])
            #expect(mine.body.arrayValue?.first?["revenue"] == .null, "a seller never sees what buyers paid")
            #expect(mine.body.arrayValue?.first?["payout"] == 32)
            let sources = try await client.call(.get, "/v1/reports?group_by=source", key: run.s2)
            #expect(Set((sources.body.arrayValue ?? []).compactMap { $0["key"]?.stringValue }) == ["fb, spring \"7\"", "google"])
            #expect(try await client.call(.get, "/v1/reports?group_by=campaign", key: run.s1).status == .forbidden)
            #expect(try await client.call(.get, "/v1/reports?group_by=buyer", key: run.s1).status == .forbidden)
            let buyer = try await client.call(.get, "/v1/reports?group_by=campaign", key: run.b1)
            #expect(buyer.body.arrayValue?.map { $0["key"]?.stringValue } == ["h1"])
            #expect(buyer.body.arrayValue?.first?["payout"] == .null, "a buyer never sees what sellers earned")
            #expect(buyer.body.arrayValue?.first?["revenue"] == 60, "six sales at 10, none returned in this run")
            #expect(try await client.call(.get, "/v1/reports?group_by=seller", key: run.b1).status == .forbidden)
            let other = try await client.call(.get, "/v1/reports?group_by=campaign", key: run.b2)
            #expect(other.body.arrayValue?.allSatisfy { $0["key"] == "r1" } == true)
            let all = try await client.call(.get, "/v1/reports?group_by=campaign")
            let allKeys = Set((all.body.arrayValue ?? []).compactMap { $0["key"]?.stringValue })
            #expect(allKeys.contains("h1") && allKeys.contains("r1"))
            #expect(try await client.call(.get, "/v1/reports?group_by=planet").status == .unprocessableContent)
            #expect(try await client.call(.get, "/v1/reports?group_by=day&from=yesterday").status == .unprocessableContent)
        }
    }

    @Test func csvReportsAndExportsOpenAsTables() async throws {
        try await withMarket { client, market, _ in
            let run = try await Self.mixedRun(client, market)
            let csv = try await client.call(.get, "/v1/reports?group_by=source&format=csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let text = try #require(csv.body.stringValue)
            let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(
                lines.first
                    == "key,leads,pings,bids,bid_rate,sold,sold_rate,accepted,rejected,returned,conversions,revenue,payout,margin,avg_price,epl,conversion_rate,accept_rate,return_rate,p50_response_ms,p95_response_ms,timeouts"
            )
            #expect(
                lines.contains { $0.hasPrefix("\"S1/fb, spring \"\"7\"\"\",") }, "a field with a comma and quotes is quoted, quotes doubled"
            )
            #expect(lines.count >= 4)
            let leads = try await client.call(.get, "/v1/buyer/leads", key: run.b1)
            #expect(leads.body.arrayValue?.count == 6)
            #expect(leads.body.arrayValue?.first?["fields"]?["phone"] != nil, "the buyer gets the full lead it bought")
            let export = try await client.call(.get, "/v1/buyer/leads?format=csv", key: run.b1)
            let exportLines = (export.body.stringValue ?? "").components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(exportLines.count == 7)
            #expect(
                exportLines.first?.hasPrefix("lead_id,campaign,price,sold_at,returned,vertical,source,received_at,erased_at,field.") == true
            )
            #expect(try await client.call(.get, "/v1/buyer/leads", key: run.s1).status == .forbidden)
        }
    }

    @Test func reportsShowEachCampaignsAcceptAndReturnRates() async throws {
        try await withMarket { client, market, _ in
            let run = try await Self.mixedRun(client, market)
            let returned = try await client.call(
                .post, "/v1/returns", key: run.b1, json: ["lead_id": .string(run.sold[0]), "reason": "wrong number"])
            #expect(returned.body["status"] == "approved")
            let rows = try await client.call(.get, "/v1/reports?group_by=campaign").body.arrayValue ?? []
            let h1 = rows.first { $0["key"] == "h1" }
            let r1 = rows.first { $0["key"] == "r1" }
            #expect(h1?["accept_rate"] == 1 && h1?["return_rate"] == .number(Number(text: "0.1667")!), "\(String(describing: h1))")
            #expect(r1?["accept_rate"] == 0, "the picky buyer rejected every post")
            let sellers = try await client.call(.get, "/v1/reports?group_by=source", key: run.s1).body.arrayValue ?? []
            #expect(sellers.allSatisfy { $0["accept_rate"] != nil && $0["return_rate"] != nil })
        }
    }

    @Test func sourceMultipliersMoveABidPerTrafficSource() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            try await market.remote(
                "buyer", .bidding(Money(cents: 1_000)), extra: ["sellers": ["source_multiplier": ["google": .number(Number(text: "0.5")!)]]]
            )
            var google = autoLead(phone: phone(1))
            if case .object(var members) = google {
                members["source"] = "google"
                google = .object(members)
            }
            #expect(try await client.call(.post, "/v1/leads", key: key, json: google).body["price"] == 5)
            #expect(try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(2))).body["price"] == 10)
            let campaign = try await client.call(.get, "/v1/campaigns/buyer")
            #expect(campaign.body["sellers"]?["source_multiplier"]?["google"] == .number(Number(text: "0.5")!))
        }
    }

    @Test func paymentsReduceABuyersBalance() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.buyer("buyer-credit", extra: ["balance_limit": 20])
            try await market.hosted("credit", base: "10")
            try await market.hosted("fallback", base: "3")
            for n in 0..<3 { _ = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(n))) }
            #expect(try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(9))).body["buyer"] == "fallback")
            #expect(try await client.call(.post, "/v1/buyers/buyer-credit/payments", json: ["amount": 15]).status == .created)
            #expect(try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(10))).body["buyer"] == "credit")
            #expect(try await client.call(.post, "/v1/buyers/ghost/payments", json: ["amount": 15]).status == .notFound)
            #expect(try await client.call(.post, "/v1/buyers/buyer-credit/payments", json: ["amount": -1]).status == .unprocessableContent)
        }
    }
}
