import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

extension StorageConformance {
    static let day: Int64 = 86_400_000

    /// Sells a lead the way the exchange does: insert, hold each sale's slot, record the outcome.
    static func sell(
        _ store: any Storage, _ id: String, sales: [Sale]? = nil, at time: Timestamp = Fixtures.now, test: Bool = false,
        phone: String? = nil
    ) async throws {
        let phone = phone ?? String(4_155_550_000 + (Int(id.filter(\.isNumber)) ?? 0) % 10_000)
        _ = try await store.insertLead(Fixtures.lead(id, phone: phone, at: time, test: test), dedupeSince: nil)
        let sales = sales ?? [Fixtures.sale(counts: !test, at: time)]
        for sale in sales { _ = try await store.hold(sale.hold) }
        try await store.recordOutcome(Fixtures.soldOutcome(id, sales: sales, at: time), sellerID: "S1")
    }

    static func returnReversesTheSale(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        #expect(try await store.balances(buyerIDs: ["acme"]) == ["acme": Money("12.50")])
        let request = ReturnRequest(leadID: "L1", buyerID: "acme", reason: "disconnected phone", at: Fixtures.now.adding(milliseconds: day))
        #expect(try await store.recordReturn(request) == .approved(refund: Money("12.50")))
        #expect(try await store.recordReturn(request) == .alreadyReturned)

        let entries = try await harness.ledgerEntries(store, leadID: "L1")
        #expect(entries.count == 6)
        let reversal = entries.filter { $0.kind == .return }
        #expect(reversal.map(\.amount) == [-Money("12.50"), Money("10.00"), Money("2.50")])
        #expect(reversal.map(\.account) == ["buyer:acme", "seller:S1", "exchange:margin"])
        #expect(reversal.allSatisfy { $0.at == request.at && $0.campaignID == "acme-auto-ca" })
        #expect(try await store.balances(buyerIDs: ["acme"]) == ["acme": .zero])
        #expect(try await store.audit().isClean)
        // Cap usage is not given back; the balance stays reduced after reopening.
        let periods = Fixtures.hold().periods
        #expect(try await store.capUsage(["acme-auto-ca": periods])["acme-auto-ca"]?.dayLeads == 1)
        let reopened = try await harness.open()
        #expect(try await reopened.balances(buyerIDs: ["acme"]) == ["acme": .zero])
        #expect(try await reopened.capUsage(["acme-auto-ca": periods])["acme-auto-ca"]?.dayLeads == 1)
    }

    static func returnIsOnlyForTheBuyer(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        try await sell(store, "T1", test: true)
        let at = Fixtures.now.adding(milliseconds: day)
        func attempt(_ lead: String, _ buyer: String) async throws -> ReturnResult {
            try await store.recordReturn(ReturnRequest(leadID: lead, buyerID: buyer, reason: "bad", at: at))
        }
        #expect(try await attempt("L1", "zeta") == .notFound)
        #expect(try await attempt("L-none", "acme") == .notFound)
        #expect(try await attempt("T1", "acme") == .notFound)
        #expect(try await harness.ledgerEntries(store, leadID: "L1").count == 3)
        #expect(try await attempt("L1", "acme") == .approved(refund: Money("12.50")))
    }

    static func returnWindow(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let soldAt = Fixtures.now  // the outcome's time is the sale's
        try await sell(store, "L1", sales: [Fixtures.sale(returnWindowDays: 3)])
        try await sell(store, "L2", sales: [Fixtures.sale(returnWindowDays: 3)], phone: "4155550199")
        let closes = soldAt.adding(milliseconds: 3 * day)
        let late = ReturnRequest(leadID: "L1", buyerID: "acme", reason: "late", at: closes)
        #expect(try await store.recordReturn(late) == .denied(reason: "outside_return_window"))
        let inTime = ReturnRequest(leadID: "L2", buyerID: "acme", reason: "just in time", at: closes.adding(milliseconds: -1))
        #expect(try await store.recordReturn(inTime) == .approved(refund: Money("12.50")))
        #expect(try await harness.ledgerEntries(store, leadID: "L1").count == 3)
        #expect(try await store.boughtLeads(buyerID: "acme", from: Fixtures.now, to: closes, limit: 10).map(\.returned) == [false, true])
    }

    static func returnRate(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        for index in 0..<4 {
            try await sell(store, "L\(index)", at: Fixtures.now.adding(milliseconds: Int64(index) * 60_000))
        }
        // 40 days earlier: outside the 30 days, so it counts neither as a sale nor a return.
        try await sell(store, "L9", at: Fixtures.now.minus(days: 40))
        let at = Fixtures.now.adding(milliseconds: day)
        func attempt(_ lead: String) async throws -> ReturnResult {
            try await store.recordReturn(ReturnRequest(leadID: lead, buyerID: "acme", reason: "bad", at: at, maxReturnRate: Rate("0.5")))
        }
        #expect(try await attempt("L0") == .approved(refund: Money("12.50")))
        #expect(try await attempt("L1") == .approved(refund: Money("12.50")))
        #expect(try await attempt("L2") == .denied(reason: "return_rate_exceeded"))
        // Without a limit the same return is fine.
        let unlimited = ReturnRequest(leadID: "L2", buyerID: "acme", reason: "bad", at: at)
        #expect(try await store.recordReturn(unlimited) == .approved(refund: Money("12.50")))
    }

    /// A shared lead: each buyer returns only its own sale.
    static func returnOfASharedLead(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let shared = [Fixtures.sale(price: Money("12.50")), Fixtures.sale(campaign: "zeta-auto", buyer: "zeta", price: Money("7.33"))]
        try await sell(store, "L1", sales: shared)
        let request = ReturnRequest(leadID: "L1", buyerID: "zeta", reason: "wrong state", at: Fixtures.now.adding(milliseconds: day))
        #expect(try await store.recordReturn(request) == .approved(refund: Money("7.33")))
        let entries = try await harness.ledgerEntries(store, leadID: "L1")
        #expect(entries.count == 9)
        #expect(entries.filter { $0.kind == .return }.allSatisfy { $0.campaignID == "zeta-auto" })
        #expect(try await store.balances(buyerIDs: ["acme", "zeta"]) == ["acme": Money("12.50"), "zeta": .zero])
        #expect(try await store.audit().isClean)
        let acme = ReturnRequest(leadID: "L1", buyerID: "acme", reason: "bad", at: request.at)
        #expect(try await store.recordReturn(acme) == .approved(refund: Money("12.50")))
        #expect(try await store.audit().isClean)
    }

    static func concurrentReturnsApproveOnce(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        let request = ReturnRequest(leadID: "L1", buyerID: "acme", reason: "bad", at: Fixtures.now.adding(milliseconds: day))
        let results = try await withThrowingTaskGroup(of: ReturnResult.self) { group in
            for _ in 0..<20 { group.addTask { try await store.recordReturn(request) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == .approved(refund: Money("12.50")) }.count == 1)
        #expect(results.filter { $0 == .alreadyReturned }.count == 19)
        #expect(try await harness.ledgerEntries(store, leadID: "L1").count == 6)
    }

    static func conversions(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        let at = Fixtures.now.adding(milliseconds: day)
        #expect(try await store.recordConversion(leadID: "L1", buyerID: "acme", value: Money("120.00"), at: at) == .recorded)
        #expect(try await store.recordConversion(leadID: "L1", buyerID: "acme", value: nil, at: at) == .alreadyRecorded)
        #expect(try await store.recordConversion(leadID: "L1", buyerID: "zeta", value: nil, at: at) == .notFound)
        #expect(try await store.recordConversion(leadID: "L-none", buyerID: "acme", value: nil, at: at) == .notFound)
        try await sell(store, "L2", phone: "4155550199")
        #expect(try await store.recordConversion(leadID: "L2", buyerID: "acme", value: nil, at: at) == .recorded)
    }

    static func payments(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        try await sell(store, "L2", phone: "4155550199")
        try await store.recordPayment(buyerID: "acme", amount: Money("20.00"), at: Fixtures.now.adding(milliseconds: day))
        #expect(try await store.balances(buyerIDs: ["acme"]) == ["acme": Money("5.00")])
        #expect(try await harness.ledgerEntries(store, leadID: "").map(\.amount) == [-Money("20.00"), Money("20.00")])
        let payment = try await harness.ledgerEntries(store, leadID: "")
        #expect(payment.map(\.account) == ["buyer:acme", "cash"])
        #expect(payment.allSatisfy { $0.kind == .payment && $0.campaignID.isEmpty })
        let audit = try await store.audit()
        #expect(audit.isClean)
        #expect(audit.entries == 8)
        let reopened = try await harness.open()
        #expect(try await reopened.balances(buyerIDs: ["acme"]) == ["acme": Money("5.00")])
    }

    static func auditFindsTampering(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        try await sell(store, "L2", phone: "4155550199")
        try await sell(store, "T1", test: true, phone: "4155550198")
        let request = ReturnRequest(leadID: "L2", buyerID: "acme", reason: "bad", at: Fixtures.now.adding(milliseconds: day))
        #expect(try await store.recordReturn(request) == .approved(refund: Money("12.50")))
        let clean = try await store.audit()
        #expect(clean.isClean)
        #expect(clean.entries == 9)
        #expect(clean.total == .zero)

        try await harness.tamper(store, leadID: "L2")
        let tampered = try await store.audit()
        #expect(!tampered.isClean)
        #expect(tampered.total == Money(cents: 1))
        #expect(tampered.problems.count == 1)
        #expect(tampered.problems.allSatisfy { $0.contains("L2") })
    }

    static func boughtLeads(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let hour: Int64 = 3_600_000
        for index in 0..<5 {
            let at = Fixtures.now.adding(milliseconds: Int64(index) * hour)
            try await sell(store, "L\(index)", sales: [Fixtures.sale(price: Money(cents: 1_000 + Int64(index)), at: at)], at: at)
        }
        let zeta = Fixtures.sale(campaign: "zeta-auto", buyer: "zeta")
        try await sell(store, "L9", sales: [zeta], phone: "4155550999")
        let from = Fixtures.now.adding(milliseconds: hour)
        let bought = try await store.boughtLeads(buyerID: "acme", from: from, to: from.adding(milliseconds: 3 * hour), limit: 10)
        #expect(bought.map(\.lead.id) == ["L1", "L2", "L3"])
        #expect(bought.map(\.price) == [Money(cents: 1_001), Money(cents: 1_002), Money(cents: 1_003)])
        #expect(bought.map(\.soldAt) == [0, 1, 2].map { from.adding(milliseconds: $0 * hour) })
        #expect(bought.allSatisfy { $0.campaignID == "acme-auto-ca" && !$0.returned })
        #expect(bought.first?.lead == Fixtures.lead("L1", phone: String(4_155_550_001), at: from))
        let limited = try await store.boughtLeads(buyerID: "acme", from: Fixtures.now, to: from.adding(milliseconds: 9 * hour), limit: 2)
        #expect(limited.map(\.lead.id) == ["L0", "L1"])
        let other = try await store.boughtLeads(buyerID: "zeta", from: Fixtures.now, to: from.adding(milliseconds: 9 * hour), limit: 10)
        #expect(other.map(\.lead.id) == ["L9"])
        #expect(try await store.boughtLeads(buyerID: "nobody", from: Fixtures.now, to: from, limit: 10).isEmpty)
    }
}
