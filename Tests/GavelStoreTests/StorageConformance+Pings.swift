import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

extension StorageConformance {
    static func heldPing(_ id: String = "P1", expiresIn milliseconds: Int64 = 120_000) -> HeldPing {
        let bids = [
            Bid(
                campaignID: "acme-auto-ca", buyerID: "acme", amount: Money("13.75"), offered: Money("12.50"), bidID: "b-1", priority: 2,
                latencyMicros: 41_000),
            Bid(campaignID: "zeta-auto", buyerID: "zeta", amount: Money("9.00"), leadType: .shared),
        ]
        let pings = [
            PingRecord(
                campaignID: "acme-auto-ca", buyerID: "acme",
                answer: PingAnswer(kind: .bid, bid: Money("12.50"), bidID: "b-1", latencyMicros: 41_000),
                effectiveBid: Money("13.75")),
            PingRecord(
                campaignID: "down-auto", buyerID: "down", answer: PingAnswer(kind: .httpStatus, latencyMicros: 3_000, detail: "HTTP 503")),
        ]
        return HeldPing(
            id: id, sellerID: "S1", vertical: "auto_insurance", source: "fb-spring-7", test: false,
            fields: [
                "zip": "94105", "state": "CA", "age": 34, "homeowner": true, "score": .number(Number(significand: 715, exponent: -1)),
            ],
            bids: bids, prices: [Money("9.01"), Money("2.00")],
            allocated: Offer(campaignID: "acme-direct", buyerID: "acme", price: Money("9.50"), origin: .allocation), pings: pings,
            skips: [SkipRecord(campaignID: "night-auto", reason: .schedule)], createdAt: Fixtures.now,
            expiresAt: Fixtures.now.adding(milliseconds: milliseconds))
    }

    static func heldPingRoundTrip(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let ping = heldPing()
        try await store.holdPing(ping)
        var plain = heldPing("P2")
        plain.allocated = nil
        plain.bids = []
        plain.prices = []
        try await store.holdPing(plain)
        #expect(try await store.claimPing(id: "P1", sellerID: "S1", now: Fixtures.now) == .claimed(ping))
        #expect(try await store.claimPing(id: "P2", sellerID: "S1", now: Fixtures.now) == .claimed(plain))
    }

    static func claimOutcomes(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.holdPing(heldPing("P1"))
        try await store.holdPing(heldPing("P2", expiresIn: 1_000))
        #expect(try await store.claimPing(id: "P-none", sellerID: "S1", now: Fixtures.now) == .notFound)
        #expect(try await store.claimPing(id: "P1", sellerID: "S2", now: Fixtures.now) == .notFound)
        #expect(try await store.claimPing(id: "P2", sellerID: "S1", now: Fixtures.now.adding(milliseconds: 1_000)) == .expired)
        #expect(try await store.claimPing(id: "P1", sellerID: "S1", now: Fixtures.now) == .claimed(heldPing("P1")))
        #expect(try await store.claimPing(id: "P1", sellerID: "S1", now: Fixtures.now) == .alreadyPosted)
        // Another seller still learns nothing about the ping.
        #expect(try await store.claimPing(id: "P1", sellerID: "S2", now: Fixtures.now) == .notFound)
    }

    static func concurrentClaims(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.holdPing(heldPing())
        let results = try await withThrowingTaskGroup(of: PingClaim.self) { group in
            for _ in 0..<30 {
                group.addTask { try await store.claimPing(id: "P1", sellerID: "S1", now: Fixtures.now) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == .claimed(heldPing()) }.count == 1)
        #expect(results.filter { $0 == .alreadyPosted }.count == 29)
    }
}
