import GavelCore
import GavelServer
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Authentication and keys")
struct AuthTests {
    @Test func missingOrUnknownKeysAre401() async throws {
        try await TestExchange.run { client, _ in
            let none = try await client.call(.get, "/v1/buyers", key: nil)
            #expect(none.status == .unauthorized)
            #expect(none.headers[.contentType] == "application/problem+json")
            #expect(try await client.call(.get, "/v1/buyers", key: "gvl_not-a-key").status == .unauthorized)
        }
    }

    @Test func sellerKeyIsForbiddenOnTheOperatorAPIAndRevokedKeysStopAtOnce() async throws {
        try await TestExchange.run { client, exchange in
            _ = try await client.call(.post, "/v1/sellers", json: ["id": "S1"])
            let created = try await client.call(.post, "/v1/api-keys", json: ["role": "seller", "subject_id": "S1"])
            #expect(created.status == .created)
            let key = try #require(created.body["key"]?.stringValue)
            let id = try #require(created.body["id"]?.stringValue)
            let forbidden = try await client.call(.get, "/v1/campaigns", key: key)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.body["status"] == 403)
            let listed = try await client.call(.get, "/v1/api-keys")
            #expect(listed.body.arrayValue?.contains { $0["id"]?.stringValue == id && $0["key"] == nil } == true)
            let stored = try await exchange.store.apiKeys().first { $0.id == id }
            #expect(stored?.hash == KeyRing.hash(key))
            #expect(try await client.call(.delete, "/v1/api-keys/\(id)").status == .noContent)
            #expect(try await client.call(.get, "/v1/leads/L1", key: key).status == .unauthorized)
        }
    }

    @Test func keyCreationChecksRoleAndSubject() async throws {
        try await TestExchange.run { client, _ in
            let noSubject = try await client.call(.post, "/v1/api-keys", json: ["role": "seller"])
            #expect(noSubject.status == .unprocessableContent)
            #expect(errorFields(noSubject.body) == ["subject_id"])
            let ghost = try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": "ghost"])
            #expect(errorFields(ghost.body) == ["subject_id"])
            let badRole = try await client.call(.post, "/v1/api-keys", json: ["role": "root"])
            #expect(errorFields(badRole.body) == ["role"])
            let admin = try await client.call(.post, "/v1/api-keys", json: ["role": "admin", "label": "ops"])
            let key = try #require(admin.body["key"]?.stringValue)
            #expect(try await client.call(.get, "/v1/settings", key: key).status == .ok)
        }
    }

    @Test func bootstrapAdminKeyIsGeneratedOnceOnAnEmptyDatabase() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        let printed = LockedLines()
        for _ in 0..<2 {
            let store = try await openStore(path)
            _ = try await GavelApp.start(
                store: store, gateway: NoGateway(), clock: ContinuousClock(), configuration: ServerConfiguration(port: 0),
                announce: { printed.append($0) })
        }
        #expect(printed.lines.count == 1)
        #expect(printed.lines.first?.contains("gvl_") == true)
    }
}
