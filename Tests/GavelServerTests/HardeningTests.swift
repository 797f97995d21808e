import Foundation
import GavelBuyers
import GavelCore
import GavelServer
import GavelSim
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Hardening: limits, abuse, failing buyers")
struct HardeningTests {
    @Test func bodiesOverOneMebibyteAre413() async throws {
        try await withMarket { client, market, exchange in
            let key = try await market.seller("S1")
            let huge = "{\"vertical\": \"auto_insurance\", \"fields\": {\"zip\": \"" + String(repeating: "9", count: 1_100_000) + "\"}}"
            let response = try await client.call(.post, "/v1/leads", key: key, raw: huge)
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func deepNestingManyFieldsAndLongStringsAre422() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
            let nested = try await client.call(
                .post, "/v1/leads", key: key, raw: "{\"vertical\": \"auto_insurance\", \"fields\": {}, \"consent\": {\"x\": \(deep)}}")
            #expect(nested.status == .unprocessableContent)
            let members = (0..<2_000).map { "\"f\($0)\": 1" }.joined(separator: ",")
            let wide = try await client.call(
                .post, "/v1/leads", key: key, raw: "{\"vertical\": \"auto_insurance\", \"fields\": {\(members)}}")
            #expect(wide.status == .unprocessableContent)
            let long = try await client.call(
                .post, "/v1/leads", key: key, json: autoLead(extra: ["vehicle_make": .string(String(repeating: "x", count: 5_000))]))
            #expect(long.status == .unprocessableContent)
            #expect(errorFields(long.body) == ["fields.vehicle_make"])
        }
    }

    @Test func aKeyOverItsRateGets429WithRetryAfter() async throws {
        try await withMarket(configure: { $0.rateLimit = RateLimiter.Configuration(rate: 1, burst: 3) }) { client, market, _ in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<10 {
                let response = try await client.call(.get, "/v1/settings")
                statuses.append(response.status)
                if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == .ok })
            #expect(statuses.contains(.tooManyRequests))
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
            _ = market
        }
    }

    @Test func buyerURLsOnPrivateAddressesAreRefusedAtConfigurationTime() async throws {
        try await withMarket(configure: { $0.allowPrivateBuyerURLs = false }) { client, market, exchange in
            try await market.buyer("acme")
            for url in ["http://127.0.0.1:9/ping", "http://169.254.169.254/latest", "http://10.0.0.7/ping", "http://localhost/ping"] {
                let response = try await client.call(
                    .post, "/v1/campaigns",
                    json: [
                        "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "remote", "ping_url": .string(url)],
                    ])
                #expect(response.status == .unprocessableContent, "\(url)")
                #expect(errorFields(response.body) == ["delivery.ping_url"], "\(url)")
            }
            #expect(exchange.app.market.current.config.campaigns.isEmpty)
        }
    }

    @Test func aDeadBuyerTripsItsCircuitAndIsSkippedThenProbed() async throws {
        let clock = ManualWallClock(Timestamp(seconds: 1_800_000_000))
        let breakers = CircuitBreakers(configuration: .init(threshold: 3, coolDownMS: 60_000), clock: clock)
        try await withMarket(breakers: breakers) { client, market, _ in
            let key = try await market.seller("S1")
            let dead = try await market.remote("dead", .failing(.httpStatus(503)))
            try await market.hosted("alive", base: "5")
            for n in 0..<5 {
                #expect(try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(n))).body["buyer"] == "alive")
            }
            #expect(dead.pings.count == 3, "pinged until the circuit opened")
            let skipped = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(10)))
            let lead = try await client.call(.get, "/v1/leads/\(skipped.body["lead_id"]!.stringValue!)", key: key)
            #expect((lead.body["timeline"]?.arrayValue ?? []).contains { $0["campaign"] == "dead" && $0["reason"] == "circuit_open" })
            let metrics = try await client.call(.get, "/metrics", key: nil).body.stringValue ?? ""
            #expect(metrics.contains("gavel_circuits{state=\"open\"} 1"))
            dead.update {
                $0.pingFault = nil
                $0.bid = .fixed(Money(cents: 900))
            }
            clock.advance(milliseconds: 60_000)
            let probed = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(11)))
            #expect(probed.body["buyer"] == "dead", "the probe succeeded and the campaign is back")
            #expect(breakers.circuitStates().isEmpty)
        }
    }

    @Test func campaignSecretsAreShownOnceThenMasked() async throws {
        try await withMarket { client, market, _ in
            try await market.buyer("acme")
            let created = try await client.call(
                .post, "/v1/campaigns",
                json: [
                    "id": "c1", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 5],
                ])
            let secret = try #require(created.body["delivery"]?["secret"]?.stringValue)
            #expect(secret.count >= 32)
            #expect(try await client.call(.get, "/v1/campaigns/c1").body["delivery"]?["secret"] == .string(Campaign.maskedSecret))
            let listed = try await client.call(.get, "/v1/campaigns")
            #expect(!JSONWriter.string(listed.body).contains(secret))
            let patched = try await client.call(.patch, "/v1/campaigns/c1", json: ["priority": 3])
            #expect(!JSONWriter.string(patched.body).contains(secret))
        }
    }
}
