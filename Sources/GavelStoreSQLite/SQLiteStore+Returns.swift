import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// Returns a lead, in one write: only the buyer that bought it (a test lead has no charge to
    /// return: `notFound`), before its sale's return window closes, within the buyer's return
    /// rate, once. An approved return marks the sale returned with its reason, writes the three
    /// reversing ledger entries (kind `return`), reduces the buyer's unpaid balance by the price
    /// and updates the report rollups of the lead's arrival hour. Cap usage is not given back.
    public func recordReturn(_ request: ReturnRequest) async throws -> ReturnResult {
        try await seedBalance(request.buyerID)
        let (totals, usage, now) = (totals, usage, clock.now())
        return try await write(
            { db in
                try ReturnWrite(request: request, sealedAt: now).run(db, totals: totals)
            },
            afterCommit: { result in
                guard case .approved(let refund) = result else { return }
                usage.withLock { $0.adjustBalance(buyerID: request.buyerID, by: -refund) }
            })
    }

    /// Records a conversion of a lead the buyer bought, once per lead and buyer; `value` is
    /// kept for quality reporting.
    public func recordConversion(
        leadID: String, buyerID: String, value: Money?, at: Timestamp, webhooks: WebhookFanOut
    ) async throws
        -> ConversionResult
    {
        let totals = totals
        return try await write { db in
            guard let sale = try SaleRow.find(db, leadID: leadID, buyerID: buyerID) else { return .notFound }
            try db.cachedStatement(
                sql: """
                    INSERT INTO conversions (lead_id, buyer_id, campaign_id, value_cents, at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """
            ).execute(arguments: [leadID, buyerID, sale.campaignID, value?.cents, at.milliseconds])
            guard db.changesCount > 0 else { return .alreadyRecorded }
            if !sale.test {
                let delta = RollupDelta.both(RollupCounters(conversions: 1), campaignID: sale.campaignID, buyerID: buyerID)
                totals.add(delta, group: sale.group)
            }
            try WebhookOutboxWrite(webhooks.conversionMessages(sale.sold, value: value, at: at)).run(db)
            return .recorded
        }
    }

    /// Records a buyer's payment: ledger entries `buyer:<id>` −amount and `cash` +amount (kind
    /// `payment`, no lead or campaign), and reduces the buyer's unpaid balance by the amount
    /// (not below zero).
    public func recordPayment(buyerID: String, amount: Money, at: Timestamp) async throws {
        try await seedBalance(buyerID)
        let usage = usage
        let entries = LedgerEntry.forPayment(buyerID: buyerID, amount: amount, at: at)
        let (totals, now) = (totals, clock.now())
        try await write(
            { db in
                try Self.insertLedger(entries, sealedAt: now, db: db)
                totals.add(usage: Self.balanceReduction(buyerID: buyerID, by: amount))
            },
            afterCommit: { _ in
                usage.withLock { $0.adjustBalance(buyerID: buyerID, by: -amount) }
            })
    }

    /// Makes sure the book holds a buyer's balance before a write changes it, so that the
    /// change can be applied to the book after the commit.
    func seedBalance(_ buyerID: String) async throws {
        _ = try await balances(buyerIDs: [buyerID])
    }

    /// Writes ledger entries and links them into the chain.
    static func insertLedger(_ entries: [LedgerEntry], sealedAt: Timestamp, db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO ledger (lead_id, campaign_id, account, amount_cents, kind, at) VALUES (?, ?, ?, ?, ?, ?)")
        let sealed = try entries.map { entry -> ChainRecord in
            try statement.execute(arguments: [
                entry.leadID, entry.campaignID, entry.account, entry.amount.cents, entry.kind.rawValue, entry.at.milliseconds,
            ])
            return .ledger(ChainRecord.Ledger(id: db.lastInsertedRowID, entry))
        }
        try SQLiteChain.append(sealed, at: sealedAt, db: db)
    }

    /// The usage increment reducing a buyer's persisted unpaid balance (never below zero, as
    /// the book does).
    static func balanceReduction(buyerID: String, by amount: Money) -> [UsageKey: UsageCount] {
        [.balance(buyerID): UsageCount(leads: 0, spendCents: -amount.cents)]
    }
}

/// A buyer's sale of a lead, as a return or conversion finds it: the core's ``SoldLead`` with
/// where it is stored and which report group it counts in.
struct SaleRow {
    var seq: Int64
    var sold: SoldLead
    var group: LeadGroup

    var campaignID: String { sold.campaignID }
    var test: Bool { sold.test }

    /// The buyer's sale of the lead: its first not yet returned one, else its first (`nil` when
    /// the buyer did not buy it).
    static func find(_ db: Database, leadID: String, buyerID: String) throws -> SaleRow? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT s.seq, s.campaign_id, s.seller_id, s.price_cents, s.payout_cents, s.at, s.return_window_days,
                    s.returned_at IS NOT NULL, l.test, l.received_at, l.source, l.vertical
                FROM sales s JOIN leads l ON l.id = s.lead_id
                WHERE s.lead_id = ? AND s.buyer_id = ? ORDER BY s.returned_at IS NOT NULL, s.seq LIMIT 1
                """)
        return try Row.fetchOne(statement, arguments: [leadID, buyerID]).map { SaleRow($0, leadID: leadID, buyerID: buyerID) }
    }

    private init(_ row: Row, leadID: String, buyerID: String) {
        seq = row[0]
        sold = SoldLead(
            leadID: leadID, buyerID: buyerID, campaignID: row[1], sellerID: row[2], price: Money(cents: row[3]),
            payout: Money(cents: row[4]), soldAt: Timestamp(milliseconds: row[5]), returnWindowDays: row[6], returned: row[7],
            test: row[8])
        group = LeadGroup(receivedAt: row[9], sellerID: sold.sellerID, source: row[10], vertical: row[11])
    }
}

/// One return request, decided by the ``ReturnPolicy`` and written inside a write.
struct ReturnWrite {
    let request: ReturnRequest
    /// When its entries are linked into the chain.
    let sealedAt: Timestamp

    func run(_ db: Database, totals: BatchTotals) throws -> ReturnResult {
        let row = try SaleRow.find(db, leadID: request.leadID, buyerID: request.buyerID)
        let counts = ReturnPolicy.needsCounts(request, sold: row?.sold) ? try rateCounts(db) : nil
        let result: ReturnResult
        switch ReturnPolicy.decide(request, sold: row?.sold, counts: counts) {
        case .refuse(let refusal):
            result = refusal
        case .approve(let refund, let entries):
            guard let row else { return .notFound }
            try approve(row, refund: refund, entries: entries, db: db, totals: totals)
            result = .approved(refund: refund)
        }
        try WebhookOutboxWrite(request.webhooks.returnMessages(request, sold: row?.sold, result: result)).run(db)
        return result
    }

    /// Marks the sale returned, writes the reversing entries and the report and balance changes.
    private func approve(_ row: SaleRow, refund: Money, entries: [LedgerEntry], db: Database, totals: BatchTotals) throws {
        try SQLiteStore.insertLedger(entries, sealedAt: sealedAt, db: db)
        try db.cachedStatement(sql: "UPDATE sales SET returned_at = ?, return_reason = ? WHERE lead_id = ? AND seq = ?")
            .execute(arguments: [request.at.milliseconds, request.reason, request.leadID, row.seq])
        let counters = RollupCounters.returned(priceCents: row.sold.price.cents, payoutCents: row.sold.payout.cents)
        totals.add(.both(counters, campaignID: row.campaignID, buyerID: request.buyerID), group: row.group)
        totals.add(usage: SQLiteStore.balanceReduction(buyerID: request.buyerID, by: refund))
    }

    /// The buyer's returns and counted sales in the policy's rate window.
    private func rateCounts(_ db: Database) throws -> ReturnPolicy.RateCounts {
        let window = ReturnPolicy.rateWindow(request)
        let (from, to) = (window.from.milliseconds, window.through.milliseconds)
        let returns =
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM sales WHERE buyer_id = ? AND returned_at > ? AND returned_at <= ?"),
                arguments: [request.buyerID, from, to]) ?? 0
        let sales =
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM sales WHERE buyer_id = ? AND at > ? AND at <= ? AND counted = 1"),
                arguments: [request.buyerID, from, to]) ?? 0
        return ReturnPolicy.RateCounts(returns: returns, sales: sales)
    }
}
