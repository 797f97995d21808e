import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Testing

@Suite("Auctions through the real server process and real sandbox buyers", .serialized)
struct AuctionProcessTests {
    @Test func sellsToTheBestBidCascadesOnRejectAndKeepsPersonalDataFromPings() async throws {
        try await withSandboxBuyers { buyers in
            let server = try GavelProcess(["serve", "--port", "0", "--allow-private-buyer-urls", "--admin-token", "t0ken"])
            let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
            _ = try await client.call(.POST, "/v1/sellers", key: "t0ken", json: ["id": "S1", "revenue_share": 1])
            // A generous deadline: this test is about the cascade and privacy, and CI machines are busy.
            _ = try await client.call(.PUT, "/v1/settings", key: "t0ken", json: ["default_tmax_ms": 5_000])
            let key = try #require(
                try await client.call(.POST, "/v1/api-keys", key: "t0ken", json: ["role": "seller", "subject_id": "S1"]).body["key"]?
                    .stringValue)
            var picky = SandboxBuyer.Behavior.bidding(Money(cents: 3_000))
            picky.postOutcome = .reject(reason: "outside footprint")
            let behaviors: [(String, SandboxBuyer.Behavior)] = [
                ("picky", picky), ("steady", .bidding(Money(cents: 2_000))), ("cheap", .bidding(Money(cents: 900))),
            ]
            for (name, behavior) in behaviors {
                var behavior = behavior
                behavior.secret = "secret-\(name)"
                let sandbox = buyers.add(name, behavior)
                _ = try await client.call(.POST, "/v1/buyers", key: "t0ken", json: ["id": .string(name)])
                let created = try await client.call(
                    .POST, "/v1/campaigns", key: "t0ken",
                    json: [
                        "id": .string(name), "buyer_id": .string(name), "vertical": "auto_insurance",
                        "delivery": [
                            "mode": "remote", "ping_url": .string(sandbox.pingURL), "post_url": .string(sandbox.postURL),
                            "secret": .string("secret-\(name)"),
                        ],
                    ])
                #expect(created.status == 201)
            }
            let lead: JSONValue = [
                "vertical": "auto_insurance", "source": "e2e",
                "fields": [
                    "zip": "94105", "state": "CA", "first_name": "Grace", "last_name": "Hopper", "phone": "(415) 555-0199",
                    "email": "grace@example.com",
                ],
            ]
            let sold = try await client.call(.POST, "/v1/leads", key: key, json: lead)
            #expect(sold.body["status"] == "sold")
            #expect(sold.body["buyer"] == "steady")
            #expect(sold.body["price"] == 20)
            #expect(buyers.buyer("picky")?.posts.count == 1)
            #expect(buyers.buyer("steady")?.posts.first?.fields["phone"] == "4155550199")
            #expect(buyers.buyer("cheap")?.posts.isEmpty == true)
            for ping in buyers.received where ping.kind == .ping {
                #expect(!ping.bodyText.contains("Grace") && !ping.bodyText.contains("4155550199") && !ping.bodyText.contains("example.com"))
                #expect(ping.signatureVerified)
            }
            #expect(await server.terminate() == 0)
        }
    }
}
