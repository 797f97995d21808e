import GavelCore
import GavelServer
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("The books' chain head")
struct ChainHeadTests {
    /// `GET /v1/audit/chain-head` gives the operator the store's head; a configuration change
    /// is chained, so it moves the head by one; other keys may not read it.
    @Test func theOperatorReadsTheHeadAndAConfigurationChangeMovesIt() async throws {
        try await TestExchange.run { client, exchange in
            let before = try await client.call(.get, "/v1/audit/chain-head")
            #expect(before.status == .ok)
            let stored = try await exchange.store.chainHead()
            #expect(stored.pos > 0, "the built-in verticals were created, and chained")
            #expect(before.body == stored.json)
            #expect(before.body["at"]?.stringValue != nil)

            #expect(try await client.call(.post, "/v1/sellers", json: ["id": "S1"]).status == .created)
            let after = try await client.call(.get, "/v1/audit/chain-head")
            #expect(after.body["pos"]?.numberValue?.integerValue == stored.pos + 1)
            #expect(after.body["hash"] != before.body["hash"])
            let link = try #require(try await exchange.store.chainLink(at: stored.pos + 1))
            #expect(link.record == "config \(stored.pos + 1)" && link.hash == after.body["hash"]?.stringValue)

            let key = try #require(
                try await client.call(.post, "/v1/api-keys", json: ["role": "seller", "subject_id": "S1"]).body["key"]?.stringValue)
            #expect(try await client.call(.get, "/v1/audit/chain-head", key: key).status == .forbidden)
            #expect(try await client.call(.get, "/v1/audit/chain-head", key: nil).status == .unauthorized)
            #expect(try await exchange.store.audit().isClean)
        }
    }
}
