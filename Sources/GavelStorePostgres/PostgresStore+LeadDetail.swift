import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// A lead with its current status and its outcome (`nil` while pending).
    public func lead(id: String) async throws -> LeadDetail? {
        try await withConnection { connection in
            try await PostgresLeadReader(connection: connection, leadID: id, logger: self.logger).detail()
        }
    }
}

/// Rebuilds a lead and its outcome from its rows, on one connection.
struct PostgresLeadReader {
    let connection: PostgresConnection
    let leadID: String
    let logger: Logger

    /// The lead, or `nil` when there is none.
    func detail() async throws -> LeadDetail? {
        let rows = try await connection.all(
            """
            SELECT id, seller_id, vertical, source, test, fields, consent, contacts, received_at, ping_id,
                status, outcome_status, reason, finished_at, elapsed_us, auction_note, erased_at
            FROM leads WHERE id = \(leadID)
            """, logger: logger)
        guard let row = rows.first else { return nil }
        let c = try row.decode(
            (
                String, String, String, String, Bool, String, String, String, Int64, String?, String, String?, String?, Int64?, Int64,
                String?,
                Int64?
            )
            .self)
        let lead = Lead(
            id: c.0, sellerID: c.1, vertical: c.2, source: c.3, test: c.4, fields: try StoredJSON.object(c.5, what: "lead fields"),
            consent: try StoredJSON.value(c.6, what: "lead consent"), receivedAt: Timestamp(milliseconds: c.8), pingID: c.9,
            contactKeys: try ContactKeys.stored(c.7), erasedAt: c.16.map { Timestamp(milliseconds: $0) })
        guard let status = LeadStatus(rawValue: c.10) else { throw corrupt("status") }
        return LeadDetail(
            lead: lead, outcome: try await outcome(status: c.11, reason: c.12, finishedAt: c.13, elapsed: c.14, note: c.15), status: status)
    }

    private func outcome(
        status name: String?, reason: String?, finishedAt: Int64?, elapsed: Int64, note: String?
    ) async throws
        -> LeadOutcome?
    {
        guard let name else { return nil }
        guard let status = LeadStatus(rawValue: name) else { throw corrupt("outcome_status") }
        return LeadOutcome(
            leadID: leadID, status: status, reason: reason, sales: try await sales(), pings: try await pings(), posts: try await posts(),
            skips: try await skips(), finishedAt: Timestamp(milliseconds: finishedAt ?? 0), elapsedMicros: elapsed,
            note: note.flatMap { AuctionNote(text: $0) })
    }

    private func pings() async throws -> [PingRecord] {
        let rows = try await connection.all(
            """
            SELECT campaign_id, buyer_id, kind, bid_cents, effective_cents, bid_id, latency_us, detail
            FROM pings WHERE lead_id = \(leadID) ORDER BY seq
            """, logger: logger
        ).map { try $0.decode((String, String, String, Int64?, Int64?, String?, Int64, String?).self) }
        return try rows.map { row in
            guard let kind = PingAnswer.Kind(rawValue: row.2) else { throw corrupt("ping kind") }
            let answer = PingAnswer(kind: kind, bid: money(row.3), bidID: row.5, latencyMicros: row.6, detail: row.7)
            return PingRecord(campaignID: row.0, buyerID: row.1, answer: answer, effectiveBid: money(row.4))
        }
    }

    private func posts() async throws -> [PostRecord] {
        let rows = try await connection.all(
            """
            SELECT campaign_id, buyer_id, price_cents, origin, outcome, reason, buyer_lead_id, latency_us, at
            FROM posts WHERE lead_id = \(leadID) ORDER BY seq
            """, logger: logger
        ).map { try $0.decode((String, String, Int64, String, String, String?, String?, Int64, Int64).self) }
        return try rows.map { row in
            guard let origin = Offer.Origin(rawValue: row.3), let outcome = PostAnswer.Outcome(rawValue: row.4) else {
                throw corrupt("post")
            }
            return PostRecord(
                campaignID: row.0, buyerID: row.1, price: Money(cents: row.2), origin: origin, outcome: outcome, reason: row.5,
                buyerLeadID: row.6, latencyMicros: row.7, at: Timestamp(milliseconds: row.8))
        }
    }

    private func skips() async throws -> [SkipRecord] {
        let rows = try await connection.all(
            "SELECT campaign_id, reason FROM skips WHERE lead_id = \(leadID) ORDER BY seq", logger: logger
        ).map { try $0.decode((String, String).self) }
        return try rows.map { row in
            guard let reason = SkipReason(rawValue: row.1) else { throw corrupt("skip reason") }
            return SkipRecord(campaignID: row.0, reason: reason)
        }
    }

    /// Sales, each with a reconstructed cap hold: the campaign's caps are not stored, so the
    /// hold carries default caps, the periods the sale counted in, and no credit limit.
    private func sales() async throws -> [Sale] {
        let rows = try await connection.all(
            """
            SELECT campaign_id, buyer_id, price_cents, payout_cents, buyer_lead_id, period_day, counted, return_window_days
            FROM sales WHERE lead_id = \(leadID) ORDER BY seq
            """, logger: logger
        ).map { try $0.decode((String, String, Int64, Int64, String?, Int32, Bool, Int32).self) }
        return rows.map { row in
            let price = Money(cents: row.2)
            let hold = CapHold(
                campaignID: row.0, buyerID: row.1, caps: Campaign.Caps(), periods: CapPeriods(date: CivilDate(daysSinceEpoch: Int(row.5))),
                price: price, balanceLimit: nil, counts: row.6)
            return Sale(
                campaignID: row.0, buyerID: row.1, price: price, payout: Money(cents: row.3), buyerLeadID: row.4, hold: hold,
                returnWindowDays: Int(row.7))
        }
    }

    private func money(_ cents: Int64?) -> Money? {
        cents.map { Money(cents: $0) }
    }

    private func corrupt(_ what: String) -> StorageError {
        .unavailable("stored lead \(leadID) has an unreadable \(what)")
    }
}
