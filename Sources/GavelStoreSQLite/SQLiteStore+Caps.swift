import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// Current cap usage of campaigns (sold plus held) in the given periods.
    public func capUsage(_ periods: [String: CapPeriods]) async throws -> [String: CapUsage] {
        try await seed(periods.flatMap { UsageKey.periods(campaignID: $0.key, $0.value) })
        return usage.withLock { book in
            periods.reduce(into: [:]) { result, entry in result[entry.key] = book.usage(campaignID: entry.key, periods: entry.value) }
        }
    }

    /// Unpaid spend per buyer (sold plus held).
    public func balances(buyerIDs: [String]) async throws -> [String: Money] {
        try await seed(buyerIDs.map(UsageKey.balance))
        return usage.withLock { book in
            Dictionary(buyerIDs.map { ($0, book.balance(buyerID: $0)) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Atomically holds a cap slot and buyer credit for a post: checked and taken under one
    /// lock over the in-memory book, so concurrent holds can never together exceed a cap.
    public func hold(_ hold: CapHold) async throws -> CapHoldResult {
        guard hold.counts else { return .held }
        try await seed(UsageKey.all(for: hold))
        return usage.withLock { $0.hold(hold) }
    }

    /// Gives back a hold whose post did not sell, if a matching hold is outstanding (releasing
    /// one that is not changes nothing).
    public func release(_ hold: CapHold) async throws {
        usage.withLock { $0.release(hold) }
    }

    /// Loads the persisted value of counters the book has not seen yet. A counter is only ever
    /// persisted after a hold seeded it, so a late seed never loses an update.
    func seed(_ keys: [UsageKey]) async throws {
        let missing = usage.withLock { $0.missing(keys) }
        guard !missing.isEmpty else { return }
        let persisted = try await read { db in try Self.persistedUsage(missing, db: db) }
        usage.withLock { $0.seed(missing, persisted: persisted) }
    }

    private static func persistedUsage(_ keys: [UsageKey], db: Database) throws -> [UsageKey: UsageCount] {
        let statement = try db.cachedStatement(sql: "SELECT leads, spend_cents FROM usage WHERE subject = ? AND period = ?")
        var result: [UsageKey: UsageCount] = [:]
        for key in keys {
            guard let row = try Row.fetchOne(statement, arguments: [key.subject, key.period]) else { continue }
            result[key] = UsageCount(leads: row[0], spendCents: row[1])
        }
        return result
    }
}
