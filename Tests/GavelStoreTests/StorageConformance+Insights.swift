import GavelCore
import GavelTesting
import Testing

extension StorageConformance {
    /// Bid facts per campaign and segment, counted from non-test leads by arrival hour, and a
    /// lead's auction note read back as written.
    static func bidFactsAndAuctionNotes(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let note = AuctionNote(
            floor: FloorDecision(
                floor: Money("3.10"), staticFloor: Money("2.00"), source: .learned, segment: "auto_insurance|CA", samples: 312),
            ranking: .quality, factors: ["acme-auto-ca": Rate("0.855"), "hosted-auto": Rate("0.9")], rejectionCost: Rate("0.25"))
        _ = try await store.insertLead(Fixtures.lead("L1", phone: "4155550101"), dedupeSince: nil)
        _ = try await store.hold(Fixtures.sale().hold)
        var first = Fixtures.soldOutcome("L1")
        first.note = note
        try await store.recordOutcome(first, sellerID: "S1")
        try await sell(store, "L2", phone: "4155550102")
        try await insert(store, "L3", phone: "4155550103")
        let below = PingRecord(
            campaignID: "acme-auto-ca", buyerID: "acme", answer: PingAnswer(kind: .bid, bid: Money("1.50"), latencyMicros: 9_000),
            effectiveBid: Money("1.50"))
        try await store.recordOutcome(
            LeadOutcome(leadID: "L3", status: .unsold, reason: "bids_below_floor", pings: [below], finishedAt: Fixtures.now), sellerID: "S1"
        )
        try await sell(store, "T1", test: true, phone: "4155550104")

        #expect(try await store.lead(id: "L1")?.outcome?.note == note)
        #expect(try await store.lead(id: "L2")?.outcome?.note == nil)

        let day = query(.seller)
        let acme = try await store.bidFacts(BidFactsQuery(buyerID: "acme", from: day.from, to: day.to))
        #expect(
            acme == [
                BidFacts(
                    campaignID: "acme-auto-ca", vertical: "auto_insurance", source: "fb-spring-7", leads: 3, won: 2, clearing: [1_250: 2],
                    accepted: 2, rejected: 0, sold: 2, returned: 0)
            ])
        let host = try await store.bidFacts(BidFactsQuery(buyerID: "host", from: day.from, to: day.to))
        #expect(
            host == [BidFacts(campaignID: "hosted-auto", vertical: "auto_insurance", source: "fb-spring-7", leads: 2, clearing: [1_250: 2])]
        )
        let other = try await store.bidFacts(BidFactsQuery(buyerID: "other", from: day.from, to: day.to))
        #expect(other == [BidFacts(campaignID: "other-auto", vertical: "auto_insurance", source: "fb-spring-7", rejected: 2)])
        let earlier = try await store.bidFacts(
            BidFactsQuery(buyerID: "acme", from: Fixtures.now.minus(days: 2), to: Fixtures.now.adding(milliseconds: -hour)))
        #expect(earlier.isEmpty)
    }
}
