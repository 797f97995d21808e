import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

extension StorageConformance {
    static func insertAndReadPendingLead(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let lead = Fixtures.lead("L1")
        #expect(try await store.insertLead(lead, dedupeSince: nil) == .inserted)
        let detail = try #require(try await store.lead(id: "L1"))
        #expect(detail.lead == lead)
        #expect(detail.status == .pending)
        #expect(detail.outcome == nil)
        #expect(try await store.lead(id: "L-unknown") == nil)
    }

    static func dedupe(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let window = Fixtures.now.minus(days: 30)
        #expect(try await store.insertLead(Fixtures.lead("L1"), dedupeSince: window) == .inserted)
        // Same consumer, another seller, a minute later: a duplicate of the first.
        let second = Fixtures.lead("L2", at: Fixtures.now.adding(milliseconds: 60_000), seller: "S2")
        #expect(try await store.insertLead(second, dedupeSince: window) == .duplicate(of: "L1"))
        let stored = try #require(try await store.lead(id: "L2"))
        #expect(stored.status == .duplicate)
        #expect(stored.outcome?.reason == "duplicate")
        // A window starting after the first lead lets the consumer through again.
        let later = Fixtures.lead("L3", at: Fixtures.now.adding(milliseconds: 120_000))
        #expect(try await store.insertLead(later, dedupeSince: Fixtures.now.adding(milliseconds: 1)) == .inserted)
        // Without a window nothing is a duplicate; another consumer never is.
        #expect(try await store.insertLead(Fixtures.lead("L4"), dedupeSince: nil) == .inserted)
        #expect(try await store.insertLead(Fixtures.lead("L5", phone: "2125550199"), dedupeSince: window) == .inserted)
    }

    static func dedupeIgnoresTestRejectedAndDuplicateLeads(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let window = Fixtures.now.minus(days: 30)
        #expect(try await store.insertLead(Fixtures.lead("T1", test: true), dedupeSince: nil) == .inserted)
        #expect(try await store.insertLead(Fixtures.lead("L1"), dedupeSince: window) == .inserted)
        try await store.recordOutcome(
            LeadOutcome(leadID: "L1", status: .rejected, reason: "ping_post_mismatch", finishedAt: Fixtures.now), sellerID: "S1")
        #expect(try await store.insertLead(Fixtures.lead("L2"), dedupeSince: window) == .inserted)
        #expect(try await store.insertLead(Fixtures.lead("L3"), dedupeSince: window) == .duplicate(of: "L2"))
        #expect(try await store.insertLead(Fixtures.lead("L4"), dedupeSince: window) == .duplicate(of: "L2"))
    }

    /// Keys are compared whole: keys that share a long prefix are different consumers.
    static func dedupeMatchesWholeKeys(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let prefix = String(repeating: "ab", count: 16)
        func lead(_ id: String, key: String) -> Lead {
            var lead = Fixtures.lead(id)
            lead.contactKeys = ContactKeys(phoneHashes: [key])
            return lead
        }
        let (first, second) = (prefix + String(repeating: "0", count: 32), prefix + String(repeating: "1", count: 32))
        let window = Fixtures.now.minus(days: 30)
        #expect(try await store.insertLead(lead("L1", key: first), dedupeSince: window) == .inserted)
        #expect(try await store.insertLead(lead("L2", key: second), dedupeSince: window) == .inserted)
        #expect(try await store.insertLead(lead("L3", key: second), dedupeSince: window) == .duplicate(of: "L2"))
        // Keys that are not hex digests still work.
        #expect(try await store.insertLead(lead("L4", key: "phone:4155550100"), dedupeSince: window) == .inserted)
        #expect(try await store.insertLead(lead("L5", key: "phone:4155550100"), dedupeSince: window) == .duplicate(of: "L4"))
        try await store.recordOutcome(Fixtures.soldOutcome("L1"), sellerID: "S1")
        #expect(try await store.lastSales(contactKeys: [second], since: window).isEmpty)
        #expect(try await store.lastSales(contactKeys: [first], since: window).keys.sorted() == ["acme-auto-ca"])
    }

    static func concurrentDedupe(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let window = Fixtures.now.minus(days: 30)
        let results = try await withThrowingTaskGroup(of: LeadInsertResult.self) { group in
            for index in 0..<50 {
                group.addTask { try await store.insertLead(Fixtures.lead("L\(index)"), dedupeSince: window) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let inserted = results.filter { $0 == .inserted }
        #expect(inserted.count == 1)
        let originals = Set(
            results.compactMap { result -> String? in
                if case .duplicate(let of) = result { return of }
                return nil
            })
        #expect(originals.count == 1)
        let original = try #require(originals.first)
        #expect(try await store.lead(id: original)?.status == .pending)
    }

    static func recordOutcomeRoundTrip(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await insert(store, "L1")
        let outcome = Fixtures.soldOutcome("L1", sales: [Fixtures.sale(returnWindowDays: 3)])
        try await store.recordOutcome(outcome, sellerID: "S1")
        let detail = try #require(try await store.lead(id: "L1"))
        #expect(detail.status == .sold)
        let stored = try #require(detail.outcome)
        #expect(stored.status == .sold)
        #expect(stored.reason == nil)
        #expect(stored.pings == outcome.pings)
        #expect(stored.posts == outcome.posts)
        #expect(stored.skips == outcome.skips)
        #expect(stored.finishedAt == outcome.finishedAt)
        #expect(stored.elapsedMicros == outcome.elapsedMicros)
        #expect(stored.revenue == Money("12.50"))
        #expect(stored.payout == Money("10.00"))
        try #require(stored.sales.count == 1)
        let (sale, original) = (stored.sales[0], outcome.sales[0])
        #expect(sale.campaignID == original.campaignID)
        #expect(sale.buyerID == original.buyerID)
        #expect(sale.price == original.price)
        #expect(sale.payout == original.payout)
        #expect(sale.buyerLeadID == original.buyerLeadID)
        #expect(sale.hold.periods == original.hold.periods)
        #expect(sale.hold.counts)
        #expect(sale.hold.price == original.price)
        #expect(sale.returnWindowDays == 3)
    }

    static func recordOutcomeOnceForKnownLeads(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        await #expect(throws: StorageError.notFound("L-none")) {
            try await store.recordOutcome(LeadOutcome(leadID: "L-none", status: .unsold, finishedAt: Fixtures.now), sellerID: "S1")
        }
        try await insert(store, "L1")
        let unsold = LeadOutcome(leadID: "L1", status: .unsold, reason: "no_bids", finishedAt: Fixtures.now)
        try await store.recordOutcome(unsold, sellerID: "S1")
        await #expect(throws: StorageError.conflict("L1")) { try await store.recordOutcome(unsold, sellerID: "S1") }
        let detail = try #require(try await store.lead(id: "L1"))
        #expect(detail.status == .unsold)
        #expect(detail.outcome == unsold)
    }

    static func ledgerBalances(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await insert(store, "L1")
        let shared = [Fixtures.sale(price: Money("12.50")), Fixtures.sale(campaign: "zeta-auto", buyer: "zeta", price: Money("7.33"))]
        try await store.recordOutcome(Fixtures.soldOutcome("L1", sales: shared), sellerID: "S1")
        let entries = try await harness.ledgerEntries(store, leadID: "L1")
        #expect(entries.count == 6)
        #expect(entries.reduce(Money.zero) { $0 + $1.amount } == .zero)
        #expect(Set(entries.map(\.account)) == ["buyer:acme", "buyer:zeta", "seller:S1", "exchange:margin"])
        let zeta = entries.filter { $0.campaignID == "zeta-auto" }
        #expect(zeta.map(\.amount) == [Money("7.33"), -Money("5.86"), -Money("1.47")])
        #expect(entries.allSatisfy { $0.kind == .sale && $0.leadID == "L1" })

        _ = try await store.insertLead(Fixtures.lead("T1", test: true), dedupeSince: nil)
        try await store.recordOutcome(Fixtures.soldOutcome("T1", sales: [Fixtures.sale(counts: false)]), sellerID: "S1")
        #expect(try await harness.ledgerEntries(store, leadID: "T1").isEmpty)
        #expect(try await store.lead(id: "T1")?.status == .sold)
    }

    static func lastSales(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let key = Fixtures.phoneKey("4155550100")
        try await insert(store, "L1")
        try await store.recordOutcome(Fixtures.soldOutcome("L1", at: Fixtures.now), sellerID: "S1")
        let later = Fixtures.now.adding(milliseconds: 3_600_000)
        _ = try await store.insertLead(Fixtures.lead("L2", at: later), dedupeSince: nil)
        let sales = [Fixtures.sale(), Fixtures.sale(campaign: "zeta-auto", buyer: "zeta")]
        try await store.recordOutcome(Fixtures.soldOutcome("L2", sales: sales, at: later), sellerID: "S1")
        try await insert(store, "L3", phone: "2125550199")

        let since = Fixtures.now.minus(days: 30)
        #expect(try await store.lastSales(contactKeys: [key], since: since) == ["acme-auto-ca": later, "zeta-auto": later])
        #expect(try await store.lastSales(contactKeys: [key], since: later.adding(milliseconds: 1)) == [:])
        #expect(try await store.lastSales(contactKeys: [Fixtures.phoneKey("2125550199")], since: since) == [:])
        #expect(try await store.lastSales(contactKeys: [], since: since) == [:])
    }

    static func reconcile(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        for id in ["L1", "L2", "L3", "L4"] { try await insert(store, id, phone: "41555501\(id.suffix(1))0") }
        try await store.markPosting(leadID: "L1", campaignID: "acme-auto-ca")
        try await store.markPosting(leadID: "L1", campaignID: "acme-auto-ca")
        try await store.markPosting(leadID: "L3", campaignID: "acme-auto-ca")
        try await store.recordOutcome(Fixtures.soldOutcome("L3"), sellerID: "S1")
        await #expect(throws: StorageError.notFound("L-none")) { try await store.markPosting(leadID: "L-none", campaignID: "x") }

        let later = Fixtures.now.adding(milliseconds: 10_000)
        let counts = try await store.reconcile(now: later)
        #expect(counts.review == 1)
        #expect(counts.unsold == 2)
        #expect(try await store.lead(id: "L1")?.status == .review)
        #expect(try await store.lead(id: "L2")?.status == .unsold)
        #expect(try await store.lead(id: "L2")?.outcome?.reason == "interrupted")
        #expect(try await store.lead(id: "L3")?.status == .sold)
        let again = try await store.reconcile(now: later)
        #expect(again.review == 0 && again.unsold == 0)
    }

    /// Reconciling some leads by id marks those still pending and leaves the others alone.
    static func reconcileSomeLeads(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        for id in ["L1", "L2", "L3", "L4"] { try await insert(store, id, phone: "41555502\(id.suffix(1))0") }
        try await store.markPosting(leadID: "L1", campaignID: "acme-auto-ca")
        try await store.markPosting(leadID: "L4", campaignID: "acme-auto-ca")
        try await store.recordOutcome(Fixtures.soldOutcome("L3"), sellerID: "S1")

        let later = Fixtures.now.adding(milliseconds: 10_000)
        let counts = try await store.reconcile(leadIDs: ["L1", "L2", "L3", "L-none"], now: later)
        #expect(counts.review == 1 && counts.unsold == 1)
        #expect(try await store.lead(id: "L1")?.status == .review)
        #expect(try await store.lead(id: "L2")?.status == .unsold)
        #expect(try await store.lead(id: "L2")?.outcome?.reason == "interrupted")
        #expect(try await store.lead(id: "L3")?.status == .sold)
        #expect(try await store.lead(id: "L4")?.status == .pending, "a lead not named is left alone")
        let again = try await store.reconcile(leadIDs: ["L1", "L2"], now: later)
        #expect(again.review == 0 && again.unsold == 0)
        let none = try await store.reconcile(leadIDs: [], now: later)
        #expect(none.review == 0 && none.unsold == 0)
        // The lead left alone still has its posting marker for a later reconciliation.
        let rest = try await store.reconcile(now: later)
        #expect(rest.review == 1 && rest.unsold == 0)
    }

    /// A store that answers takes a readiness write, again and again.
    static func checkWritable(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.checkWritable()
        try await store.checkWritable()
    }

    static func groupCommit(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let results = try await withThrowingTaskGroup(of: LeadInsertResult.self) { group in
            for index in 0..<500 {
                let lead = Fixtures.lead("L\(index)", phone: String(2_125_550_000 + index))
                group.addTask { try await store.insertLead(lead, dedupeSince: Fixtures.now.minus(days: 30)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 500)
        #expect(results.allSatisfy { $0 == .inserted })
        for index in 0..<500 {
            #expect(try await store.lead(id: "L\(index)")?.status == .pending)
        }
    }

    /// One failing write in a shared transaction fails alone.
    static func groupCommitIsolatesFailures(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await insert(store, "L0")
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<100 {
                group.addTask {
                    do {
                        // Every tenth insert reuses an existing id and must fail on its own.
                        let id = index % 10 == 0 ? "L0" : "L\(index)"
                        _ = try await store.insertLead(Fixtures.lead(id, phone: String(3_105_550_000 + index)), dedupeSince: nil)
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 90)
        for index in 1..<100 where index % 10 != 0 {
            #expect(try await store.lead(id: "L\(index)") != nil)
        }
    }

    static func insert(_ store: any Storage, _ id: String, phone: String = "4155550100", test: Bool = false) async throws {
        let result = try await store.insertLead(Fixtures.lead(id, phone: phone, test: test), dedupeSince: nil)
        #expect(result == .inserted)
    }
}

extension StorageConformance {
    /// A lead written with its first follow-up: a sold outcome or a posting marker goes in with
    /// the lead, a duplicate is stored as one and its follow-up is dropped, and the read-only
    /// dedupe check agrees with the insert's.
    static func insertLeadWithItsFollowUp(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let window = Fixtures.now.minus(days: 30)
        let sold = Fixtures.soldOutcome("L1", sales: [Fixtures.sale()])
        #expect(try await store.original(of: Fixtures.lead("L1"), since: window) == nil)
        #expect(try await store.insertLead(Fixtures.lead("L1"), dedupeSince: window, then: .outcome(sold, sellerID: "S1")) == .inserted)
        let first = try #require(try await store.lead(id: "L1"))
        #expect(first.status == .sold && first.outcome?.sales.count == 1)

        let again = Fixtures.lead("L2", at: Fixtures.now.adding(milliseconds: 60_000))
        #expect(try await store.original(of: again, since: window) == "L1")
        #expect(try await store.original(of: again, since: Fixtures.now.adding(milliseconds: 1)) == nil)
        #expect(try await store.original(of: Fixtures.lead("L9", phone: "2125550199"), since: window) == nil)
        let twice = Fixtures.soldOutcome("L2", sales: [Fixtures.sale()])
        #expect(try await store.insertLead(again, dedupeSince: window, then: .outcome(twice, sellerID: "S1")) == .duplicate(of: "L1"))
        let duplicate = try #require(try await store.lead(id: "L2"))
        #expect(duplicate.status == .duplicate && duplicate.outcome?.sales.isEmpty == true)

        let posted = Fixtures.lead("L3", phone: "2125550123")
        #expect(try await store.insertLead(posted, dedupeSince: window, then: .posting(campaignID: "C1")) == .inserted)
        #expect(try await store.lead(id: "L3")?.status == .pending)
        let repaired = try await store.reconcile(leadIDs: ["L3"], now: Fixtures.now.adding(milliseconds: 1_000))
        #expect(repaired.review == 1 && repaired.unsold == 0, "the marker went in with the lead")
        #expect(try await store.audit().problems.isEmpty)
    }
}
