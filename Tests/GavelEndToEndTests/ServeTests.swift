import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Testing

@Suite("gavel serve, as a real process", .serialized)
struct ServeTests {
    @Test func aNewcomerRunsConfiguresRestartsAndStops() async throws {
        let first = try GavelProcess(["serve", "--port", "0"])
        let url = try await first.waitUntilListening()
        #expect(FileManager.default.fileExists(atPath: first.folder.appendingPathComponent("gavel.sqlite").path))
        let keyLine = try #require(first.printed.first { $0.contains("bootstrap admin key") })
        let admin = try #require(keyLine.split(separator: " ").last.map(String.init))
        let client = Client(http: HTTPClient.shared, baseURL: url)
        #expect(try await client.call(.GET, "/healthz", key: nil).body["status"] == "ok")
        #expect(try await client.call(.POST, "/v1/sellers", key: admin, json: ["id": "S1", "revenue_share": 1]).status == 201)
        #expect(try await client.call(.POST, "/v1/buyers", key: admin, json: ["id": "acme"]).status == 201)
        let campaign: JSONValue = [
            "id": "acme-hosted", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"],
            "bid": ["base": 9, "rules": [["when": ["state": ["eq": "CA"]], "add": 3]]],
        ]
        #expect(try await client.call(.POST, "/v1/campaigns", key: admin, json: campaign).status == 201)
        let sellerKey = try #require(
            try await client.call(.POST, "/v1/api-keys", key: admin, json: ["role": "seller", "subject_id": "S1"]).body["key"]?.stringValue)
        #expect(try await client.call(.GET, "/v1/campaigns", key: sellerKey).status == 403)
        let lead: JSONValue = [
            "vertical": "auto_insurance", "source": "e2e",
            "fields": ["zip": "94105", "state": "CA", "first_name": "Ada", "last_name": "L", "phone": "4155550100"],
        ]
        let sold = try await client.call(.POST, "/v1/leads", key: sellerKey, json: lead)
        #expect(sold.body["status"] == "sold")
        #expect(sold.body["price"] == 12)
        #expect(await first.terminate() == 0)
        #expect(!first.printed.joined().contains("4155550100"), "personal data printed")

        let second = try GavelProcess(["serve", "--port", "0"], folder: first.folder)
        let secondURL = try await second.waitUntilListening()
        #expect(!second.printed.contains { $0.contains("bootstrap admin key") })
        let again = Client(http: HTTPClient.shared, baseURL: secondURL)
        #expect(try await again.call(.GET, "/v1/campaigns/acme-hosted", key: admin).body["bid"]?["base"] == 9)
        let leadID = try #require(sold.body["lead_id"]?.stringValue)
        #expect(try await again.call(.GET, "/v1/leads/\(leadID)", key: sellerKey).body["status"] == "sold")
        #expect(await second.terminate() == 0)
    }

    @Test func environmentTwinsConfigureTheServer() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-e2e-\(UUID().uuidString)")
        let server = try GavelProcess(
            ["serve"], folder: folder,
            environment: ["GAVEL_PORT": "0", "GAVEL_DATABASE": "sqlite:custom.sqlite", "GAVEL_ADMIN_TOKEN": "env-token"])
        let url = try await server.waitUntilListening()
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("custom.sqlite").path))
        #expect(!server.printed.contains { $0.contains("bootstrap admin key") })
        let client = Client(http: HTTPClient.shared, baseURL: url)
        #expect(try await client.call(.GET, "/v1/settings", key: "env-token").status == 200)
        #expect(await server.terminate() == 0)
    }
}
