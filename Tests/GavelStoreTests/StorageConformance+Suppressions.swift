import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

extension StorageConformance {
    static func suppressions(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let (a, b, c) = (Fixtures.phoneKey("4155550100"), Fixtures.phoneKey("2125550199"), Fixtures.hasher.sha256Hex("ada@example.com"))
        #expect(try await store.addSuppressions(buyerID: "acme", hashes: [a, b]) == 2)
        #expect(try await store.addSuppressions(buyerID: "acme", hashes: [b, c.uppercased()]) == 3)
        #expect(try await store.addSuppressions(buyerID: "zeta", hashes: [b]) == 1)
        #expect(try await store.suppressingBuyers(contactKeys: [a]) == ["acme"])
        #expect(try await store.suppressingBuyers(contactKeys: [b]) == ["acme", "zeta"])
        #expect(try await store.suppressingBuyers(contactKeys: [c, Fixtures.phoneKey("3105550000")]) == ["acme"])
        #expect(try await store.suppressingBuyers(contactKeys: [Fixtures.phoneKey("3105550000")]).isEmpty)
        #expect(try await store.suppressingBuyers(contactKeys: []).isEmpty)

        try await store.clearSuppressions(buyerID: "acme")
        #expect(try await store.suppressingBuyers(contactKeys: [a, b, c]) == ["zeta"])
        #expect(try await store.addSuppressions(buyerID: "acme", hashes: [c]) == 1)

        let reopened = try await harness.open()
        #expect(try await reopened.suppressingBuyers(contactKeys: [a]).isEmpty)
        #expect(try await reopened.suppressingBuyers(contactKeys: [b]) == ["zeta"])
        #expect(try await reopened.suppressingBuyers(contactKeys: [c]) == ["acme"])
    }

    /// Storing a lead and reading who suppresses it at once: the lead is stored as by
    /// `insertLead`, and the buyers read (where the store reads them) are those
    /// `suppressingBuyers` names.
    static func insertReadingSuppressions(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        _ = try await store.addSuppressions(buyerID: "acme", hashes: [Fixtures.phoneKey("4155550100")])
        _ = try await store.addSuppressions(buyerID: "zeta", hashes: [Fixtures.phoneKey("2125550199")])
        let window = Fixtures.now.minus(days: 30)
        let (first, buyers) = try await store.insertLeadReadingSuppressions(Fixtures.lead("L1", phone: "4155550100"), dedupeSince: window)
        #expect(first == .inserted)
        #expect(buyers == nil || buyers == ["acme"])
        if store is PostgresStore { #expect(buyers == ["acme"], "PostgreSQL reads them with the insert") }
        #expect(try await store.lead(id: "L1")?.status == .pending)
        let (again, _) = try await store.insertLeadReadingSuppressions(Fixtures.lead("L2", phone: "4155550100"), dedupeSince: window)
        #expect(again == .duplicate(of: "L1"))
        let (clear, none) = try await store.insertLeadReadingSuppressions(Fixtures.lead("L3", phone: "3105550000"), dedupeSince: window)
        #expect(clear == .inserted && (none == nil || none == []))
        await #expect(throws: StorageError.conflict("L1")) {
            try await store.insertLeadReadingSuppressions(Fixtures.lead("L1", phone: "3105550001"), dedupeSince: nil)
        }
    }

    static func millionSuppressions(_ harness: some StoreHarness) async throws {
        var generator = SeededRandom(seed: 42)
        let hashes = (0..<1_000_000).map { _ in Fixtures.randomHash(using: &generator) }
        do {
            let store = try await harness.open()
            #expect(try await store.addSuppressions(buyerID: "big", hashes: hashes) == 1_000_000)
            #expect(try await store.addSuppressions(buyerID: "small", hashes: [hashes[17]]) == 1)
            #expect(try await store.suppressingBuyers(contactKeys: [hashes[999_999]]) == ["big"])
        }
        let reopened = try await harness.open()
        for index in stride(from: 0, to: 1_000_000, by: 99_991) {
            #expect(try await reopened.suppressingBuyers(contactKeys: [hashes[index]]) == ["big"])
        }
        #expect(try await reopened.suppressingBuyers(contactKeys: [hashes[17]]) == ["big", "small"])
        #expect(try await reopened.suppressingBuyers(contactKeys: [Fixtures.phoneKey("4155550100")]).isEmpty)
        #expect(try await reopened.addSuppressions(buyerID: "big", hashes: Array(hashes[0..<10])) == 1_000_000)
    }
}
