import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    static let millisecondsPerDay: Int64 = 86_400_000

    /// Returns a lead, in one transaction: only the buyer that bought it (a test lead has no
    /// charge to return: `notFound`), before its sale's return window closes, within the
    /// buyer's return rate, once. The buyer's balance row is locked first, so a buyer's returns
    /// are decided one at a time on every node (the rate counts each earlier one), and the sale
    /// row is locked (`FOR UPDATE`), so a lead is returned once however many ask at once. An
    /// approved return marks the sale returned with its reason, writes the three reversing
    /// ledger entries (kind `return`), reduces the buyer's unpaid balance by the price (not
    /// below zero) and adds its report deltas. Cap usage is not given back.
    public func recordReturn(_ request: ReturnRequest) async throws -> ReturnResult {
        try await transaction { connection in
            try await lockBalance(buyerID: request.buyerID, on: connection)
            guard let sold = try await PostgresSoldLead.find(leadID: request.leadID, buyerID: request.buyerID, on: connection, logger: logger),
                !sold.test
            else { return .notFound }
            if sold.returned { return .alreadyReturned }
            if let reason = try await denial(request, sold, on: connection) { return .denied(reason: reason) }
            try await approve(request, sold, on: connection)
            return .approved(refund: sold.price)
        }
    }

    /// Records a conversion of a lead the buyer bought, once per lead and buyer; `value` is
    /// kept for quality reporting.
    public func recordConversion(leadID: String, buyerID: String, value: Money?, at: Timestamp) async throws -> ConversionResult {
        try await transaction { connection in
            guard let sold = try await PostgresSoldLead.find(leadID: leadID, buyerID: buyerID, on: connection, logger: logger) else {
                return .notFound
            }
            let inserted = try await connection.all(
                """
                INSERT INTO conversions (lead_id, buyer_id, campaign_id, value_cents, at)
                VALUES (\(leadID), \(buyerID), \(sold.campaignID), \(value?.cents), \(at.milliseconds))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger)
            guard !inserted.isEmpty else { return .alreadyRecorded }
            if !sold.test {
                let delta = RollupDelta.both(RollupCounters(conversions: 1), campaignID: sold.campaignID, buyerID: buyerID)
                try await addDelta(delta, leadID: leadID, on: connection)
            }
            return .recorded
        }
    }

    /// Records a buyer's payment: ledger entries `buyer:<id>` −amount and `cash` +amount (kind
    /// `payment`, no lead or campaign), and reduces the buyer's unpaid balance by the amount
    /// (not below zero: paying ahead buys no credit).
    public func recordPayment(buyerID: String, amount: Money, at: Timestamp) async throws {
        let entries = [
            LedgerEntry(leadID: "", campaignID: "", account: "buyer:" + buyerID, amount: -amount, kind: .payment, at: at),
            LedgerEntry(leadID: "", campaignID: "", account: "cash", amount: amount, kind: .payment, at: at),
        ]
        try await transaction { connection in
            try await lockBalance(buyerID: buyerID, on: connection)
            try await insertLedger(entries, on: connection)
            try await reduceBalance(buyerID: buyerID, by: amount, on: connection)
        }
    }

    // MARK: Parts

    private func denial(_ request: ReturnRequest, _ sold: PostgresSoldLead, on connection: PostgresConnection) async throws -> String? {
        let closes = sold.soldAt + Int64(sold.returnWindowDays) * Self.millisecondsPerDay
        if request.at.milliseconds >= closes { return "outside_return_window" }
        if let limit = request.maxReturnRate, try await exceeds(limit, request, on: connection) { return "return_rate_exceeded" }
        return nil
    }

    /// Whether this return would lift the buyer's returns ÷ sales over the 30 days up to and
    /// including the request's moment above the limit (test sales are not counted).
    private func exceeds(_ limit: Rate, _ request: ReturnRequest, on connection: PostgresConnection) async throws -> Bool {
        let (from, to) = (request.at.minus(days: 30).milliseconds, request.at.milliseconds)
        let rows = try await connection.all(
            """
            SELECT
                (SELECT count(*) FROM sales WHERE buyer_id = \(request.buyerID) AND returned_at > \(from) AND returned_at <= \(to)),
                (SELECT count(*) FROM sales WHERE buyer_id = \(request.buyerID) AND at > \(from) AND at <= \(to) AND counted)
            """, logger: logger)
        guard let row = rows.first else { return false }
        let (returns, sales) = try row.decode((Int64, Int64).self)
        // (returns + 1) / sales > limit, in exact integers.
        return (returns + 1) * 1_000_000 > limit.micros * sales
    }

    private func approve(_ request: ReturnRequest, _ sold: PostgresSoldLead, on connection: PostgresConnection) async throws {
        let charged = LedgerEntry.forSale(
            sold.sale(buyerID: request.buyerID), leadID: request.leadID, sellerID: sold.sellerID, at: Timestamp(milliseconds: sold.soldAt))
        try await insertLedger(LedgerEntry.reversing(charged, at: request.at), on: connection)
        try await connection.query(
            """
            UPDATE sales SET returned_at = \(request.at.milliseconds), return_reason = \(request.reason)
            WHERE lead_id = \(request.leadID) AND seq = \(sold.seq)
            """, logger: logger)
        try await reduceBalance(buyerID: request.buyerID, by: sold.price, on: connection)
        let counters = RollupCounters.returned(priceCents: sold.price.cents, payoutCents: sold.payout.cents)
        try await addDelta(.both(counters, campaignID: sold.campaignID, buyerID: request.buyerID), leadID: request.leadID, on: connection)
    }

    /// Creates the buyer's balance row if missing and locks it for the transaction.
    private func lockBalance(buyerID: String, on connection: PostgresConnection) async throws {
        let subject = "buyer:" + buyerID
        try await connection.query(
            "INSERT INTO usage (subject, period, leads, spend_cents) VALUES (\(subject), 'balance', 0, 0) ON CONFLICT DO NOTHING",
            logger: logger)
        try await connection.query("SELECT 1 FROM usage WHERE subject = \(subject) AND period = 'balance' FOR UPDATE", logger: logger)
    }

    /// Reduces a buyer's unpaid balance, never below zero.
    private func reduceBalance(buyerID: String, by amount: Money, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE usage SET spend_cents = GREATEST(0, spend_cents - \(amount.cents))
            WHERE subject = \("buyer:" + buyerID) AND period = 'balance'
            """, logger: logger)
    }

    /// Writes ledger entries in one statement, in order.
    func insertLedger(_ entries: [LedgerEntry], on connection: PostgresConnection) async throws {
        let records = PostgresOutcomeWrite.recordSet(entries.map { entry in
            [
                "lead_id": .string(entry.leadID), "campaign_id": .string(entry.campaignID), "account": .string(entry.account),
                "amount_cents": .integer(entry.amount.cents), "kind": .string(entry.kind.rawValue), "at": .integer(entry.at.milliseconds),
            ]
        })
        try await connection.query(
            """
            INSERT INTO ledger (lead_id, campaign_id, account, amount_cents, kind, at)
            SELECT r.lead_id, r.campaign_id, r.account, r.amount_cents, r.kind, r.at
            FROM json_to_recordset(\(records)::json) AS r (lead_id TEXT, campaign_id TEXT, account TEXT,
                amount_cents BIGINT, kind TEXT, at BIGINT, n BIGINT)
            ORDER BY r.n
            """, logger: logger)
    }

    /// Appends report deltas under a lead's group.
    private func addDelta(_ delta: RollupDelta, leadID: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO rollup_deltas (\(unescaped: PostgresRollupDeltas.columns))
            SELECT \(unescaped: PostgresRollupDeltas.selectList(lead: "l"))
            FROM leads l, json_to_recordset(\(PostgresRollupDeltas.records(delta))::json)
                AS r (\(unescaped: PostgresRollupDeltas.recordDefinition))
            WHERE l.id = \(leadID)
            """, logger: logger)
    }
}

/// A buyer's sale of a lead, as a return or conversion finds it (locked for the transaction).
struct PostgresSoldLead {
    var seq: Int32
    var campaignID: String
    var sellerID: String
    var price: Money
    var payout: Money
    var soldAt: Int64
    var returnWindowDays: Int
    var returned: Bool
    var test: Bool

    /// The buyer's sale of the lead: its first not yet returned one, else its first (`nil` when
    /// the buyer did not buy it).
    static func find(leadID: String, buyerID: String, on connection: PostgresConnection, logger: Logger) async throws -> PostgresSoldLead? {
        let rows = try await connection.all(
            """
            SELECT s.seq, s.campaign_id, s.seller_id, s.price_cents, s.payout_cents, s.at, s.return_window_days,
                s.returned_at IS NOT NULL, l.test
            FROM sales s JOIN leads l ON l.id = s.lead_id
            WHERE s.lead_id = \(leadID) AND s.buyer_id = \(buyerID)
            ORDER BY s.returned_at IS NOT NULL, s.seq LIMIT 1
            FOR UPDATE OF s
            """, logger: logger)
        guard let row = rows.first else { return nil }
        let c = try row.decode((Int32, String, String, Int64, Int64, Int64, Int32, Bool, Bool).self)
        return PostgresSoldLead(
            seq: c.0, campaignID: c.1, sellerID: c.2, price: Money(cents: c.3), payout: Money(cents: c.4), soldAt: c.5,
            returnWindowDays: Int(c.6), returned: c.7, test: c.8)
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
