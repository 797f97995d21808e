import GavelCore
import GavelServer
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Logging
import Testing

@Suite("Housekeeping")
struct HousekeepingTests {
    /// Keys are remembered for a day after their first use, expired pings kept for a day after
    /// they expired; a pass deletes exactly what is older.
    @Test func aPassDeletesDayOldKeysAndPingsOnly() async throws {
        let store = try SQLiteStore.temporary()
        _ = try await store.migrate()
        let start = Timestamp(rfc3339: "2026-11-02T10:00:00Z")!
        let wallClock = ManualWallClock(start)
        let housekeeping = Housekeeping(store: store, wallClock: wallClock, clock: ContinuousClock(), logger: Logger(label: "test"))
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "k1", fingerprint: "f1", at: start) == .fresh)
        try await store.completeIdempotencyKey(sellerID: "S1", key: "k1", status: 200, body: [1])
        try await store.holdPing(
            HeldPing(
                id: "P1", sellerID: "S1", vertical: "auto_insurance", source: "s", test: false, fields: ["state": "CA"], bids: [],
                prices: [],
                allocated: nil, pings: [], skips: [], createdAt: start, expiresAt: start.adding(milliseconds: 1_000)))

        wallClock.advance(milliseconds: 2 * 3_600_000)
        #expect(await housekeeping.sweep() == .init(pings: 0, idempotencyKeys: 0))
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "k1", fingerprint: "f2", at: wallClock.now()) == .mismatch)
        #expect(try await store.claimPing(id: "P1", sellerID: "S1", now: wallClock.now()) == .expired)

        wallClock.advance(milliseconds: 23 * 3_600_000)
        #expect(await housekeeping.sweep() == .init(pings: 1, idempotencyKeys: 1))
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "k1", fingerprint: "f2", at: wallClock.now()) == .fresh)
        #expect(try await store.claimPing(id: "P1", sellerID: "S1", now: wallClock.now()) == .notFound)
    }
}
