import Foundation
import GavelCore
import GavelStore
import Testing

/// A throughput check of the group commit, run only when `GAVEL_STORE_BENCH` is set (e.g.
/// `GAVEL_STORE_BENCH=20000 swift test -c release --filter Throughput`): it prints durable
/// leads per second for the store's share of a lead's life (insert with dedupe, a cap hold,
/// a posting marker and the outcome with pings, posts, a sale and its ledger entries).
@Suite("SQLite store throughput", .enabled(if: ProcessInfo.processInfo.environment["GAVEL_STORE_BENCH"] != nil))
struct SQLiteStoreThroughputTests {
    @Test func durableLeadsPerSecond() async throws {
        let total = Int(ProcessInfo.processInfo.environment["GAVEL_STORE_BENCH"] ?? "") ?? 20_000
        let concurrency = 256
        let harness = try SQLiteHarness()
        let store = try harness.openSQLite()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for index in stride(from: worker, to: total, by: concurrency) { try await Self.lifecycle(store, index: index) }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print("GavelStore throughput: \(total) leads in \(String(format: "%.2f", seconds)) s = \(Int(Double(total) / seconds)) leads/s")
        #expect(try await store.lead(id: "L0")?.status == .sold)
    }

    private static func lifecycle(_ store: SQLiteStore, index: Int) async throws {
        let lead = Fixtures.lead("L\(index)", phone: String(2_000_000_000 + index))
        guard try await store.insertLead(lead, dedupeSince: Fixtures.now.minus(days: 30)) == .inserted else { return }
        let sale = Fixtures.sale()
        _ = try await store.hold(sale.hold)
        try await store.markPosting(leadID: lead.id, campaignID: sale.campaignID)
        try await store.recordOutcome(Fixtures.soldOutcome(lead.id, sales: [sale]), sellerID: "S1")
    }
}
