import GRDB
import GavelCore
import GavelStoreSupport

/// The counters the batch being committed adds to: report rollups and cap usage and buyer
/// balances. Each successful write adds its increments last (once nothing of it can fail any
/// more); the group commit writes them merged — one upsert per touched row instead of one per
/// lead — just before its commit, or forgets them when the batch fails.
final class BatchTotals: BatchFinisher {
    private struct Pending {
        var rollups = RollupBatch()
        var usage: [UsageKey: UsageCount] = [:]
    }

    private let pending = Locked(Pending())

    /// Adds an event's rollup increments under its lead's group.
    func add(_ delta: RollupDelta, group: LeadGroup) {
        pending.withLock { $0.rollups.add(delta, group: group) }
    }

    /// Adds the merged rollup increments of many events.
    func add(_ rollups: RollupBatch) {
        pending.withLock { $0.rollups.merge(rollups) }
    }

    /// Adds one lead at a price to each counter (a sale).
    func addSale(_ increments: [(key: UsageKey, cents: Int64)]) {
        guard !increments.isEmpty else { return }
        pending.withLock { pending in
            for increment in increments { pending.usage[increment.key, default: .zero].add(leads: 1, cents: increment.cents) }
        }
    }

    /// Adds merged usage increments (negative spend reduces a balance, never below zero).
    func add(usage: [UsageKey: UsageCount]) {
        pending.withLock { pending in
            for (key, count) in usage { pending.usage[key, default: .zero].add(leads: count.leads, cents: count.spendCents) }
        }
    }

    func finish(_ db: Database) throws {
        let taken = pending.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
        if !taken.rollups.isEmpty { try RollupWriter(db: db).write(taken.rollups) }
        try Self.write(taken.usage, db: db)
    }

    func discard() {
        pending.withLock { $0 = Pending() }
    }

    private static func write(_ usage: [UsageKey: UsageCount], db: Database) throws {
        guard !usage.isEmpty else { return }
        let statement = try db.cachedStatement(sql: upsertUsage)
        for (key, count) in usage {
            statement.setUncheckedArguments([key.subject, key.period, count.leads, count.spendCents])
            try statement.execute()
        }
    }

    /// Adds to a usage counter; spend never goes below zero (a balance reduced by returns and
    /// payments).
    private static let upsertUsage = """
        INSERT INTO usage (subject, period, leads, spend_cents) VALUES (?1, ?2, ?3, MAX(0, ?4))
        ON CONFLICT (subject, period) DO UPDATE SET leads = leads + ?3, spend_cents = MAX(0, spend_cents + ?4)
        """
}

extension UsageCount {
    /// Adds leads and spend.
    mutating func add(leads: Int, cents: Int64) {
        self.leads += leads
        spendCents += cents
    }
}
