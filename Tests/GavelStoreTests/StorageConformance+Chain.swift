import GavelCore
import Testing

/// The books' hash chain: every ledger entry, sale and configuration change is sealed — inline
/// (in memory, SQLite) or by `sealChain()` (PostgreSQL, which the checks call as a node's
/// sealer would) — and the audit verifies it, naming the first broken record.
extension StorageConformance {
    /// Sells (one lead shared by two buyers, a test lead), returns, pays and configures: every
    /// record is sealed once, the audit's chain is intact and its head is the store's; the
    /// chain survives a restart and grows past an anchored head, which still holds.
    static func chainSealsEveryRecord(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        #expect(try await store.chainHead() == .empty)
        try await store.create(.buyer(Fixtures.buyer))  // 1 configuration change
        try await sell(store, "L1")  // a sale and its 3 entries
        let shared = [Fixtures.sale(), Fixtures.sale(campaign: "zeta-auto", buyer: "zeta", price: Money("7.33"))]
        try await sell(store, "L2", sales: shared, phone: "4155550199")  // 2 sales, 6 entries
        try await sell(store, "T1", test: true, phone: "4155550198")  // a test sale, no entries
        let request = ReturnRequest(leadID: "L2", buyerID: "zeta", reason: "bad", at: Fixtures.now.adding(milliseconds: day))
        #expect(try await store.recordReturn(request) == .approved(refund: Money("7.33")))  // 3 entries
        try await store.recordPayment(buyerID: "acme", amount: Money("5.00"), at: Fixtures.now.adding(milliseconds: day))  // 2
        try await store.sealChain()

        let audit = try await store.audit()
        #expect(audit.isClean, "\(audit)")
        #expect(audit.chain.length == 19 && audit.chain.unsealed == 0)
        #expect(audit.chain.problems.isEmpty && audit.chain.warnings.isEmpty)
        let head = try await store.chainHead()
        #expect(head.pos == 19 && audit.chain.head == head)
        let last = try #require(try await store.chainLink(at: 19))
        #expect(last.head == head)
        #expect(try await store.chainLink(at: 20) == nil)
        #expect(try await store.sealChain() == 0)

        let reopened = try await harness.open()
        #expect(try await reopened.chainHead() == head)
        try await sell(reopened, "L3", phone: "4155550197")
        try await reopened.sealChain()
        #expect(try await reopened.chainHead().pos == 23)
        let anchor = try #require(ChainAnchor("\(head.pos):\(head.hash)"))
        #expect(anchor.problem(try await reopened.chainLink(at: head.pos)) == nil)
        #expect(try await reopened.audit().isClean)
    }

    /// A sale's price and its buyer and margin entries changed together behind the store's
    /// back: the books still balance, but the chain names the sale first, then its entries.
    static func chainCatchesABalancedEdit(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        try await sell(store, "L2", phone: "4155550199")
        try await store.sealChain()
        try await harness.tamperSale(store, leadID: "L2", cents: 500)

        let audit = try await store.audit()
        #expect(audit.problems.isEmpty && audit.total == .zero, "the books still balance: \(audit.problems)")
        #expect(!audit.isClean)
        let problems = audit.chain.problems
        #expect(problems.first?.hasPrefix("sale L2#0 was changed after it was sealed (chain position ") == true, "\(problems)")
        #expect(problems.count == 3)
        #expect(problems.dropFirst().allSatisfy { $0.contains("(lead L2) was changed after it was sealed") }, "\(problems)")
    }

    /// An edited link breaks the chain at its position; a deleted link leaves a gap; a deleted
    /// ledger entry is missing from its link.
    static func chainCatchesEditedAndDeletedLinks(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        for (index, lead) in ["L1", "L2", "L3"].enumerated() { try await sell(store, lead, phone: "415555019\(index)") }
        try await store.sealChain()
        #expect(try await store.chainHead().pos == 12)

        try await harness.tamperChain(store, pos: 3, .changeHash)
        let edited = try await store.audit().chain.problems
        #expect(edited.first?.hasPrefix("chain position 3 (") == true, "\(edited)")
        #expect(edited.first?.hasSuffix("does not follow from the link before it: the chain was edited there") == true)

        try await harness.tamperChain(store, pos: 7, .delete)
        let deleted = try await store.audit().chain.problems
        #expect(deleted.first == edited.first)
        #expect(deleted.contains("chain position 7 is missing: the chain goes from 6 to 8 (links were deleted)"), "\(deleted)")

        try await harness.deleteLedgerEntry(store, leadID: "L3")
        let audit = try await store.audit()
        #expect(audit.problems.count == 1, "the books no longer balance either: \(audit.problems)")
        let missing = audit.chain.problems.filter { $0.hasSuffix("is missing (chain position 12)") }
        #expect(missing.count == 1 && missing[0].hasPrefix("ledger entry "), "\(audit.chain.problems)")
    }

    /// Two links that trade places (each keeping its hash) break the chain where the first one
    /// now stands, though every record is still sealed and the books balance.
    static func chainCatchesReorderedLinks(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        for (index, lead) in ["L1", "L2"].enumerated() { try await sell(store, lead, phone: "415555019\(index)") }
        try await store.sealChain()
        try await harness.tamperChain(store, pos: 5, .swapWithNext)

        let audit = try await store.audit()
        #expect(audit.problems.isEmpty && audit.total == .zero, "the books still balance: \(audit.problems)")
        #expect(!audit.isClean && audit.chain.length == 8)
        let problems = audit.chain.problems
        #expect(problems.first?.hasPrefix("chain position 5 (") == true, "\(problems)")
        #expect(problems.first?.hasSuffix("does not follow from the link before it: the chain was edited there") == true)
        #expect(problems.contains { $0.hasPrefix("chain position 6 (") }, "\(problems)")
    }

    /// Every configuration change — creates, a replace, a delete, settings, an API key made and
    /// revoked, a webhook registered and deleted — is journaled and sealed, in order, with its
    /// secrets masked and no key hash.
    static func configChangesAreChained(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.create(.buyer(Fixtures.buyer))
        try await store.create(.campaign(Fixtures.campaign))
        var renamed = Fixtures.campaign
        renamed.name = "Acme auto CA, renamed"
        try await store.replace(.campaign(renamed))
        #expect(try await store.delete(.campaign, id: renamed.id))
        #expect(try await !store.delete(.campaign, id: renamed.id))
        try await store.saveSettings(Settings(dedupeDays: 14))
        let key = APIKeyRecord(
            id: "K1", role: .seller, subjectID: "S1", hash: String(repeating: "ab", count: 32), prefix: "gv_s_1234", createdAt: Fixtures.now
        )
        try await store.createAPIKey(key)
        #expect(try await store.deleteAPIKey(id: "K1"))
        try await store.createWebhook(webhook("W1", owner: .seller("S1"), events: [.leadSold]))
        #expect(try await store.deleteWebhook(id: "W1"))
        #expect(try await !store.deleteWebhook(id: "W1"))
        try await store.sealChain()

        let audit = try await store.audit()
        #expect(audit.isClean && audit.chain.length == 9, "\(audit)")
        for pos in Int64(1)...9 { #expect(try await store.chainLink(at: pos)?.record == "config \(pos)") }
        let bodies = try await harness.configJournal(store)
        #expect(bodies.count == 9)
        #expect(bodies[1].contains(Campaign.maskedSecret) && !bodies.contains { $0.contains("s3cret") })
        #expect(bodies[2].contains("renamed") && bodies[3].isEmpty && bodies[6].isEmpty && bodies[8].isEmpty)
        #expect(bodies[4].contains("\"dedupe_days\":14"))
        #expect(bodies[5].contains("gv_s_1234") && !bodies[5].contains(key.hash))
        #expect(bodies[7].contains("https://hooks.example/W1") && bodies[7].contains(Webhook.maskedSecret))
        #expect(!bodies.contains { $0.contains("secret-W1") })
    }

    /// Many sales, returns and payments at once while sealing runs alongside: one chain, with
    /// every record once and no gap.
    static func concurrentWritesMakeOneChain(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask {
                    try await sell(store, "L\(index)", phone: String(4_155_551_000 + index))
                    if index % 3 == 0 {
                        let request = ReturnRequest(
                            leadID: "L\(index)", buyerID: "acme", reason: "bad", at: Fixtures.now.adding(milliseconds: day))
                        _ = try await store.recordReturn(request)
                    }
                }
                if index % 10 == 0 { group.addTask { try await store.sealChain() } }
            }
            group.addTask { try await store.recordPayment(buyerID: "acme", amount: Money("1.00"), at: Fixtures.now) }
            try await group.waitForAll()
        }
        try await store.sealChain()
        let audit = try await store.audit()
        #expect(audit.isClean, "\(audit)")
        let records: Int64 = 30 * 4 + 10 * 3 + 2  // sales and their entries, returns, the payment
        #expect(audit.chain.length == records && audit.chain.unsealed == 0)
    }
}
