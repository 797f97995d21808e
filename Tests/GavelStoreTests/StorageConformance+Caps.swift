import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

extension StorageConformance {
    static func concurrentHoldsRespectDailyLeads(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let caps = Campaign.Caps(timezone: "America/New_York", dailyLeads: 3)
        let hold = Fixtures.hold(caps: caps)
        let results = try await holdConcurrently(store, hold, times: 40)
        #expect(results.filter { $0 == .held }.count == 3)
        #expect(results.filter { $0 == .capReached }.count == 37)
        let usage = try await store.capUsage(["acme-auto-ca": hold.periods])
        #expect(usage["acme-auto-ca"]?.dayLeads == 3)
        #expect(usage["acme-auto-ca"]?.daySpend == Money("30.00"))

        try await store.release(hold)
        #expect(try await store.capUsage(["acme-auto-ca": hold.periods])["acme-auto-ca"]?.dayLeads == 2)
        #expect(try await store.hold(hold) == .held)
        #expect(try await store.hold(hold) == .capReached)
        // The next local day starts afresh; another campaign is not affected.
        let tomorrow = Fixtures.hold(caps: caps, at: Fixtures.now.adding(milliseconds: 86_400_000))
        #expect(try await store.hold(tomorrow) == .held)
        #expect(try await store.hold(Fixtures.hold(campaign: "other", caps: caps)) == .held)
    }

    static func weeklyAndMonthlyCaps(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let caps = Campaign.Caps(weeklyLeads: 2, monthlyLeads: 3)
        let monday = Fixtures.now
        #expect(try await store.hold(Fixtures.hold(caps: caps, at: monday)) == .held)
        #expect(try await store.hold(Fixtures.hold(caps: caps, at: monday.adding(milliseconds: 86_400_000))) == .held)
        #expect(try await store.hold(Fixtures.hold(caps: caps, at: monday.adding(milliseconds: 2 * 86_400_000))) == .capReached)
        // 2026-12-07 is the next Monday but a new month too; 2026-12-01 is in the same week.
        #expect(try await store.hold(Fixtures.hold(caps: caps, at: monday.minus(days: -7))) == .held)
        let november = Fixtures.hold(caps: caps, at: monday.minus(days: 7))
        #expect(try await store.hold(november) == .held)
        #expect(try await store.hold(Fixtures.hold(caps: caps, at: monday.minus(days: 14))) == .held)
        #expect(try await store.hold(Fixtures.hold(caps: caps, at: monday.minus(days: 21))) == .capReached)
        let usage = try await store.capUsage(["acme-auto-ca": november.periods])
        #expect(usage["acme-auto-ca"]?.monthLeads == 3)
        #expect(usage["acme-auto-ca"]?.weekLeads == 1)
    }

    static func spendCap(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let caps = Campaign.Caps(dailySpend: Money("25.00"), monthlySpend: Money("100.00"))
        let results = try await holdConcurrently(store, Fixtures.hold(caps: caps, price: Money("10.00")), times: 10)
        #expect(results.filter { $0 == .held }.count == 2)
        // A cheaper lead still fits under the daily spend.
        #expect(try await store.hold(Fixtures.hold(caps: caps, price: Money("5.00"))) == .held)
        #expect(try await store.hold(Fixtures.hold(caps: caps, price: Money("0.01"))) == .capReached)
    }

    static func buyerCredit(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let limit = Money("25.00")
        let results = try await withThrowingTaskGroup(of: (CapHold, CapHoldResult).self) { group in
            for index in 0..<20 {
                let hold = Fixtures.hold(campaign: "c\(index % 4)", price: Money("10.00"), balanceLimit: limit)
                group.addTask { (hold, try await store.hold(hold)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0.1 == .held }.count == 2)
        #expect(results.filter { $0.1 == .creditExceeded }.count == 18)
        #expect(try await store.balances(buyerIDs: ["acme", "zeta"]) == ["acme": Money("20.00"), "zeta": .zero])
        try await store.release(try #require(results.first { $0.1 == .held }?.0))
        #expect(try await store.balances(buyerIDs: ["acme"]) == ["acme": Money("10.00")])
        // Without a limit the buyer is never refused credit.
        #expect(try await store.hold(Fixtures.hold(price: Money("500.00"))) == .held)
    }

    static func testHoldsCountNothing(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let caps = Campaign.Caps(dailyLeads: 1)
        let test = Fixtures.hold(caps: caps, balanceLimit: .zero, counts: false)
        for _ in 0..<5 { #expect(try await store.hold(test) == .held) }
        try await store.release(test)
        #expect(try await store.capUsage(["acme-auto-ca": test.periods])["acme-auto-ca"] == .zero)
        #expect(try await store.balances(buyerIDs: ["acme"]) == ["acme": .zero])
        #expect(try await store.hold(Fixtures.hold(caps: caps)) == .held)
    }

    /// A hold with the lead's posting marker: the marker is written only when the slot is
    /// held, a lead that does not exist is `notFound`, and test holds still count nothing.
    static func holdMarkingPosting(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        for id in ["L1", "L2", "L3"] { try await insert(store, id, phone: "41555503\(id.suffix(1))0") }
        let hold = Fixtures.hold(caps: Campaign.Caps(dailyLeads: 1))
        #expect(try await store.hold(hold, markingPostingOf: "L1") == .held)
        #expect(try await store.hold(hold, markingPostingOf: "L2") == .capReached)
        #expect(try await store.capUsage(["acme-auto-ca": hold.periods])["acme-auto-ca"]?.dayLeads == 1)
        let test = Fixtures.hold(caps: Campaign.Caps(dailyLeads: 1), counts: false)
        #expect(try await store.hold(test, markingPostingOf: "L3") == .held)
        await #expect(throws: StorageError.notFound("L-none")) {
            try await store.hold(Fixtures.hold(campaign: "other"), markingPostingOf: "L-none")
        }
        // Marked leads are for review when interrupted; the one refused its slot is unsold.
        let counts = try await store.reconcile(leadIDs: ["L1", "L2", "L3"], now: Fixtures.now.adding(milliseconds: 10_000))
        #expect(counts.review == 2 && counts.unsold == 1)
        #expect(try await store.lead(id: "L2")?.status == .unsold)
    }

    static func usagePersistsAcrossReopen(_ harness: some StoreHarness) async throws {
        let caps = Campaign.Caps(dailyLeads: 2)
        let sale = Fixtures.sale(price: Money("12.50"))
        let hold = Fixtures.hold(caps: caps, price: Money("12.50"))
        do {
            let store = try await harness.open()
            try await insert(store, "L1")
            #expect(try await store.hold(hold) == .held)
            try await store.recordOutcome(Fixtures.soldOutcome("L1", sales: [sale]), sellerID: "S1")
            // A hold that never sold is not persisted.
            #expect(try await store.hold(hold) == .held)
        }
        let reopened = try await harness.open()
        let usage = try await reopened.capUsage(["acme-auto-ca": hold.periods])
        #expect(
            usage["acme-auto-ca"]
                == CapUsage(dayLeads: 1, weekLeads: 1, monthLeads: 1, daySpend: Money("12.50"), monthSpend: Money("12.50")))
        #expect(try await reopened.balances(buyerIDs: ["acme"]) == ["acme": Money("12.50")])
        #expect(try await reopened.hold(hold) == .held)
        #expect(try await reopened.hold(hold) == .capReached)
    }

    /// A buyer that confirms a lower price than its hold reserved is charged the lower price:
    /// caps and credit count what was charged, and the lead stays counted once.
    static func aSaleBelowItsHoldSettlesTheDifference(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let caps = Campaign.Caps(dailyLeads: 5)
        let hold = Fixtures.hold(caps: caps, price: Money("25.00"))
        var sale = Fixtures.sale(price: Money("19.00"))
        sale.hold = hold
        try await insert(store, "L1")
        #expect(try await store.hold(hold) == .held)
        try await store.recordOutcome(Fixtures.soldOutcome("L1", sales: [sale]), sellerID: "S1")
        let usage = try await store.capUsage(["acme-auto-ca": hold.periods])["acme-auto-ca"]
        #expect(usage?.dayLeads == 1 && usage?.daySpend == Money("19.00") && usage?.monthSpend == Money("19.00"))
        #expect(try await store.balances(buyerIDs: ["acme"]) == ["acme": Money("19.00")])
    }

    /// A release gives back a hold only while a matching one is outstanding: one never taken,
    /// or already released or sold, changes nothing, so a release can be repeated after a
    /// failure.
    static func releaseGivesBackOnlyOutstandingHolds(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let hold = Fixtures.hold(caps: Campaign.Caps(dailyLeads: 5), price: Money("12.50"))
        func dayLeads() async throws -> Int? { try await store.capUsage(["acme-auto-ca": hold.periods])["acme-auto-ca"]?.dayLeads }
        try await store.release(hold)
        #expect(try await dayLeads() == 0)
        #expect(try await store.hold(hold) == .held)
        #expect(try await store.hold(hold) == .held)
        #expect(try await dayLeads() == 2)
        try await store.release(hold)
        #expect(try await dayLeads() == 1)
        // The other hold is sold: its lead stays counted and a release finds nothing to give back.
        try await insert(store, "L1")
        try await store.recordOutcome(Fixtures.soldOutcome("L1", sales: [Fixtures.sale(price: Money("12.50"))]), sellerID: "S1")
        #expect(try await dayLeads() == 1)
        try await store.release(hold)
        try await store.release(hold)
        #expect(try await dayLeads() == 1)
        #expect(try await store.balances(buyerIDs: ["acme"]) == ["acme": Money("12.50")])
    }

    private static func holdConcurrently(_ store: any Storage, _ hold: CapHold, times: Int) async throws -> [CapHoldResult] {
        try await withThrowingTaskGroup(of: CapHoldResult.self) { group in
            for _ in 0..<times { group.addTask { try await store.hold(hold) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}
