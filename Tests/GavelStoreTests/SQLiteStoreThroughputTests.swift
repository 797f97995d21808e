import Foundation
import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

/// A throughput check of the group commit, run only when `GAVEL_STORE_BENCH` is set (e.g.
/// `GAVEL_STORE_BENCH=20000 swift test -c release -Xswiftc -enable-testing --filter Throughput`):
/// it prints durable leads per second for the store's share of a lead's life (insert with
/// dedupe, a cap hold, a posting marker and the outcome with its pings, posts, a sale, its
/// ledger entries and report rollups), for the fixture's outcome (4 pings, 2 posts, 2 skips)
/// and for an auction of 10 hosted campaigns.
@Suite("SQLite store throughput", .enabled(if: ProcessInfo.processInfo.environment["GAVEL_STORE_BENCH"] != nil))
struct SQLiteStoreThroughputTests {
    @Test func durableLeadsPerSecond() async throws {
        try await measure("fixture outcome") { Fixtures.soldOutcome($0, sales: [$1]) }
    }

    @Test func durableLeadsPerSecondWithTenHostedCampaigns() async throws {
        try await measure("10 hosted campaigns") { Self.hostedOutcome($0, sale: $1) }
    }

    private func measure(_ label: String, outcome: @escaping @Sendable (String, Sale) -> LeadOutcome) async throws {
        let total = Int(ProcessInfo.processInfo.environment["GAVEL_STORE_BENCH"] ?? "") ?? 20_000
        let concurrency = 256
        let harness = try SQLiteHarness()
        let store = try harness.openSQLite()
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        for index in stride(from: worker, to: total, by: concurrency) {
                            try await Self.lifecycle(store, index: index, outcome: outcome)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let seconds = elapsed.seconds
        print(
            "GavelStore throughput (\(label)): \(total) leads in \(String(format: "%.2f", seconds)) s = \(Int(Double(total) / seconds)) leads/s"
        )
        #expect(try await store.lead(id: "L0")?.status == .sold)
        let hour = ReportQuery(groupBy: .seller, from: Fixtures.now, to: Fixtures.now.adding(milliseconds: 3_600_000))
        #expect(try await store.report(hour).first?.leads == total)
    }

    private static func lifecycle(_ store: SQLiteStore, index: Int, outcome: (String, Sale) -> LeadOutcome) async throws {
        let lead = Fixtures.lead("L\(index)", phone: String(2_000_000_000 + index))
        guard try await store.insertLead(lead, dedupeSince: Fixtures.now.minus(days: 30)) == .inserted else { return }
        let sale = Fixtures.sale()
        _ = try await store.hold(sale.hold)
        try await store.markPosting(leadID: lead.id, campaignID: sale.campaignID)
        try await store.recordOutcome(outcome(lead.id, sale), sellerID: "S1")
    }

    /// Ten hosted campaigns priced in-process, the best one posted and sold.
    static func hostedOutcome(_ leadID: String, sale: Sale) -> LeadOutcome {
        let pings = (0..<10).map { (index: Int) -> PingRecord in
            let bid = Money(cents: 1_250 - Int64(index) * 50)
            let (campaign, buyer) = index == 0 ? (sale.campaignID, sale.buyerID) : ("hosted-\(index)", "buyer-\(index)")
            return PingRecord(campaignID: campaign, buyerID: buyer, answer: PingAnswer(kind: .hosted, bid: bid), effectiveBid: bid)
        }
        let post = PostRecord(
            campaignID: sale.campaignID, buyerID: sale.buyerID, price: sale.price, origin: .auction, outcome: .accepted, at: Fixtures.now)
        return LeadOutcome(
            leadID: leadID, status: .sold, sales: [sale], pings: pings, posts: [post], finishedAt: Fixtures.now, elapsedMicros: 300)
    }
}

/// Bulk import and report speed over a large store, run only when `GAVEL_REPORT_BENCH` is set
/// to a number of leads (e.g. `GAVEL_REPORT_BENCH=1000000 swift test -c release -Xswiftc
/// -enable-testing --filter ReportBench`): imports that many generated leads spread over 30
/// days and prints the import rate and the latency of month reports.
@Suite("SQLite report bench", .enabled(if: ProcessInfo.processInfo.environment["GAVEL_REPORT_BENCH"] != nil))
struct SQLiteReportBenchTests {
    @Test func importAndMonthReports() async throws {
        let total = Int(ProcessInfo.processInfo.environment["GAVEL_REPORT_BENCH"] ?? "") ?? 1_000_000
        let store = try SQLiteStore.temporary()
        let month = Timestamp(rfc3339: "2026-11-01")!
        let market = GeneratedMarket(start: month, spacing: 30 * 86_400_000 / Int64(total))
        let clock = ContinuousClock()
        var generating = Duration.zero
        let importing =
            try await clock.measure {
                for start in stride(from: 0, to: total, by: 50_000) {
                    var leads: [(lead: Lead, outcome: LeadOutcome)] = []
                    generating += clock.measure { leads = market.leads(start..<min(total, start + 50_000)) }
                    try await store.importLeads(leads)
                }
            } - generating
        let rate = Int(Double(total) / importing.seconds)
        print("GavelStore import: \(total) leads in \(String(format: "%.2f", importing.seconds)) s = \(rate) leads/s")
        let query = ReportQuery(groupBy: .source, from: month, to: month.adding(milliseconds: 30 * 86_400_000))
        for (label, query) in Self.queries(query) {
            var rows: [ReportRow] = []
            let elapsed = try await clock.measure { rows = try await store.report(query) }
            let leads = rows.reduce(0) { $0 + $1.leads }
            print("GavelStore report \(label): \(rows.count) rows, \(leads) leads in \(String(format: "%.1f", elapsed.seconds * 1_000)) ms")
        }
        var report: AuditReport?
        let audit = try await clock.measure { report = try await store.audit() }
        print("GavelStore audit: \(report?.entries ?? 0) entries in \(String(format: "%.2f", audit.seconds)) s")
        #expect(report?.isClean == true)
    }

    private static func queries(_ month: ReportQuery) -> [(String, ReportQuery)] {
        var bySeller = month
        bySeller.sellerID = "S2"
        var byBuyer = month
        byBuyer.buyerID = "acme"
        return [("month by source", month), ("month by source for a seller", bySeller), ("month by source for a buyer", byBuyer)]
            + [ReportDimension.campaign, .hour, .day].map { dimension in
                var query = month
                query.groupBy = dimension
                return ("month by \(dimension.rawValue)", query)
            }
    }
}
