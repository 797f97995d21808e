import Foundation
import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// A lead with its current status and its outcome (`nil` while pending).
    public func lead(id: String) async throws -> LeadDetail? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM leads WHERE id = ?"), arguments: [id]) else {
                return nil
            }
            return try LeadReader(db: db, leadID: id).detail(row)
        }
    }
}

/// Rebuilds a lead and its outcome from its rows. Runs inside a read.
struct LeadReader {
    let db: Database
    let leadID: String

    func detail(_ row: Row) throws -> LeadDetail {
        let lead = try Self.lead(row)
        guard let status = LeadStatus(rawValue: row["status"]) else { throw corrupt("status") }
        return LeadDetail(lead: lead, outcome: try outcome(row), status: status)
    }

    /// The lead of a `leads` row (its columns may come with others, as long as they come first).
    static func lead(_ row: Row) throws -> Lead {
        Lead(
            id: row["id"], sellerID: row["seller_id"], vertical: row["vertical"], source: row["source"], test: row["test"],
            fields: try StoredJSON.object(row["fields"], what: "lead fields"),
            consent: try StoredJSON.value(row["consent"], what: "lead consent"), receivedAt: Timestamp(milliseconds: row["received_at"]),
            pingID: row["ping_id"], contactKeys: try ContactKeys.stored(row["contacts"]),
            erasedAt: (row["erased_at"] as Int64?).map { Timestamp(milliseconds: $0) })
    }

    private func outcome(_ row: Row) throws -> LeadOutcome? {
        guard let name = row["outcome_status"] as String? else { return nil }
        guard let status = LeadStatus(rawValue: name) else { throw corrupt("outcome_status") }
        let records = try self.records(row)
        return LeadOutcome(
            leadID: leadID, status: status, reason: row["reason"], sales: try sales(), pings: records.pings,
            posts: records.posts, skips: records.skips, finishedAt: Timestamp(milliseconds: row["finished_at"] ?? 0),
            elapsedMicros: row["elapsed_us"], note: records.note)
    }

    /// The pings, posts, skips and note: the row's BLOB, or the tables for leads recorded
    /// before it.
    private func records(_ row: Row) throws -> LeadRecordsCodec.Records {
        if let blob = row["records"] as Data? {
            return try LeadRecordsCodec.decode(Array(blob), leadID: leadID)
        }
        return LeadRecordsCodec.Records(pings: try pings(), posts: try posts(), skips: try skips())
    }

    private func rows(_ table: String) throws -> [Row] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM \(table) WHERE lead_id = ? ORDER BY seq"), arguments: [leadID])
    }

    private func pings() throws -> [PingRecord] {
        try rows("pings").map { row in
            guard let kind = PingAnswer.Kind(rawValue: row["kind"]) else { throw corrupt("ping kind") }
            let answer = PingAnswer(
                kind: kind, bid: money(row["bid_cents"]), bidID: row["bid_id"], latencyMicros: row["latency_us"], detail: row["detail"])
            return PingRecord(
                campaignID: row["campaign_id"], buyerID: row["buyer_id"], answer: answer, effectiveBid: money(row["effective_cents"]))
        }
    }

    private func posts() throws -> [PostRecord] {
        try rows("posts").map { row in
            guard let origin = Offer.Origin(rawValue: row["origin"]), let outcome = PostAnswer.Outcome(rawValue: row["outcome"]) else {
                throw corrupt("post")
            }
            return PostRecord(
                campaignID: row["campaign_id"], buyerID: row["buyer_id"], price: Money(cents: row["price_cents"]), origin: origin,
                outcome: outcome, reason: row["reason"], buyerLeadID: row["buyer_lead_id"], latencyMicros: row["latency_us"],
                at: Timestamp(milliseconds: row["at"]))
        }
    }

    private func skips() throws -> [SkipRecord] {
        try rows("skips").map { row in
            guard let reason = SkipReason(rawValue: row["reason"]) else { throw corrupt("skip reason") }
            return SkipRecord(campaignID: row["campaign_id"], reason: reason)
        }
    }

    /// Sales, each with a reconstructed cap hold: the campaign's caps are not stored, so the
    /// hold carries default caps, the periods the sale counted in, and no credit limit.
    private func sales() throws -> [Sale] {
        try rows("sales").map { row in
            let price = Money(cents: row["price_cents"])
            let hold = CapHold(
                campaignID: row["campaign_id"], buyerID: row["buyer_id"], caps: Campaign.Caps(),
                periods: CapPeriods(date: CivilDate(daysSinceEpoch: row["period_day"])), price: price, balanceLimit: nil,
                counts: row["counted"])
            return Sale(
                campaignID: row["campaign_id"], buyerID: row["buyer_id"], price: price, payout: Money(cents: row["payout_cents"]),
                buyerLeadID: row["buyer_lead_id"], hold: hold, returnWindowDays: row["return_window_days"])
        }
    }

    private func money(_ cents: Int64?) -> Money? {
        cents.map { Money(cents: $0) }
    }

    private func corrupt(_ what: String) -> StorageError {
        .unavailable("stored lead \(leadID) has an unreadable \(what)")
    }
}
