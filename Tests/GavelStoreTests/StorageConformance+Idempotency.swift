import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

extension StorageConformance {
    static func idempotencyKeys(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let at = Fixtures.now
        func claim(_ key: String, _ fingerprint: String, seller: String = "S1") async throws -> IdempotencyClaim {
            try await store.claimIdempotencyKey(sellerID: seller, key: key, fingerprint: fingerprint, at: at)
        }
        #expect(try await claim("k1", "f1") == .fresh)
        #expect(try await claim("k1", "f1") == .inProgress)
        #expect(try await claim("k1", "f2") == .mismatch)
        // Keys belong to a seller.
        #expect(try await claim("k1", "f2", seller: "S2") == .fresh)

        let body = Array(#"{"lead_id":"L1","status":"sold"}"#.utf8)
        try await store.completeIdempotencyKey(sellerID: "S1", key: "k1", status: 201, body: body)
        #expect(try await claim("k1", "f1") == .replay(status: 201, body: body))
        #expect(try await claim("k1", "f2") == .mismatch)
        // Abandoning a completed key changes nothing.
        try await store.abandonIdempotencyKey(sellerID: "S1", key: "k1")
        #expect(try await claim("k1", "f1") == .replay(status: 201, body: body))

        // An abandoned claim can be made again.
        #expect(try await claim("k2", "f1") == .fresh)
        try await store.abandonIdempotencyKey(sellerID: "S1", key: "k2")
        #expect(try await claim("k2", "f3") == .fresh)

        // An empty response body replays as empty.
        try await store.completeIdempotencyKey(sellerID: "S1", key: "k2", status: 204, body: [])
        #expect(try await claim("k2", "f3") == .replay(status: 204, body: []))
    }

    static func idempotencyKeysSurviveReopening(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "k1", fingerprint: "f1", at: Fixtures.now) == .fresh)
        try await store.completeIdempotencyKey(sellerID: "S1", key: "k1", status: 200, body: [1, 2, 3])
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "k2", fingerprint: "f1", at: Fixtures.now) == .fresh)
        let reopened = try await harness.open()
        func claim(_ key: String) async throws -> IdempotencyClaim {
            try await reopened.claimIdempotencyKey(sellerID: "S1", key: key, fingerprint: "f1", at: Fixtures.now)
        }
        #expect(try await claim("k1") == .replay(status: 200, body: [1, 2, 3]))
        #expect(try await claim("k2") == .inProgress)
    }

    static func concurrentIdempotencyClaims(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let claims = try await withThrowingTaskGroup(of: IdempotencyClaim.self) { group in
            for _ in 0..<30 {
                group.addTask { try await store.claimIdempotencyKey(sellerID: "S1", key: "k1", fingerprint: "f1", at: Fixtures.now) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(claims.filter { $0 == .fresh }.count == 1)
        #expect(claims.filter { $0 == .inProgress }.count == 29)
    }
}

extension StorageConformance {
    /// Housekeeping deletes idempotency keys claimed before a time and held pings expired
    /// before a time, and nothing newer.
    static func purgesOldKeysAndExpiredPings(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let day: Int64 = 86_400_000
        #expect(
            try await store.claimIdempotencyKey(
                sellerID: "S1", key: "old", fingerprint: "f1", at: Fixtures.now.adding(milliseconds: -2 * day)) == .fresh)
        try await store.completeIdempotencyKey(sellerID: "S1", key: "old", status: 200, body: [1])
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "new", fingerprint: "f1", at: Fixtures.now) == .fresh)
        try await store.holdPing(heldPing("P1", expiresIn: 1_000))
        try await store.holdPing(heldPing("P2", expiresIn: 60_000))

        #expect(try await store.purgeIdempotencyKeys(createdBefore: Fixtures.now.adding(milliseconds: -day)) == 1)
        #expect(try await store.purgeHeldPings(expiredBefore: Fixtures.now.adding(milliseconds: 30_000)) == 1)

        // The old key is forgotten (another body is a new request); the new one is not.
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "old", fingerprint: "f2", at: Fixtures.now) == .fresh)
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "new", fingerprint: "f2", at: Fixtures.now) == .mismatch)
        #expect(try await store.claimPing(id: "P1", sellerID: "S1", now: Fixtures.now) == .notFound)
        #expect(try await store.claimPing(id: "P2", sellerID: "S1", now: Fixtures.now) == .claimed(heldPing("P2", expiresIn: 60_000)))
    }
}
