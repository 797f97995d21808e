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

@Suite("Eligibility: caps, dedupe, suppression, shared sales, explanations")
struct EligibilityTests {
    /// Fires `count` leads from `clients` concurrent clients and returns each response body.
    static func fire(_ client: any TestClientProtocol, key: String, count: Int, clients: Int, offset: Int = 0) async throws -> [JSONValue] {
        try await withThrowingTaskGroup(of: [JSONValue].self) { group in
            for worker in 0..<clients {
                group.addTask {
                    var bodies: [JSONValue] = []
                    for n in stride(from: worker, to: count, by: clients) {
                        bodies.append(try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(offset + n))).body)
                    }
                    return bodies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    @Test func aDailyLeadCapHoldsUnderConcurrency() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            var slowPost = SandboxBuyer.Behavior.bidding(Money(cents: 5_000))
            slowPost.postLatency = .fixed(.milliseconds(20))
            let capped = try await market.remote("capped", slowPost, extra: ["caps": ["timezone": "America/New_York", "daily_leads": 3]])
            try await market.hosted("fallback", base: "5")
            let bodies = try await Self.fire(client, key: key, count: 24, clients: 8)
            #expect(bodies.filter { $0["buyer"] == "capped" }.count == 3)
            #expect(bodies.filter { $0["buyer"] == "fallback" }.count == 21)
            #expect(capped.posts.filter { $0.json?["price"] != nil }.count == 3)
        }
    }

    @Test func aDailySpendCapHoldsUnderConcurrency() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("spendy", base: "10", extra: ["caps": ["daily_spend": 30]])
            try await market.hosted("fallback", base: "4")
            let bodies = try await Self.fire(client, key: key, count: 24, clients: 8)
            #expect(bodies.filter { $0["buyer"] == "spendy" }.count == 3)
            let capSkips = try await client.call(.get, "/metrics", key: nil)
            #expect(capSkips.body.stringValue?.contains("reason=\"cap\"") == true)
        }
    }

    @Test func theSameConsumerAgainIsADuplicate() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("h", base: "5")
            #expect(try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: "415-555-0100")).body["status"] == "sold")
            let again = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: "(415) 555 0100"))
            #expect(again.body["status"] == "duplicate")
            #expect(again.body["price"] == 0)
            let byEmail = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(7), email: "ADA@Example.com"))
            #expect(byEmail.body["status"] == "sold")
            let emailAgain = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(8), email: "ada@example.com"))
            #expect(emailAgain.body["status"] == "duplicate")
            let test = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: "4155550100", test: true))
            #expect(test.body["status"] == "sold", "test leads are not deduped")
        }
    }

    @Test func aCampaignNeverReceivesTheSameConsumerWithinItsWindow() async throws {
        try await withMarket { client, market, _ in
            try await market.settings(["dedupe_days": 0])
            let key = try await market.seller("S1")
            let once = try await market.remote("once", .bidding(Money(cents: 2_000)), extra: ["dedupe_days": 30])
            try await market.hosted("other", base: "5")
            #expect(try await client.call(.post, "/v1/leads", key: key, json: autoLead()).body["buyer"] == "once")
            let second = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(second.body["buyer"] == "other")
            #expect(once.pings.count == 1, "the campaign was pinged with a consumer it already bought")
            let lead = try await client.call(.get, "/v1/leads/\(second.body["lead_id"]!.stringValue!)", key: key)
            #expect(
                (lead.body["timeline"]?.arrayValue ?? []).contains {
                    $0["event"] == "skipped" && $0["campaign"] == "once" && $0["reason"] == "dedupe"
                })
        }
    }

    @Test func suppressedConsumersAreNeverPingedToThatBuyer() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            let insurer = try await market.remote("insurer", .bidding(Money(cents: 2_000)))
            try await market.hosted("other", base: "5")
            let buyerKey = try #require(
                try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": "buyer-insurer"]).body["key"]?
                    .stringValue)
            let hash = SHA256ContactHasher().sha256Hex("1" + phone(1))
            let upload = try await client.call(
                .post, "/v1/buyer/suppressions", key: buyerKey, json: ["phone_sha256": [.string(hash.uppercased())]])
            #expect(upload.body["size"] == 1)
            let bad = try await client.call(.post, "/v1/buyer/suppressions", key: buyerKey, json: ["phone_sha256": ["abc"]])
            #expect(errorFields(bad.body) == ["phone_sha256[0]"])
            let tooMany = JSONValue.array(Array(repeating: .string(hash), count: 7_501))
            let over = try await client.call(.post, "/v1/buyer/suppressions", key: buyerKey, json: ["email_sha256": tooMany])
            #expect(over.status == .unprocessableContent && errorFields(over.body) == ["email_sha256"])
            let suppressed = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(1)))
            #expect(suppressed.body["buyer"] == "other")
            #expect(insurer.pings.isEmpty)
            #expect(try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(2))).body["buyer"] == "insurer")
            #expect(try await client.call(.delete, "/v1/buyer/suppressions", key: buyerKey).status == .noContent)
            try await market.settings(["dedupe_days": 0])
            #expect(try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(1))).body["buyer"] == "insurer")
            #expect(try await client.call(.post, "/v1/buyer/suppressions", key: key, json: ["phone_sha256": []]).status == .forbidden)
        }
    }

    @Test func sharedSaleWhenTheSharedSumBeatsTheBestExclusiveBid() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            try await market.hosted("shared-a", base: "9", extra: ["lead_type": "shared"])
            try await market.hosted("shared-b", base: "8", extra: ["lead_type": "shared"])
            try await market.hosted("shared-c", base: "7", extra: ["lead_type": "shared"])
            try await market.hosted("shared-d", base: "6", extra: ["lead_type": "shared"])
            try await market.hosted("exclusive", base: "20")
            // auto_insurance sells to up to 3 shared buyers: 9 + 8 + 7 = 24 > 20.
            let shared = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(shared.body["buyers"] == ["shared-a", "shared-b", "shared-c"])
            #expect(shared.body["price"] == 24)
            _ = try await client.call(.patch, "/v1/campaigns/exclusive", json: ["bid": ["base": 30]])
            let exclusive = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(5)))
            #expect(exclusive.body["buyers"] == ["exclusive"])
            #expect(exclusive.body["price"] == 30)
        }
    }

    @Test func skippedCampaignsAreExplainedInTheTimeline() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("paused", base: "5", extra: ["status": "paused"])
            try await market.hosted("ny-only", base: "5", extra: ["filters": [["field": "state", "eq": "NY"]]])
            try await market.hosted("denied", base: "5", extra: ["sellers": ["deny": ["S1"]]])
            try await market.hosted("closed", base: "5", extra: ["schedule": ["timezone": "UTC", "hours": [:]]])
            try await market.hosted("open", base: "5")
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            let lead = try await client.call(.get, "/v1/leads/\(sold.body["lead_id"]!.stringValue!)", key: key)
            var reasons: [String: String] = [:]
            for event in lead.body["timeline"]?.arrayValue ?? [] where event["event"] == "skipped" {
                reasons[event["campaign"]!.stringValue!] = event["reason"]?.stringValue
            }
            #expect(reasons == ["paused": "paused", "ny-only": "filter", "denied": "seller_list", "closed": "schedule"])
            let metrics = try await client.call(.get, "/metrics", key: nil).body.stringValue ?? ""
            for reason in ["paused", "filter", "seller_list", "schedule"] {
                #expect(metrics.contains("gavel_skips_total{reason=\"\(reason)\"}"), "\(reason)")
            }
        }
    }

    @Test func aBuyerAtItsCreditLimitIsNotEligible() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.buyer("buyer-credit", extra: ["balance_limit": 25])
            try await market.hosted("credit", base: "10")
            try await market.hosted("fallback", base: "3")
            let bodies = try await Self.fire(client, key: key, count: 6, clients: 3)
            #expect(bodies.filter { $0["buyer"] == "credit" }.count == 2)
        }
    }
}
