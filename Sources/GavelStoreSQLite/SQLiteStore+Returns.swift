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
        let (totals, usage) = (totals, usage)
        return try await write({ db in
            try ReturnWrite(request: request).run(db, totals: totals)
        }, afterCommit: { result in
            guard case .approved(let refund) = result else { return }
            usage.withLock { $0.adjustBalance(buyerID: request.buyerID, by: -refund) }
        })
    }

    /// Records a conversion of a lead the buyer bought, once per lead and buyer; `value` is
    /// kept for quality reporting.
    public func recordConversion(leadID: String, buyerID: String, value: Money?, at: Timestamp) async throws -> ConversionResult {
        let totals = totals
        return try await write { db in
            guard let sale = try SoldLead.find(db, leadID: leadID, buyerID: buyerID) else { return .notFound }
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
            return .recorded
        }
    }

    /// Records a buyer's payment: ledger entries `buyer:<id>` −amount and `cash` +amount (kind
    /// `payment`, no lead or campaign), and reduces the buyer's unpaid balance by the amount
    /// (not below zero).
    public func recordPayment(buyerID: String, amount: Money, at: Timestamp) async throws {
        try await seedBalance(buyerID)
        let usage = usage
        let entries = [
            LedgerEntry(leadID: "", campaignID: "", account: "buyer:" + buyerID, amount: -amount, kind: .payment, at: at),
            LedgerEntry(leadID: "", campaignID: "", account: "cash", amount: amount, kind: .payment, at: at),
        ]
        let totals = totals
        try await write({ db in
            try Self.insertLedger(entries, db: db)
            totals.add(usage: Self.balanceReduction(buyerID: buyerID, by: amount))
        }, afterCommit: { _ in
            usage.withLock { $0.adjustBalance(buyerID: buyerID, by: -amount) }
        })
    }

    /// Makes sure the book holds a buyer's balance before a write changes it, so that the
    /// change can be applied to the book after the commit.
    func seedBalance(_ buyerID: String) async throws {
        _ = try await balances(buyerIDs: [buyerID])
    }

    /// Writes ledger entries.
    static func insertLedger(_ entries: [LedgerEntry], db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO ledger (lead_id, campaign_id, account, amount_cents, kind, at) VALUES (?, ?, ?, ?, ?, ?)")
        for entry in entries {
            try statement.execute(arguments: [
                entry.leadID, entry.campaignID, entry.account, entry.amount.cents, entry.kind.rawValue, entry.at.milliseconds,
            ])
        }
    }

    /// The usage increment reducing a buyer's persisted unpaid balance (never below zero, as
    /// the book does).
    static func balanceReduction(buyerID: String, by amount: Money) -> [UsageKey: UsageCount] {
        [.balance(buyerID): UsageCount(leads: 0, spendCents: -amount.cents)]
    }
}

/// A buyer's sale of a lead, as a return or conversion finds it.
struct SoldLead {
    var seq: Int64
    var campaignID: String
    var sellerID: String
    var price: Money
    var payout: Money
    var soldAt: Int64
    var returnWindowDays: Int
    var returned: Bool
    var test: Bool
    var group: LeadGroup

    /// The buyer's sale of the lead: its first not yet returned one, else its first (`nil` when
    /// the buyer did not buy it).
    static func find(_ db: Database, leadID: String, buyerID: String) throws -> SoldLead? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT s.seq, s.campaign_id, s.seller_id, s.price_cents, s.payout_cents, s.at, s.return_window_days,
                    s.returned_at IS NOT NULL, l.test, l.received_at, l.source, l.vertical
                FROM sales s JOIN leads l ON l.id = s.lead_id
                WHERE s.lead_id = ? AND s.buyer_id = ? ORDER BY s.returned_at IS NOT NULL, s.seq LIMIT 1
                """)
        return try Row.fetchOne(statement, arguments: [leadID, buyerID]).map(SoldLead.init)
    }

    private init(_ row: Row) {
        seq = row[0]
        campaignID = row[1]
        sellerID = row[2]
        price = Money(cents: row[3])
        payout = Money(cents: row[4])
        soldAt = row[5]
        returnWindowDays = row[6]
        returned = row[7]
        test = row[8]
        group = LeadGroup(receivedAt: row[9], sellerID: sellerID, source: row[10], vertical: row[11])
    }

    /// The sale as the exchange recorded it (cap details are not needed to reverse it).
    func sale(buyerID: String) -> Sale {
        let hold = CapHold(
            campaignID: campaignID, buyerID: buyerID, caps: Campaign.Caps(), periods: CapPeriods(date: CivilDate(daysSinceEpoch: 0)),
            price: price, balanceLimit: nil, counts: !test)
        return Sale(
            campaignID: campaignID, buyerID: buyerID, price: price, payout: payout, buyerLeadID: nil, hold: hold,
            returnWindowDays: returnWindowDays)
    }
}

/// One return request, decided and written inside a write.
struct ReturnWrite {
    let request: ReturnRequest

    static let millisecondsPerDay: Int64 = 86_400_000

    func run(_ db: Database, totals: BatchTotals) throws -> ReturnResult {
        guard let sold = try SoldLead.find(db, leadID: request.leadID, buyerID: request.buyerID), !sold.test else { return .notFound }
        if sold.returned { return .alreadyReturned }
        if let reason = try denial(sold, db: db) { return .denied(reason: reason) }
        try approve(sold, db: db)
        let counters = RollupCounters.returned(priceCents: sold.price.cents, payoutCents: sold.payout.cents)
        totals.add(.both(counters, campaignID: sold.campaignID, buyerID: request.buyerID), group: sold.group)
        totals.add(usage: SQLiteStore.balanceReduction(buyerID: request.buyerID, by: sold.price))
        return .approved(refund: sold.price)
    }

    private func denial(_ sold: SoldLead, db: Database) throws -> String? {
        let closes = sold.soldAt + Int64(sold.returnWindowDays) * Self.millisecondsPerDay
        if request.at.milliseconds >= closes { return "outside_return_window" }
        if let limit = request.maxReturnRate, try exceeds(limit, db: db) { return "return_rate_exceeded" }
        return nil
    }

    /// Whether this return would lift the buyer's returns ÷ sales over the 30 days up to the
    /// request (`(at − 30 days, at]`, so returns made at the same moment count) above the
    /// limit; test sales are not counted.
    private func exceeds(_ limit: Rate, db: Database) throws -> Bool {
        let (from, to) = (request.at.minus(days: 30).milliseconds, request.at.milliseconds)
        let returns = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM sales WHERE buyer_id = ? AND returned_at > ? AND returned_at <= ?"),
            arguments: [request.buyerID, from, to]) ?? 0
        let sales = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM sales WHERE buyer_id = ? AND at > ? AND at <= ? AND counted = 1"),
            arguments: [request.buyerID, from, to]) ?? 0
        // (returns + 1) / sales > limit, in exact integers.
        return Int64(returns + 1) * 1_000_000 > limit.micros * Int64(sales)
    }

    private func approve(_ sold: SoldLead, db: Database) throws {
        let sale = sold.sale(buyerID: request.buyerID)
        let charged = LedgerEntry.forSale(sale, leadID: request.leadID, sellerID: sold.sellerID, at: Timestamp(milliseconds: sold.soldAt))
        try SQLiteStore.insertLedger(LedgerEntry.reversing(charged, at: request.at), db: db)
        try db.cachedStatement(sql: "UPDATE sales SET returned_at = ?, return_reason = ? WHERE lead_id = ? AND seq = ?")
            .execute(arguments: [request.at.milliseconds, request.reason, request.leadID, sold.seq])
    }
}
