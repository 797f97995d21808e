import ArgumentParser
import Foundation
import GavelCore
import GavelServer
import GavelSim
import GavelStoreSupport
import Logging

/// `gavel bench --fill N`: fills a database with N finished leads of the fixture market
/// (`FixtureMarket`) spread over the last 30 days — sales, cascades, shared sales, unsold, test,
/// duplicate and rejected leads — through the store's bulk import, then times month reports on
/// it and audits its ledger. The database can be served afterwards (`gavel serve --database …`):
/// its sellers, buyers and campaigns are stored too.
struct BenchFill {
    let count: Int
    let database: String
    let seed: UInt64
    let logger: Logger

    /// Leads per import transaction.
    static let chunk = 50_000

    func run() async throws {
        try await StoreOpening.withStore(database, logger: logger) { opened in
            let store = opened.store
            try await configure(store)
            let end = Timestamp(milliseconds: SystemWallClock().now().milliseconds / 3_600_000 * 3_600_000)
            let start = end.minus(days: 30)
            try await fill(store, hasher: KeyedContactHasher(secret: try await store.contactKeySecret()), from: start, to: end)
            try await time(store, from: start, to: end)
            try await seal(store)
            let clock = ContinuousClock()
            var audit: AuditReport?
            let elapsed = try await clock.measure { audit = try await store.audit() }
            Runtime.say(
                "audit: \(audit?.entries ?? 0) ledger entries and a chain of \(audit?.chain.length ?? 0) links in "
                    + "\(BenchFormat.fixed(elapsed.fractionalMilliseconds, 0)) ms, \(audit?.isClean == true ? "clean" : "NOT CLEAN")"
            )
            guard audit?.isClean == true else { throw ExitCode(2) }
        }
    }

    /// Stores the fixture's sellers, buyers and campaigns that are missing (and the built-in
    /// verticals on an empty database).
    private func configure(_ store: any Storage) async throws {
        let config = try await store.loadConfig()
        let records = (config.verticals.isEmpty ? BuiltInVerticals.all.map(ConfigRecord.vertical) : []) + FixtureMarket.configuration()
        for record in records where !config.contains(record.kind, id: record.id) {
            try await store.create(record)
        }
    }

    private func fill(_ store: any MoneyStore, hasher: any ContactHasher, from start: Timestamp, to end: Timestamp) async throws {
        let span = end.milliseconds - start.milliseconds
        var market = FixtureMarket(start: start, spacing: max(1, span / Int64(count)), seed: seed)
        market.hasher = hasher
        let clock = ContinuousClock()
        var generating = Duration.zero
        let total = try await clock.measure {
            for first in stride(from: 0, to: count, by: Self.chunk) {
                var leads: [(lead: Lead, outcome: LeadOutcome)] = []
                generating += clock.measure { leads = market.leads(first..<min(count, first + Self.chunk)) }
                do {
                    try await store.importLeads(leads)
                } catch StorageError.conflict(let detail) {
                    throw ValidationError("--fill: the database already holds fixture leads (\(detail)); fill a new database")
                }
            }
        }
        let importing = total - generating
        Runtime.say(
            "filled \(StoreOpening.displayed(database)) with \(count) leads from \(start) to \(end): imported in \(BenchFormat.fixed(importing.fractionalMilliseconds / 1_000, 2)) s "
                + "(\(BenchFormat.fixed(Double(count) / max(importing.fractionalMilliseconds / 1_000, 0.001), 0)) leads/s; generating them took "
                + "\(BenchFormat.fixed(generating.fractionalMilliseconds / 1_000, 2)) s more)")
    }

    /// Seals the imported records into the chain, on a store that seals in the background
    /// (what its nodes' sealers would do), so that the audit sees them sealed.
    private func seal(_ store: any ChainStore) async throws {
        guard store.chainSealing == .background else { return }
        var sealed = 0
        let elapsed = try await ContinuousClock().measure {
            while true {
                let linked = try await store.sealChain()
                guard linked > 0 else { break }
                sealed += linked
            }
        }
        Runtime.say("sealed \(sealed) records into the chain in \(BenchFormat.fixed(elapsed.fractionalMilliseconds, 0)) ms")
    }

    private func time(_ store: any ReportStore, from start: Timestamp, to end: Timestamp) async throws {
        var rows = [["report (the last 30 days)", "rows", "leads", "ms"]]
        let clock = ContinuousClock()
        for dimension in ReportDimension.allCases {
            var result: [ReportRow] = []
            let elapsed = try await clock.measure { result = try await store.report(ReportQuery(groupBy: dimension, from: start, to: end)) }
            rows.append([
                "by \(dimension.rawValue)", String(result.count), String(result.reduce(0) { $0 + $1.leads }),
                BenchFormat.fixed(elapsed.fractionalMilliseconds, 1),
            ])
        }
        for line in BenchFormat.table(rows).split(separator: "\n") { Runtime.say(String(line)) }
    }
}
