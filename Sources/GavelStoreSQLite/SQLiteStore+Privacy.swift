import Foundation
import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// The database's secret for contact keys, made by its privacy migration.
    public func contactKeySecret() async throws -> [UInt8] {
        secret
    }

    /// Erases the personal data of every lead with any of the contact keys and records the
    /// erasure, in one write; stored idempotency responses for those leads lose their
    /// redirect URL. Then the WAL is checkpointed and truncated, so with `secure_delete` no
    /// copy of the erased values is left in the database's files.
    public func eraseConsumer(contactKeys: [String], redaction: Redaction, record: ErasureRecord) async throws -> ErasureRecord {
        let needles = Array(Set(contactKeys.map(ContactKeyIndex.needle)))
        let erased = try await write { db in
            var ids: Set<String> = []
            let find = try db.cachedStatement(sql: "SELECT id FROM leads WHERE instr(contacts, ?) > 0")
            for needle in needles { ids.formUnion(try String.fetchAll(find, arguments: [needle])) }
            for id in ids.sorted() { try PrivacyWrite.erase(db, leadID: id, redaction: redaction, at: record.at) }
            try PrivacyWrite.scrubResponses(db, leadIDs: ids)
            var done = record
            done.leads = ids.count
            try PrivacyWrite.insert(db, done)
            return done
        }
        try await truncateWAL()
        return erased
    }

    /// Erases the personal data of up to `limit` leads received before `receivedBefore` and
    /// not erased yet, oldest first; returns how many. The WAL is truncated afterwards.
    public func eraseExpired(receivedBefore: Timestamp, redaction: Redaction, at: Timestamp, limit: Int) async throws -> Int {
        let count = try await write { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM leads WHERE erased_at IS NULL AND received_at < ? ORDER BY received_at LIMIT ?",
                arguments: [receivedBefore.milliseconds, limit])
            for id in ids { try PrivacyWrite.erase(db, leadID: id, redaction: redaction, at: at) }
            try PrivacyWrite.scrubResponses(db, leadIDs: Set(ids))
            return ids.count
        }
        if count > 0 { try await truncateWAL() }
        return count
    }

    /// Records an erasure.
    public func recordErasure(_ record: ErasureRecord) async throws {
        try await write { db in try PrivacyWrite.insert(db, record) }
    }

    /// The recorded erasures, newest first.
    public func erasures(limit: Int) async throws -> [ErasureRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM erasures ORDER BY at DESC, id DESC LIMIT ?", arguments: [limit]).map(
                PrivacyWrite.record)
        }
    }

    /// Copies every WAL frame into the database file and truncates the WAL to zero bytes,
    /// waiting (up to the busy timeout, a few times) for readers still on older frames.
    func truncateWAL() async throws {
        for attempt in 1...5 {
            do {
                let result = try await pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
                if result.walFrameCount == 0 || result.walFrameCount == result.checkpointedFrameCount { return }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && attempt < 5 {
                continue
            } catch {
                throw StorageError.unavailable(Self.describe(error))
            }
        }
        throw StorageError.unavailable("the SQLite WAL could not be truncated after an erasure")
    }
}

/// The writes of an erasure, inside a transaction.
enum PrivacyWrite {
    /// Erases one lead: its fields and consent, the buyer texts of its records and sales, its
    /// return reasons and webhook bodies that repeat its personal values.
    static func erase(_ db: Database, leadID: String, redaction: Redaction, at: Timestamp) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM leads WHERE id = ?"), arguments: [leadID]) else { return }
        let detail = try LeadReader(db: db, leadID: leadID).detail(row)
        let erased = redaction.erase(detail, at: at)
        try rewrite(db, erased)
        try scrubSales(db, before: detail, after: erased)
        let values = redaction.personalValues(detail.lead)
        try scrubReturnReasons(db, leadID: leadID, values: values)
        try scrubWebhookBodies(db, leadID: leadID, values: values)
    }

    /// Stores the erased lead's fields, consent and records (legacy record rows go: the
    /// records column now holds them).
    private static func rewrite(_ db: Database, _ erased: LeadDetail) throws {
        let leadID = erased.lead.id
        let records = erased.outcome.map { Data(LeadRecordsCodec.encode(pings: $0.pings, posts: $0.posts, skips: $0.skips)) }
        try db.cachedStatement(sql: "UPDATE leads SET fields = ?, consent = ?, records = ?, erased_at = ? WHERE id = ?").execute(
            arguments: [
                StoredJSON.text(.object(erased.lead.fields)), StoredJSON.text(erased.lead.consent), records,
                erased.lead.erasedAt?.milliseconds, leadID,
            ])
        for table in ["pings", "posts", "skips"] where records != nil {
            try db.execute(sql: "DELETE FROM \(table) WHERE lead_id = ?", arguments: [leadID])
        }
    }

    private static func scrubSales(_ db: Database, before: LeadDetail, after: LeadDetail) throws {
        for (old, new) in zip(before.outcome?.sales ?? [], after.outcome?.sales ?? []) where old.buyerLeadID != new.buyerLeadID {
            try db.execute(
                sql: "UPDATE sales SET buyer_lead_id = ? WHERE lead_id = ? AND campaign_id = ?",
                arguments: [new.buyerLeadID, after.lead.id, new.campaignID])
        }
    }

    /// Replaces the buyers' return reasons that repeat a personal value.
    private static func scrubReturnReasons(_ db: Database, leadID: String, values: [String]) throws {
        let rows = try Row.fetchAll(
            db, sql: "SELECT seq, return_reason FROM sales WHERE lead_id = ? AND return_reason IS NOT NULL", arguments: [leadID])
        for row in rows {
            guard let scrubbed = Redaction.scrubbed(row["return_reason"], values: values) else { continue }
            try db.execute(
                sql: "UPDATE sales SET return_reason = ? WHERE lead_id = ? AND seq = ?", arguments: [scrubbed, leadID, row["seq"]])
        }
    }

    /// Rewrites the outbox bodies about the lead whose `reason` repeats a personal value.
    private static func scrubWebhookBodies(_ db: Database, leadID: String, values: [String]) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT seq, body FROM webhook_deliveries WHERE instr(body, ?) > 0", arguments: [leadID])
        for row in rows {
            guard let body = Redaction.scrubWebhookBody(row["body"], values: values) else { continue }
            try db.execute(sql: "UPDATE webhook_deliveries SET body = ? WHERE seq = ?", arguments: [body, row["seq"]])
        }
    }

    /// Drops the redirect URL from stored idempotency responses of the leads.
    static func scrubResponses(_ db: Database, leadIDs: Set<String>) throws {
        guard !leadIDs.isEmpty else { return }
        let rows = try Row.fetchAll(db, sql: "SELECT seller_id, key, body FROM idempotency_keys WHERE body IS NOT NULL")
        for row in rows {
            guard let body = row["body"] as Data?, let scrubbed = Redaction.scrubResponse(Array(body), leadIDs: leadIDs) else { continue }
            try db.execute(
                sql: "UPDATE idempotency_keys SET body = ? WHERE seller_id = ? AND key = ?",
                arguments: [Data(scrubbed), row["seller_id"], row["key"]])
        }
    }

    /// Stores an erasure record.
    static func insert(_ db: Database, _ record: ErasureRecord) throws {
        try db.execute(
            sql: "INSERT INTO erasures (id, kind, at, leads, contact_keys, received_before) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [
                record.id, record.kind.rawValue, record.at.milliseconds, record.leads,
                StoredJSON.text(.array(record.contactKeys.map(JSONValue.string))),
                record.receivedBefore?.milliseconds,
            ])
    }

    /// An erasure record from its row.
    static func record(_ row: Row) throws -> ErasureRecord {
        guard let kind = ErasureRecord.Kind(rawValue: row["kind"]) else {
            throw StorageError.unavailable("stored erasure has an unknown kind")
        }
        let keys = try StoredJSON.value(row["contact_keys"], what: "erasure keys").arrayValue?.compactMap(\.stringValue) ?? []
        return ErasureRecord(
            id: row["id"], kind: kind, at: Timestamp(milliseconds: row["at"]), leads: row["leads"], contactKeys: keys,
            receivedBefore: (row["received_before"] as Int64?).map { Timestamp(milliseconds: $0) })
    }
}
