import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// Checks the books: every entry sums to zero; every sale of a non-test lead has exactly its
    /// three entries (buyer +price, seller −payout, `exchange:margin` −margin) and, once
    /// returned, exactly their reversal; no sale or return entries exist for leads without such
    /// sales (test leads included); every entry has a known kind. One problem line per lead and
    /// account, naming the lead; lines are sorted. Then verifies the chain
    /// (``verifyChain(on:)``). Runs in one read-only snapshot.
    public func audit() async throws -> AuditReport {
        try await snapshot(limit: .unbounded) { connection in
            let totals = try await connection.all(
                "SELECT count(*), COALESCE(sum(amount_cents), 0)::BIGINT FROM ledger", logger: self.logger)
            guard let row = totals.first else { throw StorageError.unavailable("the ledger count returned no row") }
            let (entries, total) = try row.decode((Int64, Int64).self)
            let problems = try await self.mismatches(connection) + self.unknownKinds(connection)
            return AuditReport(
                entries: Int(entries), total: Money(cents: total), problems: problems.sorted(),
                chain: try await self.verifyChain(on: connection)
            )
        }
    }

    /// Runs raw SQL (one statement). For tests only (e.g. tampering with the ledger to prove
    /// the audit notices); never call it from the exchange.
    public func executeForTesting(sql: String) async throws {
        try await execute(PostgresQuery(unsafeSQL: sql), limit: .unbounded)
    }

    private func mismatches(_ connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.all(PostgresQuery(unsafeSQL: Self.auditComparison), logger: logger)
        return try rows.map { row in
            let (lead, campaign, account, kind, expectedCount, expectedCents, foundCount, foundCents) = try row.decode(
                (String, String, String, String, Int64?, Int64?, Int64?, Int64?).self)
            let expected = Self.describe(count: expectedCount, cents: expectedCents)
            let found = Self.describe(count: foundCount, cents: foundCents)
            return "lead \(lead): \(kind) entries of campaign \(campaign) on \(account): expected \(expected), found \(found)"
        }
    }

    private func unknownKinds(_ connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.all(
            "SELECT lead_id, kind FROM ledger WHERE kind NOT IN ('sale', 'return', 'payment')", logger: logger)
        return try rows.map { row in
            let (lead, kind) = try row.decode((String, String).self)
            return "lead \(lead): an entry of unknown kind '\(kind)'"
        }
    }

    private static func describe(count: Int64?, cents: Int64?) -> String {
        guard let count, count > 0 else { return "none" }
        return "\(count) totalling \(Money(cents: cents ?? 0))"
    }

    /// The expected entries of every sale of a non-test lead (and of its return), grouped like
    /// the actual sale and return entries; a row for every group where the two differ.
    private static let auditComparison = """
        WITH expected_rows AS (
            SELECT s.lead_id, s.campaign_id, 'buyer:' || s.buyer_id AS account, s.price_cents AS cents, s.returned_at
            FROM sales s JOIN leads l ON l.id = s.lead_id WHERE NOT l.test
            UNION ALL
            SELECT s.lead_id, s.campaign_id, 'seller:' || s.seller_id, -s.payout_cents, s.returned_at
            FROM sales s JOIN leads l ON l.id = s.lead_id WHERE NOT l.test
            UNION ALL
            SELECT s.lead_id, s.campaign_id, 'exchange:margin', -s.margin_cents, s.returned_at
            FROM sales s JOIN leads l ON l.id = s.lead_id WHERE NOT l.test
        ),
        expected AS (
            SELECT lead_id, campaign_id, account, 'sale' AS kind, count(*) AS n, sum(cents)::BIGINT AS cents
            FROM expected_rows GROUP BY 1, 2, 3
            UNION ALL
            SELECT lead_id, campaign_id, account, 'return', count(*), (-sum(cents))::BIGINT
            FROM expected_rows WHERE returned_at IS NOT NULL GROUP BY 1, 2, 3
        ),
        actual AS (
            SELECT lead_id, campaign_id, account, kind, count(*) AS n, sum(amount_cents)::BIGINT AS cents
            FROM ledger WHERE kind IN ('sale', 'return') GROUP BY 1, 2, 3, 4
        )
        SELECT e.lead_id, e.campaign_id, e.account, e.kind, e.n, e.cents, a.n, a.cents
        FROM expected e LEFT JOIN actual a
            ON a.lead_id = e.lead_id AND a.campaign_id = e.campaign_id AND a.account = e.account AND a.kind = e.kind
        WHERE a.n IS NULL OR a.n <> e.n OR a.cents <> e.cents
        UNION ALL
        SELECT a.lead_id, a.campaign_id, a.account, a.kind, NULL, NULL, a.n, a.cents
        FROM actual a LEFT JOIN expected e
            ON e.lead_id = a.lead_id AND e.campaign_id = a.campaign_id AND e.account = a.account AND e.kind = a.kind
        WHERE e.n IS NULL
        """
}
