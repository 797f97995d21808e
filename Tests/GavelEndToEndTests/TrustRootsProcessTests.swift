import AsyncHTTPClient
import Foundation
import GavelCore
import GavelTesting
import Testing

/// A buyer whose `https` certificate is signed by a private certificate authority: the real
/// server sells to it once started with `--trust-roots` naming that authority, refuses its
/// certificate without, and will not start on a file that holds no certificate.
@Suite("Buyers behind a private certificate authority, against the real process", .serialized)
struct TrustRootsProcessTests {
    /// One answer for the ping and the post alike: a bid, and the post accepted.
    static let answer = #"{"bid": 9.5, "bid_id": "b-1", "status": "accepted", "buyer_lead_id": "x-1"}"#

    @Test func aBuyerSignedByAPrivateAuthoritySellsOnlyWhenItsRootIsTrusted() async throws {
        let roots = try TestCertificate.trustRootsFile()
        defer { try? FileManager.default.removeItem(atPath: roots) }
        let buyer = try await LoopbackServer.start(body: Self.answer, tls: try TestCertificate.serverContext())
        for trusted in [true, false] {
            let arguments = ["serve", "--port", "0", "--allow-private-buyer-urls", "--admin-token", "adm"]
            let server = try GavelProcess(arguments + (trusted ? ["--trust-roots", roots] : []))
            defer { if server.process.isRunning { server.process.terminate() } }
            let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
            let key = try await Self.market(client, buyerURL: "https://localhost:\(buyer.port)")
            let lead: JSONValue = [
                "vertical": "auto_insurance", "source": "tls",
                "fields": ["zip": "94105", "state": "CA", "first_name": "Tess", "last_name": "Ellis", "phone": "4155550142"],
            ]
            let result = try await client.call(.POST, "/v1/leads", key: key, json: lead)
            #expect(result.status == 200, "\(result.body)")
            #expect(result.body["status"] == (trusted ? "sold" : "unsold"), "trusted: \(trusted), \(result.body)")
            #expect(await server.terminate() == 0)
        }
        #expect(buyer.requests == 2, "a ping and a post, both to the server that trusted the buyer; nothing to the other")
        await buyer.stop()
    }

    @Test func aTrustRootsFileWithoutACertificateStopsTheServerFromStarting() async throws {
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-roots-\(UUID().uuidString).pem").path
        try "not a certificate".write(toFile: garbage, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        for path in [garbage, garbage + ".missing"] {
            let server = try GavelProcess(["serve", "--port", "0", "--trust-roots", path])
            #expect(await server.waitForExit() != 0)
            #expect(server.log.contains("--trust-roots"), "\(server.log)")
        }
    }

    /// A buyer with one remote campaign at `buyerURL`, a seller, and the seller's key.
    static func market(_ client: Client, buyerURL: String) async throws -> String {
        _ = try await client.call(.PUT, "/v1/settings", key: "adm", json: ["default_tmax_ms": 5_000])
        _ = try await client.call(.POST, "/v1/buyers", key: "adm", json: ["id": "private-ca"])
        let created = try await client.call(
            .POST, "/v1/campaigns", key: "adm",
            json: [
                "id": "private-ca", "buyer_id": "private-ca", "vertical": "auto_insurance",
                "delivery": ["mode": "remote", "ping_url": .string(buyerURL + "/ping"), "post_url": .string(buyerURL + "/post")],
            ])
        #expect(created.status == 201, "\(created.body)")
        _ = try await client.call(.POST, "/v1/sellers", key: "adm", json: ["id": "S1"])
        let key = try await client.call(.POST, "/v1/api-keys", key: "adm", json: ["role": "seller", "subject_id": "S1"])
        return try #require(key.body["key"]?.stringValue)
    }
}
