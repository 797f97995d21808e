import Foundation
import GRDB
import GavelCore
import GavelStoreSupport

/// A lead's outcome as statement arguments, prepared off the writer queue so the shared
/// transaction only binds and steps cached statements.
///
/// The pings, posts and skips go into the lead's row as one ``LeadRecordsCodec`` BLOB (the
/// `pings`, `posts` and `skips` tables only hold leads recorded before it); sales and ledger
/// entries stay rows, since returns, the inbox and the audit query them.
struct OutcomeWrite: Sendable {
    let leadID: String
    /// The lead's outcome columns: status, outcome_status, reason, revenue_cents, payout_cents,
    /// buyer, finished_at, elapsed_us, records.
    let finished: StatementArguments
    let sales: [StatementArguments]
    let ledger: [StatementArguments]
    /// The sales as the chain seals them, and the ledger entries (sealed once they have ids).
    let chainedSales: [ChainRecord]
    let entries: [LedgerEntry]
    let usageIncrements: [(key: UsageKey, cents: Int64)]
    let rollup: RollupDelta
    /// The outcome's webhook messages (usually none).
    let outbox: WebhookOutboxWrite

    init(_ outcome: LeadOutcome, sellerID: String) {
        let (leadID, at) = (outcome.leadID, outcome.finishedAt.milliseconds)
        self.leadID = leadID
        finished = [
            outcome.status.rawValue, outcome.status.rawValue, outcome.reason, outcome.revenue.cents, outcome.payout.cents,
            outcome.sales.first?.campaignID, at, outcome.elapsedMicros,
            Data(LeadRecordsCodec.encode(outcome)),
        ]
        sales = outcome.sales.enumerated().map { Self.sale($1, leadID: leadID, sellerID: sellerID, seq: $0, at: at) }
        chainedSales = outcome.sales.enumerated().map { seq, sale in
            .sale(ChainRecord.Sale(sale, leadID: leadID, seq: seq, sellerID: sellerID, at: outcome.finishedAt))
        }
        entries = outcome.sales.flatMap { sale in LedgerEntry.forSale(sale, leadID: leadID, sellerID: sellerID, at: outcome.finishedAt) }
        ledger = entries.map(Self.ledgerRow)
        usageIncrements = outcome.sales.filter(\.hold.counts).flatMap { sale in
            UsageKey.all(for: sale.hold).map { (key: $0, cents: sale.price.cents) }
        }
        rollup = RollupDelta(outcome)
        outbox = WebhookOutboxWrite(outcome.webhooks)
    }

    private static func sale(_ sale: Sale, leadID: String, sellerID: String, seq: Int, at: Int64) -> StatementArguments {
        [
            leadID, seq, sale.campaignID, sale.buyerID, sellerID, sale.price.cents, sale.payout.cents, sale.margin.cents,
            sale.buyerLeadID, sale.hold.periods.day.daysSinceEpoch, sale.hold.counts, at, sale.returnWindowDays,
        ]
    }

    private static func ledgerRow(_ entry: LedgerEntry) -> StatementArguments {
        [entry.leadID, entry.campaignID, entry.account, entry.amount.cents, entry.kind.rawValue, entry.at.milliseconds]
    }

    // MARK: Writing

    /// Writes everything and links the sales and ledger entries into the chain (sealed at
    /// `sealedAt`); runs inside the shared transaction. The cap usage of counted sales and the
    /// report rollups of a non-test lead are added to `totals` last, once nothing can fail.
    func run(_ db: Database, totals: BatchTotals, sealedAt: Timestamp) throws {
        let (test, group) = try claimLead(db)
        try db.cachedStatement(
            sql: """
                UPDATE leads SET status = ?, outcome_status = ?, reason = ?, revenue_cents = ?, payout_cents = ?, buyer = ?,
                    finished_at = ?, elapsed_us = ?, records = ? WHERE id = ?
                """
        ).execute(arguments: finished + [leadID])
        try SQLiteChain.append(try writeRecords(db, test: test), at: sealedAt, db: db)
        try outbox.run(db)
        try db.cachedStatement(sql: "DELETE FROM postings WHERE lead_id = ?").execute(arguments: [leadID])
        totals.addSale(usageIncrements)
        if !test { totals.add(rollup, group: group) }
    }

    /// Writes the sales and (unless a test) their ledger entries; returns them as the chain
    /// seals them.
    func writeRecords(_ db: Database, test: Bool) throws -> [ChainRecord] {
        try insert(db, sales, sql: Self.insertSale)
        guard !test else { return chainedSales }
        return chainedSales + (try insertEntries(db, statement: db.cachedStatement(sql: Self.insertLedger)))
    }

    /// Writes the ledger entries with a statement; returns them as the chain seals them.
    func insertEntries(_ db: Database, statement: Statement) throws -> [ChainRecord] {
        try zip(entries, ledger).map { entry, arguments -> ChainRecord in
            statement.setUncheckedArguments(arguments)
            try statement.execute()
            return .ledger(ChainRecord.Ledger(id: db.lastInsertedRowID, entry))
        }
    }

    /// Checks the lead exists and has no outcome yet; returns whether it is a test, and its
    /// rollup group.
    private func claimLead(_ db: Database) throws -> (test: Bool, group: LeadGroup) {
        let statement = try db.cachedStatement(
            sql: "SELECT test, outcome_status IS NOT NULL, received_at, seller_id, source, vertical FROM leads WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [leadID]) else { throw StorageError.notFound(leadID) }
        if row[1] as Bool { throw StorageError.conflict(leadID) }
        return (row[0], LeadGroup(receivedAt: row[2], sellerID: row[3], source: row[4], vertical: row[5]))
    }

    private func insert(_ db: Database, _ rows: [StatementArguments], sql: String) throws {
        guard !rows.isEmpty else { return }
        let statement = try db.cachedStatement(sql: sql)
        for arguments in rows {
            statement.setUncheckedArguments(arguments)
            try statement.execute()
        }
    }

    static let insertSale = """
        INSERT INTO sales (lead_id, seq, campaign_id, buyer_id, seller_id, price_cents, payout_cents, margin_cents,
            buyer_lead_id, period_day, counted, at, return_window_days)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let insertLedger = """
        INSERT INTO ledger (lead_id, campaign_id, account, amount_cents, kind, at) VALUES (?, ?, ?, ?, ?, ?)
        """

}
