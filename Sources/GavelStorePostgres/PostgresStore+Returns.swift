import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
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
            let row = try await PostgresSaleRow.find(leadID: request.leadID, buyerID: request.buyerID, on: connection, logger: logger)
            let counts = ReturnPolicy.needsCounts(request, sold: row?.sold) ? try await rateCounts(request, on: connection) : nil
            let result: ReturnResult
            switch ReturnPolicy.decide(request, sold: row?.sold, counts: counts) {
            case .refuse(let refusal):
                result = refusal
            case .approve(let refund, let entries):
                guard let row else { return .notFound }
                try await approve(request, row, refund: refund, entries: entries, on: connection)
                result = .approved(refund: refund)
            }
            try await insertWebhookMessages(request.webhooks.returnMessages(request, sold: row?.sold, result: result), on: connection)
            return result
        }
    }

    /// Records a conversion of a lead the buyer bought, once per lead and buyer; `value` is
    /// kept for quality reporting.
    public func recordConversion(
        leadID: String, buyerID: String, value: Money?, at: Timestamp, webhooks: WebhookFanOut
    ) async throws
        -> ConversionResult
    {
        try await transaction { connection in
            guard let sold = try await PostgresSaleRow.find(leadID: leadID, buyerID: buyerID, on: connection, logger: logger)?.sold else {
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
            try await insertWebhookMessages(webhooks.conversionMessages(sold, value: value, at: at), on: connection)
            return .recorded
        }
    }

    /// Records a buyer's payment: ledger entries `buyer:<id>` −amount and `cash` +amount (kind
    /// `payment`, no lead or campaign), and reduces the buyer's unpaid balance by the amount
    /// (not below zero: paying ahead buys no credit).
    public func recordPayment(buyerID: String, amount: Money, at: Timestamp) async throws {
        let entries = LedgerEntry.forPayment(buyerID: buyerID, amount: amount, at: at)
        try await transaction { connection in
            try await lockBalance(buyerID: buyerID, on: connection)
            try await insertLedger(entries, on: connection)
            try await reduceBalance(buyerID: buyerID, by: amount, on: connection)
        }
    }

    // MARK: Parts

    /// The buyer's returns and counted sales in the policy's rate window (test sales are not counted).
    private func rateCounts(_ request: ReturnRequest, on connection: PostgresConnection) async throws -> ReturnPolicy.RateCounts {
        let window = ReturnPolicy.rateWindow(request)
        let (from, to) = (window.from.milliseconds, window.through.milliseconds)
        let rows = try await connection.all(
            """
            SELECT
                (SELECT count(*) FROM sales WHERE buyer_id = \(request.buyerID) AND returned_at > \(from) AND returned_at <= \(to)),
                (SELECT count(*) FROM sales WHERE buyer_id = \(request.buyerID) AND at > \(from) AND at <= \(to) AND counted)
            """, logger: logger)
        guard let row = rows.first else { return ReturnPolicy.RateCounts(returns: 0, sales: 0) }
        let (returns, sales) = try row.decode((Int64, Int64).self)
        return ReturnPolicy.RateCounts(returns: Int(returns), sales: Int(sales))
    }

    /// Marks the sale returned, writes the reversing entries, reduces the balance and adds the
    /// report deltas.
    private func approve(
        _ request: ReturnRequest, _ row: PostgresSaleRow, refund: Money, entries: [LedgerEntry], on connection: PostgresConnection
    ) async throws {
        try await insertLedger(entries, on: connection)
        try await connection.query(
            """
            UPDATE sales SET returned_at = \(request.at.milliseconds), return_reason = \(request.reason)
            WHERE lead_id = \(request.leadID) AND seq = \(row.seq)
            """, logger: logger)
        try await reduceBalance(buyerID: request.buyerID, by: refund, on: connection)
        let counters = RollupCounters.returned(priceCents: row.sold.price.cents, payoutCents: row.sold.payout.cents)
        try await addDelta(
            .both(counters, campaignID: row.sold.campaignID, buyerID: request.buyerID), leadID: request.leadID, on: connection)
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
        let records = PostgresOutcomeWrite.recordSet(
            entries.map { entry in
                [
                    "lead_id": .string(entry.leadID), "campaign_id": .string(entry.campaignID), "account": .string(entry.account),
                    "amount_cents": .integer(entry.amount.cents), "kind": .string(entry.kind.rawValue),
                    "at": .integer(entry.at.milliseconds),
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

/// A buyer's sale of a lead, as a return or conversion finds it (locked for the transaction):
/// the core's ``SoldLead`` and where it is stored.
struct PostgresSaleRow {
    var seq: Int32
    var sold: SoldLead

    /// The buyer's sale of the lead: its first not yet returned one, else its first (`nil` when
    /// the buyer did not buy it).
    static func find(leadID: String, buyerID: String, on connection: PostgresConnection, logger: Logger) async throws -> PostgresSaleRow? {
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
        let sold = SoldLead(
            leadID: leadID, buyerID: buyerID, campaignID: c.1, sellerID: c.2, price: Money(cents: c.3), payout: Money(cents: c.4),
            soldAt: Timestamp(milliseconds: c.5), returnWindowDays: Int(c.6), returned: c.7, test: c.8)
        return PostgresSaleRow(seq: c.0, sold: sold)
    }
}
