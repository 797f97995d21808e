import AsyncHTTPClient
import Foundation
import GavelCore
import Testing

/// Learned floors, quality ranking and bid guidance on a live server process: switched on through
/// the settings API, explained in the timeline, and kept across a restart.
@Suite("Market intelligence through the real server process", .serialized)
struct IntelligenceProcessTests {
    static func lead(_ n: Int) -> JSONValue {
        [
            "vertical": "auto_insurance", "source": "search",
            "fields": [
                "zip": "94105", "state": "CA", "age": 40, "first_name": "Iris", "last_name": "Quale",
                "phone": .string("415310\(String(10_000 + n % 10_000).dropFirst())"),
            ],
        ]
    }

    @Test func settingsTimelineAndInsightsWorkOnALiveServer() async throws {
        let arguments = ["serve", "--port", "0", "--admin-token", "adm"]
        let first = try GavelProcess(arguments)
        let client = Client(http: HTTPClient.shared, baseURL: try await first.waitUntilListening())
        for buyer in ["b-high", "b-low"] { _ = try await client.call(.POST, "/v1/buyers", key: "adm", json: ["id": .string(buyer)]) }
        for (id, base) in [("high", 12), ("low", 8)] {
            let created = try await client.call(
                .POST, "/v1/campaigns", key: "adm",
                json: [
                    "id": .string(id), "buyer_id": .string("b-\(id)"), "vertical": "auto_insurance", "delivery": ["mode": "hosted"],
                    "bid": ["base": .number(Number(base))],
                ])
            #expect(created.status == 201, "\(created.body)")
        }
        _ = try await client.call(.POST, "/v1/sellers", key: "adm", json: ["id": "S1", "name": "One"])
        let sellerKey = try #require(
            try await client.call(.POST, "/v1/api-keys", key: "adm", json: ["role": "seller", "subject_id": "S1"]).body["key"]?.stringValue)
        let lowKey = try #require(
            try await client.call(.POST, "/v1/api-keys", key: "adm", json: ["role": "buyer", "subject_id": "b-low"]).body["key"]?
                .stringValue)

        let settings = try await client.call(
            .PUT, "/v1/settings", key: "adm",
            json: ["floor_learning": "on", "ranking": "quality", "ranking_options": ["rejection_cost": 1]])
        #expect(settings.status == 200 && settings.body["floor_learning"] == "on" && settings.body["ranking"] == "quality")
        #expect(settings.body["ranking_options"] == ["rejection_cost": 1])
        var last = ""
        for n in 0..<12 {
            let sold = try await client.call(.POST, "/v1/leads", key: sellerKey, json: Self.lead(n))
            #expect(sold.body["buyer"] == "high", "\(sold.body)")
            last = try #require(sold.body["lead_id"]?.stringValue)
        }
        let timeline = try await client.call(.GET, "/v1/leads/\(last)", key: "adm").body["timeline"]?.arrayValue ?? []
        #expect(timeline.contains { $0["event"] == "floor" && $0["segment"] == "auto_insurance|CA|search" })
        #expect(timeline.contains { $0["event"] == "ranking" && $0["ranking"] == "quality" && $0["rejection_cost"] == 1 })

        // A restart keeps the settings, the notes and the facts insights are computed from.
        await first.kill()
        let second = try GavelProcess(arguments, folder: first.folder)
        let again = Client(http: HTTPClient.shared, baseURL: try await second.waitUntilListening())
        #expect(try await again.call(.GET, "/v1/settings", key: "adm").body["ranking"] == "quality")
        let kept = try await again.call(.GET, "/v1/leads/\(last)", key: "adm").body["timeline"]?.arrayValue ?? []
        #expect(kept.contains { $0["event"] == "floor" })
        let insights = try await again.call(.GET, "/v1/buyer/insights", key: lowKey)
        let row = try #require(insights.body["segments"]?.arrayValue?.first, "\(insights.body)")
        #expect(row["campaign_id"] == "low" && row["leads"] == 12 && row["won"] == 0 && row["clearing_price"]?["p50"] == 12)
        #expect(!JSONWriter.string(insights.body).contains("high"))
        await second.kill()
    }
}
