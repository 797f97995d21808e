import Foundation
import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

/// The PostgreSQL store's throughput, run only when `GAVEL_STORE_BENCH` and
/// `GAVEL_TEST_POSTGRES_URL` are set (e.g. `GAVEL_STORE_BENCH=20000 swift test -c release
/// -Xswiftc -enable-testing --filter PostgresThroughput`): durable leads per second for the
/// store's share of a lead's life (insert with dedupe, a cap hold, a posting marker and the
/// outcome), on one node and on two nodes sharing the database — the same work as
/// `SQLiteStoreThroughputTests`, so the figures compare.
@Suite(
    "PostgresThroughput", .enabled(if: PostgresTestServer.isEnabled && ProcessInfo.processInfo.environment["GAVEL_STORE_BENCH"] != nil),
    .serialized)
struct PostgresStoreThroughputTests {
    @Test func durableLeadsPerSecond() async throws {
        try await measure("fixture outcome, 1 node", nodes: 1) { Fixtures.soldOutcome($0, sales: [$1]) }
    }

    @Test func durableLeadsPerSecondWithTenHostedCampaigns() async throws {
        try await measure("10 hosted campaigns, 1 node", nodes: 1) { SQLiteStoreThroughputTests.hostedOutcome($0, sale: $1) }
    }

    @Test func durableLeadsPerSecondOnTwoNodes() async throws {
        try await measure("10 hosted campaigns, 2 nodes", nodes: 2) { SQLiteStoreThroughputTests.hostedOutcome($0, sale: $1) }
    }

    private func measure(_ label: String, nodes count: Int, outcome: @escaping @Sendable (String, Sale) -> LeadOutcome) async throws {
        let total = Int(ProcessInfo.processInfo.environment["GAVEL_STORE_BENCH"] ?? "") ?? 20_000
        let concurrency = 256
        try await PostgresHarness.with { harness in
            var nodes: [PostgresStore] = []
            for _ in 0..<count { nodes.append(try await harness.node()) }
            let stores = nodes
            let elapsed = try await ContinuousClock().measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<concurrency {
                        let store = stores[worker % stores.count]
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
                "GavelStore PostgreSQL throughput (\(label)): \(total) leads in \(String(format: "%.2f", seconds)) s = \(Int(Double(total) / seconds)) leads/s"
            )
            let hour = ReportQuery(groupBy: .seller, from: Fixtures.now, to: Fixtures.now.adding(milliseconds: 3_600_000))
            #expect(try await stores[0].report(hour).first?.leads == total)
        }
    }

    private static func lifecycle(_ store: PostgresStore, index: Int, outcome: (String, Sale) -> LeadOutcome) async throws {
        let lead = Fixtures.lead("L\(index)", phone: String(2_000_000_000 + index))
        guard try await store.insertLead(lead, dedupeSince: Fixtures.now.minus(days: 30)) == .inserted else { return }
        let sale = Fixtures.sale()
        _ = try await store.hold(sale.hold)
        try await store.markPosting(leadID: lead.id, campaignID: sale.campaignID)
        try await store.recordOutcome(outcome(lead.id, sale), sellerID: "S1")
    }
}

/// Bulk import and report speed on PostgreSQL, run only when `GAVEL_REPORT_BENCH` (a number of
/// leads) and `GAVEL_TEST_POSTGRES_URL` are set: imports that many generated leads over 30
/// days, folds the report deltas, and prints the latency of month reports.
@Suite(
    "PostgresReportBench",
    .enabled(if: PostgresTestServer.isEnabled && ProcessInfo.processInfo.environment["GAVEL_REPORT_BENCH"] != nil))
struct PostgresReportBenchTests {
    @Test func importAndMonthReports() async throws {
        let total = Int(ProcessInfo.processInfo.environment["GAVEL_REPORT_BENCH"] ?? "") ?? 1_000_000
        try await PostgresHarness.with { harness in
            let store = try await harness.node()
            let month = Timestamp(rfc3339: "2026-11-01")!
            let market = GeneratedMarket(start: month, span: 30 * 86_400_000)
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
            print("GavelStore PostgreSQL import: \(total) leads in \(String(format: "%.2f", importing.seconds)) s")
            let folding = try await clock.measure { try await store.compactReportDeltas() }
            print("GavelStore PostgreSQL fold of the report deltas: \(String(format: "%.2f", folding.seconds)) s")
            for dimension in [ReportDimension.source, .campaign, .day, .hour] {
                let query = ReportQuery(groupBy: dimension, from: month, to: month.adding(milliseconds: 30 * 86_400_000))
                var rows: [ReportRow] = []
                let elapsed = try await clock.measure { rows = try await store.report(query) }
                print(
                    "GavelStore PostgreSQL report month by \(dimension.rawValue): \(rows.count) rows, \(rows.reduce(0) { $0 + $1.leads }) leads in \(String(format: "%.1f", elapsed.seconds * 1_000)) ms"
                )
            }
        }
    }
}
