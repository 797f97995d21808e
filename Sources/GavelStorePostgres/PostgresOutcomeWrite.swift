import GavelCore
import GavelStoreSupport
import PostgresNIO

/// A lead's outcome as one statement: the lead's row is claimed (`outcome_status IS NULL`)
/// and updated, its pings, posts, skips, sales, ledger entries (not for a test lead) and report
/// deltas (not for a test lead) are inserted from JSON record sets, its posting markers are
/// cleared, its webhook messages are written to the outbox (usually none), and each counted
/// sale is settled against this node's cap hold (`gavel_settle`) — all or nothing, in one
/// round trip. The statement returns one row when the lead was claimed.
struct PostgresOutcomeWrite: Sendable {
    let outcome: LeadOutcome
    let sellerID: String
    let nodeID: String

    /// The statement.
    var query: PostgresQuery {
        let (id, at, sales) = (outcome.leadID, outcome.finishedAt.milliseconds, sales)
        return """
            WITH lead AS (
                UPDATE leads SET status = \(outcome.status.rawValue), outcome_status = \(outcome.status.rawValue),
                    reason = \(outcome.reason), revenue_cents = \(outcome.revenue.cents), payout_cents = \(outcome.payout.cents),
                    buyer = \(outcome.sales.first?.campaignID), finished_at = \(at), elapsed_us = \(outcome.elapsedMicros),
                    auction_note = \(outcome.note?.text)
                WHERE id = \(id) AND outcome_status IS NULL
                RETURNING test, received_at, seller_id, source, vertical),
            pinged AS (
                INSERT INTO pings (lead_id, seq, campaign_id, buyer_id, kind, bid_cents, effective_cents, bid_id, latency_us, detail, at)
                SELECT \(id), r.seq, r.campaign_id, r.buyer_id, r.kind, r.bid_cents, r.effective_cents, r.bid_id, r.latency_us,
                    r.detail, \(at)
                FROM lead, json_to_recordset(\(pings)::json) AS r (seq INTEGER, campaign_id TEXT, buyer_id TEXT, kind TEXT,
                    bid_cents BIGINT, effective_cents BIGINT, bid_id TEXT, latency_us BIGINT, detail TEXT)),
            posted AS (
                INSERT INTO posts (lead_id, seq, campaign_id, buyer_id, price_cents, origin, outcome, reason, buyer_lead_id,
                    latency_us, at)
                SELECT \(id), r.seq, r.campaign_id, r.buyer_id, r.price_cents, r.origin, r.outcome, r.reason, r.buyer_lead_id,
                    r.latency_us, r.at
                FROM lead, json_to_recordset(\(posts)::json) AS r (seq INTEGER, campaign_id TEXT, buyer_id TEXT, price_cents BIGINT,
                    origin TEXT, outcome TEXT, reason TEXT, buyer_lead_id TEXT, latency_us BIGINT, at BIGINT)),
            skipped AS (
                INSERT INTO skips (lead_id, seq, campaign_id, reason)
                SELECT \(id), r.seq, r.campaign_id, r.reason
                FROM lead, json_to_recordset(\(skips)::json) AS r (seq INTEGER, campaign_id TEXT, reason TEXT)),
            sold AS (
                INSERT INTO sales (lead_id, seq, campaign_id, buyer_id, seller_id, price_cents, payout_cents, margin_cents,
                    buyer_lead_id, period_day, counted, at, return_window_days)
                SELECT \(id), r.seq, r.campaign_id, r.buyer_id, \(sellerID), r.price_cents, r.payout_cents, r.margin_cents,
                    r.buyer_lead_id, r.period_day, r.counted, \(at), r.return_window_days
                FROM lead, json_to_recordset(\(sales)::json) AS r (\(unescaped: Self.saleColumns))),
            booked AS (
                INSERT INTO ledger (lead_id, campaign_id, account, amount_cents, kind, at)
                SELECT \(id), r.campaign_id, r.account, r.amount_cents, 'sale', \(at)
                FROM lead, json_to_recordset(\(ledger)::json) AS r (campaign_id TEXT, account TEXT, amount_cents BIGINT, n BIGINT)
                WHERE NOT lead.test ORDER BY r.n),
            unmarked AS (
                DELETE FROM postings WHERE lead_id = \(id) AND EXISTS (SELECT 1 FROM lead)),
            rolled AS (
                INSERT INTO rollup_deltas (\(unescaped: PostgresRollupDeltas.columns))
                SELECT \(unescaped: PostgresRollupDeltas.selectList(lead: "lead"))
                FROM lead, json_to_recordset(\(rollups)::json) AS r (\(unescaped: PostgresRollupDeltas.recordDefinition))
                WHERE NOT lead.test),
            outbox AS (
                SELECT r.* FROM lead, json_to_recordset(\(webhooks)::json) AS r (\(unescaped: PostgresWebhookOutbox.recordDefinition))),
            \(unescaped: PostgresWebhookOutbox.insert)
            SELECT (SELECT count(gavel_settle(\(nodeID), s.campaign_id, s.buyer_id, s.day_key, s.week_key, s.month_key,
                s.hold_price_cents, s.price_cents))
                FROM json_to_recordset(\(sales)::json) AS s (\(unescaped: Self.saleColumns)) WHERE s.counted)
            FROM lead
            """
    }

    /// The statement, prepared once per connection (its text never changes; only its binds
    /// do), so the server plans it once instead of at every sale.
    enum Prepared: FixedStatement {
        static let name = "gavel_outcome"
        static let sql = template(
            PostgresOutcomeWrite(
                outcome: LeadOutcome(leadID: "", status: .unsold, finishedAt: Timestamp(milliseconds: 0)), sellerID: "", nodeID: ""))

        static func query(_ write: PostgresOutcomeWrite) -> PostgresQuery { write.query }
    }

    private static let saleColumns = """
        seq INTEGER, campaign_id TEXT, buyer_id TEXT, price_cents BIGINT, payout_cents BIGINT, margin_cents BIGINT,
        buyer_lead_id TEXT, period_day INTEGER, counted BOOLEAN, return_window_days INTEGER, day_key TEXT, week_key TEXT,
        month_key TEXT, hold_price_cents BIGINT
        """

    // MARK: Record sets

    private var pings: String { Self.recordSet(Self.pingRecords(outcome)) }
    private var posts: String { Self.recordSet(Self.postRecords(outcome)) }
    private var skips: String { Self.recordSet(Self.skipRecords(outcome)) }
    private var sales: String { Self.recordSet(Self.saleRecords(outcome)) }
    private var ledger: String { Self.recordSet(Self.ledgerRecords(outcome, sellerID: sellerID)) }

    /// The outcome's webhook messages.
    private var webhooks: String { PostgresWebhookOutbox.records(outcome.webhooks) }

    /// The report deltas of the outcome.
    private var rollups: String {
        PostgresRollupDeltas.records(RollupDelta(outcome))
    }

    /// The pings as records (each with its `lead_id`).
    static func pingRecords(_ outcome: LeadOutcome) -> [[String: JSONValue]] {
        outcome.pings.enumerated().map { seq, record in
            let answer = record.answer
            return [
                "lead_id": .string(outcome.leadID), "seq": .integer(Int64(seq)), "campaign_id": .string(record.campaignID),
                "buyer_id": .string(record.buyerID), "kind": .string(answer.kind.rawValue), "bid_cents": cents(answer.bid),
                "effective_cents": cents(record.effectiveBid), "bid_id": text(answer.bidID), "latency_us": .integer(answer.latencyMicros),
                "detail": text(answer.detail), "at": .integer(outcome.finishedAt.milliseconds),
            ]
        }
    }

    /// The posts as records.
    static func postRecords(_ outcome: LeadOutcome) -> [[String: JSONValue]] {
        outcome.posts.enumerated().map { seq, record in
            [
                "lead_id": .string(outcome.leadID), "seq": .integer(Int64(seq)), "campaign_id": .string(record.campaignID),
                "buyer_id": .string(record.buyerID), "price_cents": .integer(record.price.cents), "origin": .string(record.origin.rawValue),
                "outcome": .string(record.outcome.rawValue), "reason": text(record.reason), "buyer_lead_id": text(record.buyerLeadID),
                "latency_us": .integer(record.latencyMicros), "at": .integer(record.at.milliseconds),
            ]
        }
    }

    /// The skips as records.
    static func skipRecords(_ outcome: LeadOutcome) -> [[String: JSONValue]] {
        outcome.skips.enumerated().map { seq, record in
            [
                "lead_id": .string(outcome.leadID), "seq": .integer(Int64(seq)), "campaign_id": .string(record.campaignID),
                "reason": .string(record.reason.rawValue),
            ]
        }
    }

    /// The sales as records, with the usage keys and price of their holds.
    static func saleRecords(_ outcome: LeadOutcome) -> [[String: JSONValue]] {
        outcome.sales.enumerated().map { seq, sale in
            let periods = sale.hold.periods
            return [
                "lead_id": .string(outcome.leadID), "seq": .integer(Int64(seq)), "campaign_id": .string(sale.campaignID),
                "buyer_id": .string(sale.buyerID), "price_cents": .integer(sale.price.cents), "payout_cents": .integer(sale.payout.cents),
                "margin_cents": .integer(sale.margin.cents), "buyer_lead_id": text(sale.buyerLeadID),
                "period_day": .integer(Int64(periods.day.daysSinceEpoch)), "counted": .bool(sale.hold.counts),
                "return_window_days": .integer(Int64(sale.returnWindowDays)), "day_key": .string(periods.dayKey),
                "week_key": .string(periods.weekKey), "month_key": .string(periods.monthKey),
                "hold_price_cents": .integer(sale.hold.price.cents), "at": .integer(outcome.finishedAt.milliseconds),
            ]
        }
    }

    /// The sales' ledger entries as records.
    static func ledgerRecords(_ outcome: LeadOutcome, sellerID: String) -> [[String: JSONValue]] {
        let entries = outcome.sales.flatMap { LedgerEntry.forSale($0, leadID: outcome.leadID, sellerID: sellerID, at: outcome.finishedAt) }
        return entries.map { entry in
            [
                "lead_id": .string(entry.leadID), "campaign_id": .string(entry.campaignID), "account": .string(entry.account),
                "amount_cents": .integer(entry.amount.cents), "at": .integer(entry.at.milliseconds),
            ]
        }
    }

    /// Records as a JSON array, each numbered in order (`n`, from 1, unless it has its own) so
    /// an insert can keep their order (`ORDER BY r.n`). Written straight to text, members in
    /// no particular order (`json_to_recordset` reads them by name): no copies of the records
    /// and no sorting of their keys.
    static func recordSet(_ records: [[String: JSONValue]], numbered: Bool = true) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(records.count * 256 + 2)
        for (index, record) in records.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in record {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                JSONWriter.write(value, into: &out)
            }
            if numbered, record["n"] == nil {
                out.append(contentsOf: (first ? "\"n\":\(index + 1)" : ",\"n\":\(index + 1)").utf8)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    static func cents(_ money: Money?) -> JSONValue {
        money.map { .integer($0.cents) } ?? .null
    }

    static func text(_ value: String?) -> JSONValue {
        value.map(JSONValue.string) ?? .null
    }
}
