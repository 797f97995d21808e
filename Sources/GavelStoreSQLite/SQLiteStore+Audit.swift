import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// Checks the books: every entry sums to zero; every sale of a non-test lead has exactly its
    /// three entries (buyer +price, seller −payout, `exchange:margin` −margin) and, once
    /// returned, exactly their reversal; no sale or return entries exist for leads without such
    /// sales (test leads included); every entry has a known kind. One problem line per lead and
    /// account, naming the lead; lines are sorted. Then verifies the chain in the same read
    /// transaction (``SQLiteChain/verify(_:)``).
    public func audit() async throws -> AuditReport {
        try await read { db in
            let totals = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM ledger")
            let problems = try LedgerAudit.mismatches(db) + LedgerAudit.unknownKinds(db)
            return AuditReport(
                entries: totals?[0] ?? 0, total: Money(cents: totals?[1] ?? 0), problems: problems.sorted(),
                chain: try SQLiteChain.verify(db))
        }
    }

    /// Links nothing: this store seals inline, in the transaction that writes each record.
    public var chainSealing: ChainSealing { .inline }

    /// Links nothing (every record is linked when written); returns 0.
    @discardableResult
    public func sealChain() async throws -> Int { 0 }

    /// The chain's last link.
    public func chainHead() async throws -> ChainHead {
        try await read { db in try SQLiteChain.head(db) ?? .empty }
    }

    /// The link at a position, `nil` beyond the chain's end.
    public func chainLink(at pos: Int64) async throws -> ChainLink? {
        try await read { db in try SQLiteChain.link(at: pos, db: db) }
    }

    /// Runs raw SQL on the writer, outside any batch. For tests only (e.g. tampering with the
    /// ledger to prove the audit notices); never call it from the exchange.
    public func executeForTesting(sql: String) async throws {
        try await write { db in try db.execute(sql: sql) }
    }
}

/// The ledger audit's queries: what the sales say the ledger must hold, against what it holds,
/// per lead, campaign, account and kind.
enum LedgerAudit {
    static func mismatches(_ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: comparison).map { row in
            let (lead, campaign, account, kind) = (row[0] as String, row[1] as String, row[2] as String, row[3] as String)
            let expected = describe(count: row[4], cents: row[5])
            let found = describe(count: row[6], cents: row[7])
            return "lead \(lead): \(kind) entries of campaign \(campaign) on \(account): expected \(expected), found \(found)"
        }
    }

    static func unknownKinds(_ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "SELECT lead_id, kind FROM ledger WHERE kind NOT IN ('sale', 'return', 'payment')").map { row in
            "lead \(row[0] as String): an entry of unknown kind '\(row[1] as String)'"
        }
    }

    private static func describe(count: Int64?, cents: Int64?) -> String {
        guard let count, count > 0 else { return "none" }
        return "\(count) totalling \(Money(cents: cents ?? 0))"
    }

    /// The expected entries of every sale of a non-test lead (and of its return), grouped like
    /// the actual sale and return entries; a row for every group where the two differ.
    private static let comparison = """
        WITH expected_rows AS (
            SELECT s.lead_id, s.campaign_id, 'buyer:' || s.buyer_id AS account, s.price_cents AS cents, s.returned_at
            FROM sales s JOIN leads l ON l.id = s.lead_id WHERE l.test = 0
            UNION ALL
            SELECT s.lead_id, s.campaign_id, 'seller:' || s.seller_id, -s.payout_cents, s.returned_at
            FROM sales s JOIN leads l ON l.id = s.lead_id WHERE l.test = 0
            UNION ALL
            SELECT s.lead_id, s.campaign_id, 'exchange:margin', -s.margin_cents, s.returned_at
            FROM sales s JOIN leads l ON l.id = s.lead_id WHERE l.test = 0
        ),
        expected AS (
            SELECT lead_id, campaign_id, account, 'sale' AS kind, COUNT(*) AS n, SUM(cents) AS cents
            FROM expected_rows GROUP BY 1, 2, 3
            UNION ALL
            SELECT lead_id, campaign_id, account, 'return', COUNT(*), -SUM(cents)
            FROM expected_rows WHERE returned_at IS NOT NULL GROUP BY 1, 2, 3
        ),
        actual AS (
            SELECT lead_id, campaign_id, account, kind, COUNT(*) AS n, SUM(amount_cents) AS cents
            FROM ledger WHERE kind IN ('sale', 'return') GROUP BY 1, 2, 3, 4
        )
        SELECT e.lead_id, e.campaign_id, e.account, e.kind, e.n, e.cents, a.n, a.cents
        FROM expected e LEFT JOIN actual a
            ON a.lead_id = e.lead_id AND a.campaign_id = e.campaign_id AND a.account = e.account AND a.kind = e.kind
        WHERE a.n IS NULL OR a.n != e.n OR a.cents != e.cents
        UNION ALL
        SELECT a.lead_id, a.campaign_id, a.account, a.kind, NULL, NULL, a.n, a.cents
        FROM actual a LEFT JOIN expected e
            ON e.lead_id = a.lead_id AND e.campaign_id = a.campaign_id AND e.account = a.account AND e.kind = a.kind
        WHERE e.n IS NULL
        """
}
