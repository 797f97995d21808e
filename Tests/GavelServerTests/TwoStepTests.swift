import Foundation
import GavelCore
import GavelServer
import GavelSim
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Two-step selling: ping, then post")
struct TwoStepTests {
    static func pingBody(_ lead: JSONValue) -> JSONValue {
        guard case .object(var members) = lead, case .object(let fields)? = members["fields"] else { return lead }
        members["fields"] = .object(fields.filter { !autoPII.contains($0.key) })
        members["consent"] = nil
        return .object(members)
    }

    static func postBody(_ pingID: JSONValue, _ lead: JSONValue) -> JSONValue {
        ["ping_id": pingID, "fields": lead["fields"]!, "consent": lead["consent"]!]
    }

    @Test func happyPathPaysWhatThePingPromised() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "0.5")
            let top = try await market.remote("top", .bidding(Money(cents: 1_800)))
            _ = try await market.remote("next", .bidding(Money(cents: 1_200)))
            let ping = try await client.call(.post, "/v1/ping", key: key, json: Self.pingBody(autoLead()))
            #expect(ping.status == .ok)
            #expect(ping.body["status"] == "bid")
            #expect(ping.body["price"] == 9)
            #expect(ping.body["expires_at"]?.stringValue?.hasSuffix("Z") == true)
            #expect(top.posts.isEmpty)
            let post = try await client.call(.post, "/v1/post", key: key, json: Self.postBody(ping.body["ping_id"]!, autoLead()))
            #expect(post.status == .ok)
            #expect(post.body["status"] == "sold")
            #expect(post.body["buyer"] == "top")
            #expect(post.body["price"] == 9)
            #expect(top.posts.first?.fields["phone"] == "4155550100")
            #expect(top.posts.first?.pingID == ping.body["ping_id"]?.stringValue)
            #expect(top.pings.count == 1)
        }
    }

    @Test func unknownExpiredAndRepeatedPostsAreRefused() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            let other = try await market.seller("S2")
            _ = try await market.remote("b", .bidding(Money(cents: 900)))
            let unknown = try await client.call(.post, "/v1/post", key: key, json: Self.postBody("P-nope", autoLead()))
            #expect(unknown.status == .notFound)
            let ping = try await client.call(.post, "/v1/ping", key: key, json: Self.pingBody(autoLead()))
            let id = ping.body["ping_id"]!
            #expect(try await client.call(.post, "/v1/post", key: other, json: Self.postBody(id, autoLead())).status == .notFound)
            #expect(try await client.call(.post, "/v1/post", key: key, json: Self.postBody(id, autoLead())).body["status"] == "sold")
            let again = try await client.call(.post, "/v1/post", key: key, json: Self.postBody(id, autoLead(phone: phone(2))))
            #expect(again.status == .conflict)
            try await market.settings(["ping_ttl_s": 1])
            let short = try await client.call(.post, "/v1/ping", key: key, json: Self.pingBody(autoLead(phone: phone(3))))
            try await Task.sleep(for: .milliseconds(1_100))
            let expired = try await client.call(
                .post, "/v1/post", key: key, json: Self.postBody(short.body["ping_id"]!, autoLead(phone: phone(3))))
            #expect(expired.status == .gone)
        }
    }

    @Test func aPostThatDiffersFromItsPingSellsToNoOne() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            let buyer = try await market.remote("b", .bidding(Money(cents: 900)))
            let ping = try await client.call(.post, "/v1/ping", key: key, json: Self.pingBody(autoLead(state: "CA")))
            let post = try await client.call(.post, "/v1/post", key: key, json: Self.postBody(ping.body["ping_id"]!, autoLead(state: "NY")))
            #expect(post.status == .ok)
            #expect(post.body["status"] == "rejected")
            #expect(post.body["reason"] == "ping_post_mismatch")
            #expect(post.body["price"] == 0)
            #expect(buyer.posts.isEmpty)
        }
    }

    @Test func personalDataInAPingIs422() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            let buyer = try await market.remote("b", .bidding(Money(cents: 900)))
            let response = try await client.call(.post, "/v1/ping", key: key, json: autoLead())
            #expect(response.status == .unprocessableContent)
            #expect(Set(errorFields(response.body)) == ["fields.first_name", "fields.last_name", "fields.phone", "fields.street_address"])
            #expect(buyer.pings.isEmpty)
        }
    }
}
