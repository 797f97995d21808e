import GavelCore
import GavelStoreSQLite
import GavelTesting
import Testing

/// What only the in-memory store has: its restart simulation, and its audit's problem lines,
/// which must read word for word as the SQLite store's (the conformance suite only counts them).
@Suite("In-memory store")
struct InMemoryStoreTests {
    @Test func auditProblemsReadAsSQLites() async throws {
        let (memory, sqlite) = (InMemoryStore(), try SQLiteStore.temporary())
        for store in [memory, sqlite] as [any Storage] {
            try await StorageConformance.sell(store, "L1")
            try await StorageConformance.sell(store, "L2", phone: "4155550199")
            let request = ReturnRequest(leadID: "L2", buyerID: "acme", reason: "bad", at: Fixtures.now.adding(milliseconds: 3_600_000))
            #expect(try await store.recordReturn(request) == .approved(refund: Money("12.50")))
        }
        #expect(memory.tamperWithLedgerForTesting(leadID: "L2", addingCents: 7))
        #expect(memory.tamperWithLedgerForTesting(leadID: "L1", addingCents: 0, kind: "bonus"))
        #expect(!memory.tamperWithLedgerForTesting(leadID: "L-none"))
        try await sqlite.executeForTesting(
            sql: "UPDATE ledger SET amount_cents = amount_cents + 7 WHERE id = (SELECT MIN(id) FROM ledger WHERE lead_id = 'L2')")
        try await sqlite.executeForTesting(
            sql: "UPDATE ledger SET kind = 'bonus' WHERE id = (SELECT MIN(id) FROM ledger WHERE lead_id = 'L1')")

        let audit = try await memory.audit()
        #expect(audit == (try await sqlite.audit()))
        #expect(audit.total == Money(cents: 7))
        #expect(audit.problems.count == 3)
        #expect(audit.problems.contains("lead L1: an entry of unknown kind 'bonus'"))
        await #expect(throws: StorageError.unavailable("stored ledger entry has an unknown kind")) {
            try await memory.ledgerEntries(leadID: "L1")
        }
    }

    @Test func aRestartDropsOutstandingHoldsOnly() async throws {
        let store = InMemoryStore()
        let caps = Campaign.Caps(dailyLeads: 5)
        try await StorageConformance.sell(store, "L1", sales: [Fixtures.sale()])
        #expect(try await store.hold(Fixtures.hold(caps: caps)) == .held)
        let periods = ["acme-auto-ca": Fixtures.hold().periods]
        #expect(try await store.capUsage(periods)["acme-auto-ca"]?.dayLeads == 2)

        let restarted = store.reopened()
        #expect(try await restarted.capUsage(periods)["acme-auto-ca"]?.dayLeads == 1)
        #expect(try await restarted.balances(buyerIDs: ["acme"]) == ["acme": Money("12.50")])
        #expect(try await restarted.lead(id: "L1")?.status == .sold)
        // The two stores are independent from then on.
        try await restarted.recordPayment(buyerID: "acme", amount: Money("12.50"), at: Fixtures.now)
        #expect(try await restarted.balances(buyerIDs: ["acme"]) == ["acme": .zero])
        #expect(try await store.balances(buyerIDs: ["acme"]) == ["acme": Money("22.50")])
    }
}
