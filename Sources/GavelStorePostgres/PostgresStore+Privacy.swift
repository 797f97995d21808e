import Foundation
import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// The database's secret for contact keys, made by its privacy migration (the same for
    /// every node).
    public func contactKeySecret() async throws -> [UInt8] {
        let rows = try await rows("SELECT secret FROM privacy_secret WHERE id = 1")
        guard let buffer = try rows.first?.decode(ByteBuffer.self), buffer.readableBytes == 32 else {
            throw StorageError.unavailable("the PostgreSQL database has no contact key secret")
        }
        return Array(buffer.readableBytesView)
    }

    /// Erases the personal data of every lead with any of the contact keys and records the
    /// erasure, in one transaction (each lead's row locked); stored idempotency responses for
    /// those leads lose their redirect URL. The touched tables are then vacuumed, so no dead
    /// row version keeps the erased values.
    public func eraseConsumer(contactKeys: [String], redaction: Redaction, record: ErasureRecord) async throws -> ErasureRecord {
        let keys = Array(Set(contactKeys))
        let erased = try await transaction(limit: .unbounded) { connection in
            let rows = try await connection.all(
                """
                SELECT id FROM leads WHERE EXISTS (SELECT 1 FROM unnest(\(keys)::text[]) AS k WHERE strpos(contacts, k) > 0)
                ORDER BY id FOR UPDATE
                """, logger: self.logger)
            let ids = try rows.map { try $0.decode(String.self) }
            for id in ids { try await self.erase(leadID: id, redaction: redaction, at: record.at, on: connection) }
            try await self.scrubResponses(leadIDs: Set(ids), on: connection)
            var done = record
            done.leads = ids.count
            try await self.insert(done, on: connection)
            return done
        }
        try await vacuumErased()
        return erased
    }

    /// Erases the personal data of up to `limit` leads received before `receivedBefore` and
    /// not erased yet, oldest first (leads another node is erasing are skipped); returns how
    /// many. The touched tables are vacuumed afterwards.
    public func eraseExpired(receivedBefore: Timestamp, redaction: Redaction, at: Timestamp, limit: Int) async throws -> Int {
        let count = try await transaction(limit: .unbounded) { connection in
            let rows = try await connection.all(
                """
                SELECT id FROM leads WHERE erased_at IS NULL AND received_at < \(receivedBefore.milliseconds)
                ORDER BY received_at LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED
                """, logger: self.logger)
            let ids = try rows.map { try $0.decode(String.self) }
            for id in ids { try await self.erase(leadID: id, redaction: redaction, at: at, on: connection) }
            try await self.scrubResponses(leadIDs: Set(ids), on: connection)
            return ids.count
        }
        if count > 0 { try await vacuumErased() }
        return count
    }

    /// Records an erasure.
    public func recordErasure(_ record: ErasureRecord) async throws {
        try await withConnection { connection in try await self.insert(record, on: connection) }
    }

    /// The recorded erasures, newest first.
    public func erasures(limit: Int) async throws -> [ErasureRecord] {
        let rows = try await rows(
            "SELECT id, kind, at, leads, contact_keys, received_before FROM erasures ORDER BY at DESC, id DESC LIMIT \(Int64(limit))")
        return try rows.map { row in
            let c = try row.decode((String, String, Int64, Int64, String, Int64?).self)
            guard let kind = ErasureRecord.Kind(rawValue: c.1) else { throw StorageError.unavailable("stored erasure has an unknown kind") }
            let keys = try StoredJSON.value(c.4, what: "erasure keys").arrayValue?.compactMap(\.stringValue) ?? []
            return ErasureRecord(
                id: c.0, kind: kind, at: Timestamp(milliseconds: c.2), leads: Int(c.3), contactKeys: keys,
                receivedBefore: c.5.map { Timestamp(milliseconds: $0) })
        }
    }

    /// Erases one lead inside a transaction: fields, consent, buyer texts of posts and sales,
    /// return reasons and webhook bodies that repeat its personal values.
    private func erase(leadID: String, redaction: Redaction, at: Timestamp, on connection: PostgresConnection) async throws {
        guard let detail = try await PostgresLeadReader(connection: connection, leadID: leadID, logger: logger).detail() else { return }
        let erased = redaction.erase(detail, at: at)
        try await connection.query(
            """
            UPDATE leads SET fields = \(StoredJSON.text(.object(erased.lead.fields))), consent = \(StoredJSON.text(erased.lead.consent)),
                erased_at = \(erased.lead.erasedAt?.milliseconds) WHERE id = \(leadID)
            """, logger: logger)
        let values = redaction.personalValues(detail.lead)
        try await scrubPosts(leadID: leadID, values: values, on: connection)
        try await scrubSales(leadID: leadID, values: values, on: connection)
        try await scrubWebhookBodies(leadID: leadID, values: values, on: connection)
    }

    /// Drops the buyer's reasons and lead ids that repeat a personal value from the lead's posts.
    private func scrubPosts(leadID: String, values: [String], on connection: PostgresConnection) async throws {
        let posts = try await connection.all(
            "SELECT seq, reason, buyer_lead_id FROM posts WHERE lead_id = \(leadID)", logger: logger
        ).map { try $0.decode((Int32, String?, String?).self) }
        for (seq, reason, buyerLeadID) in posts {
            let newReason = Redaction.scrubbed(reason, values: values)
            let dropID = buyerLeadID.map { Redaction.mentions($0, values) } ?? false
            guard newReason != nil || dropID else { continue }
            try await connection.query(
                """
                UPDATE posts SET reason = \(newReason ?? reason), buyer_lead_id = \(dropID ? nil : buyerLeadID)
                WHERE lead_id = \(leadID) AND seq = \(seq)
                """, logger: logger)
        }
    }

    /// Drops the buyer lead ids and return reasons that repeat a personal value from the lead's sales.
    private func scrubSales(leadID: String, values: [String], on connection: PostgresConnection) async throws {
        let sales = try await connection.all(
            "SELECT seq, buyer_lead_id, return_reason FROM sales WHERE lead_id = \(leadID)", logger: logger
        ).map { try $0.decode((Int32, String?, String?).self) }
        for (seq, buyerLeadID, returnReason) in sales {
            let dropID = buyerLeadID.map { Redaction.mentions($0, values) } ?? false
            let newReason = Redaction.scrubbed(returnReason, values: values)
            guard newReason != nil || dropID else { continue }
            try await connection.query(
                """
                UPDATE sales SET buyer_lead_id = \(dropID ? nil : buyerLeadID), return_reason = \(newReason ?? returnReason)
                WHERE lead_id = \(leadID) AND seq = \(seq)
                """, logger: logger)
        }
    }

    /// Rewrites the outbox bodies about the lead whose `reason` repeats a personal value.
    private func scrubWebhookBodies(leadID: String, values: [String], on connection: PostgresConnection) async throws {
        let rows = try await connection.all(
            "SELECT id, body FROM webhook_deliveries WHERE strpos(body, \(leadID)) > 0", logger: logger
        ).map { try $0.decode((String, String).self) }
        for (id, body) in rows {
            guard let scrubbed = Redaction.scrubWebhookBody(body, values: values) else { continue }
            try await connection.query("UPDATE webhook_deliveries SET body = \(scrubbed) WHERE id = \(id)", logger: logger)
        }
    }

    /// Drops the redirect URL from stored idempotency responses of the leads.
    private func scrubResponses(leadIDs: Set<String>, on connection: PostgresConnection) async throws {
        guard !leadIDs.isEmpty else { return }
        let rows = try await connection.all(
            """
            SELECT seller_id, key, body FROM idempotency_keys
            WHERE body IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(\(leadIDs.sorted())::text[]) AS l WHERE position(convert_to(l, 'UTF8') IN body) > 0)
            """, logger: logger)
        for row in rows {
            let (seller, key, body) = try row.decode((String, String, ByteBuffer).self)
            guard let scrubbed = Redaction.scrubResponse(Array(body.readableBytesView), leadIDs: leadIDs) else { continue }
            try await connection.query(
                "UPDATE idempotency_keys SET body = \(ByteBuffer(bytes: scrubbed)) WHERE seller_id = \(seller) AND key = \(key)",
                logger: logger)
        }
    }

    private func insert(_ record: ErasureRecord, on connection: PostgresConnection) async throws {
        let keys = StoredJSON.text(.array(record.contactKeys.map(JSONValue.string)))
        try await connection.query(
            """
            INSERT INTO erasures (id, kind, at, leads, contact_keys, received_before)
            VALUES (\(record.id), \(record.kind.rawValue), \(record.at.milliseconds), \(Int64(record.leads)), \(keys),
                \(record.receivedBefore?.milliseconds))
            """, logger: logger)
    }

    /// Vacuums the tables an erasure rewrites: the old row versions (which still hold the
    /// erased values) are removed, not just hidden.
    private func vacuumErased() async throws {
        try await withConnection(limit: .unbounded) { connection in
            _ = try await connection.query("VACUUM leads, posts, sales, idempotency_keys, webhook_deliveries", logger: self.logger)
        }
    }
}
