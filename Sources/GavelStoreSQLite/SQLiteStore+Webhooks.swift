import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// Stores a new webhook (journaled and chained, its secret masked); ``StorageError/conflict(_:)``
    /// when its id exists.
    public func createWebhook(_ webhook: Webhook) async throws {
        let arguments: StatementArguments = [
            webhook.id, webhook.owner.role.rawValue, webhook.owner.subjectID, webhook.url, WebhookRow.events(webhook.events),
            webhook.description, webhook.secret, webhook.createdAt.milliseconds,
        ]
        let change = ConfigChange.webhookCreated(webhook)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO webhooks (id, owner_role, owner_id, url, events, description, secret, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, arguments: arguments)
            if db.changesCount == 0 { throw StorageError.conflict(webhook.id) }
            try SQLiteChain.journal(change, db: db)
        }
    }

    /// Every webhook, oldest first.
    public func webhooks() async throws -> [Webhook] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, owner_role, owner_id, url, events, description, secret, created_at FROM webhooks ORDER BY created_at, id"
            ).map(WebhookRow.webhook)
        }
    }

    /// Deletes a webhook and its deliveries (journaled and chained).
    public func deleteWebhook(id: String) async throws -> Bool {
        let change = ConfigChange.webhookDeleted(id: id, at: clock.now())
        return try await write { db in
            try db.execute(sql: "DELETE FROM webhooks WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM webhook_deliveries WHERE webhook_id = ?", arguments: [id])
            try SQLiteChain.journal(change, db: db)
            return true
        }
    }

    /// Writes messages of events that change nothing else.
    public func enqueueWebhookMessages(_ messages: [WebhookMessage]) async throws -> Int {
        guard !messages.isEmpty else { return 0 }
        let outbox = WebhookOutboxWrite(messages)
        return try await write { db in try outbox.run(db) }
    }

    /// Forgets a once key.
    public func clearWebhookOnceKey(_ key: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM webhook_once_keys WHERE key = ?", arguments: [key]) }
    }

    /// Claims due, unleased pending deliveries, oldest due first (one writer: the claim is
    /// atomic). A look on a reader comes first, so an idle sender never takes the writer.
    public func claimWebhookDeliveries(owner: String, now: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [WebhookDispatch] {
        guard limit > 0 else { return [] }
        let (at, until) = (now.milliseconds, leaseUntil.milliseconds)
        let due = try await read { db in
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM webhook_deliveries
                            WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?))
                        """), arguments: [at, at]) ?? false
        }
        guard due else { return [] }
        return try await write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(WebhookRow.columns("d")), w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                        WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)
                        ORDER BY d.next_attempt_at, d.seq LIMIT ?
                        """), arguments: [at, at, limit])
            let lease = try db.cachedStatement(sql: "UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ? WHERE id = ?")
            return try rows.map { row in
                let delivery = try WebhookRow.delivery(row)
                try lease.execute(arguments: [owner, until, delivery.id])
                return WebhookDispatch(message: delivery.message, attempts: delivery.attempts, url: row["url"], secret: row["secret"])
            }
        }
    }

    /// Records an attempt while `owner` holds the lease.
    public func recordWebhookAttempt(_ attempt: WebhookAttempt, owner: String) async throws -> Bool {
        let delivered = attempt.status == .delivered ? attempt.at.milliseconds : nil
        let arguments: StatementArguments = [
            attempt.status.rawValue, attempt.nextAttemptAt?.milliseconds, attempt.at.milliseconds, attempt.httpStatus, attempt.error,
            delivered, attempt.deliveryID, owner,
        ]
        return try await write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_attempt_at = ?,
                        last_status = ?, last_error = ?, delivered_at = COALESCE(?, delivered_at), lease_owner = NULL, lease_until = NULL
                    WHERE id = ? AND lease_owner = ?
                    """
            ).execute(arguments: arguments)
            return db.changesCount > 0
        }
    }

    /// Ends `owner`'s leases.
    public func releaseWebhookLeases(owner: String) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?", arguments: [owner])
        }
    }

    /// Ends every lease: this process is the database's only user, so any lease left is a
    /// crashed process's.
    public func reclaimWebhookLeases(now: Timestamp) async throws -> Int {
        try await write { db in
            try db.execute(sql: "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")
            return db.changesCount
        }
    }

    /// A webhook's deliveries, newest first.
    public func webhookDeliveries(webhookID: String, status: WebhookDeliveryStatus?, limit: Int) async throws -> [WebhookDelivery] {
        let filter = status.map { "AND status = '\($0.rawValue)'" } ?? ""
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(WebhookRow.columns("d")) FROM webhook_deliveries d WHERE d.webhook_id = ? \(filter)
                    ORDER BY d.created_at DESC, d.seq DESC LIMIT ?
                    """, arguments: [webhookID, max(0, limit)]
            ).map(WebhookRow.delivery)
        }
    }

    /// Makes a delivery pending again, due now.
    public func redeliverWebhook(
        webhookID: String, deliveryID: String, now: Timestamp, retryUntil: Timestamp
    ) async throws
        -> WebhookDelivery?
    {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, retry_until = ?
                    WHERE id = ? AND webhook_id = ?
                    """, arguments: [now.milliseconds, retryUntil.milliseconds, deliveryID, webhookID])
            guard db.changesCount > 0 else { return nil }
            return try Row.fetchOne(
                db, sql: "SELECT \(WebhookRow.columns("d")) FROM webhook_deliveries d WHERE d.id = ?", arguments: [deliveryID]
            ).map(WebhookRow.delivery)
        }
    }

    /// Deletes finished deliveries created before a time (and any whose webhook is gone), and
    /// old cap once keys.
    public func purgeWebhookDeliveries(createdBefore time: Timestamp) async throws -> Int {
        let at = time.milliseconds
        return try await write { db in
            try db.execute(sql: "DELETE FROM webhook_deliveries WHERE status != 'pending' AND created_at < ?", arguments: [at])
            let purged = db.changesCount
            try db.execute(sql: "DELETE FROM webhook_deliveries WHERE webhook_id NOT IN (SELECT id FROM webhooks)")
            try db.execute(
                sql: "DELETE FROM webhook_once_keys WHERE key LIKE ? AND at < ?", arguments: [WebhookOnceKey.capPrefix + "%", at])
            return purged
        }
    }
}

/// Messages prepared off the writer queue, written inside a write: each only when its webhook
/// exists, and a message with a once key only when the key is new (the key is then kept).
struct WebhookOutboxWrite: Sendable {
    struct Entry: Sendable {
        var onceKey: String?
        var at: Int64
        var arguments: StatementArguments
    }

    let rows: [Entry]

    init(_ messages: [WebhookMessage]) {
        rows = messages.map { message in
            Entry(
                onceKey: message.onceKey, at: message.createdAt.milliseconds,
                arguments: [
                    message.id, message.eventID, message.type.rawValue, message.body, message.onceKey, message.createdAt.milliseconds,
                    message.retryUntil.milliseconds, message.createdAt.milliseconds, message.webhookID,
                ])
        }
    }

    /// Writes the messages; returns how many were written.
    @discardableResult
    func run(_ db: Database) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        var (allowed, refused) = (Set<String>(), Set<String>())
        var written = 0
        let insert = try db.cachedStatement(sql: Self.insert)
        for row in rows {
            if let key = row.onceKey, !allowed.contains(key) {
                if refused.contains(key) { continue }
                try db.cachedStatement(sql: "INSERT INTO webhook_once_keys (key, at) VALUES (?, ?) ON CONFLICT DO NOTHING")
                    .execute(arguments: [key, row.at])
                guard db.changesCount > 0 else {
                    refused.insert(key)
                    continue
                }
                allowed.insert(key)
            }
            try insert.execute(arguments: row.arguments)
            written += db.changesCount
        }
        return written
    }

    static let insert = """
        INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, body, once_key, created_at, retry_until, next_attempt_at)
        SELECT ?, w.id, ?, ?, ?, ?, ?, ?, ? FROM webhooks w WHERE w.id = ?
        """
}

/// Reading webhook rows.
enum WebhookRow {
    /// The delivery columns, prefixed with a table alias.
    static func columns(_ alias: String) -> String {
        [
            "id", "webhook_id", "event_id", "event", "body", "once_key", "created_at", "retry_until", "status", "attempts",
            "next_attempt_at", "last_attempt_at", "last_status", "last_error", "delivered_at",
        ].map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    /// A stored event list: names joined by commas.
    static func events(_ events: [WebhookEventType]) -> String {
        events.map(\.rawValue).joined(separator: ",")
    }

    static func webhook(_ row: GRDB.Row) throws -> Webhook {
        guard let role = Role(rawValue: row["owner_role"]) else { throw StorageError.unavailable("stored webhook has an unknown role") }
        let names = (row["events"] as String).split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) }
        return Webhook(
            id: row["id"], owner: WebhookOwner(role: role, subjectID: row["owner_id"]), url: row["url"], events: names,
            description: row["description"], secret: row["secret"], createdAt: Timestamp(milliseconds: row["created_at"]))
    }

    static func delivery(_ row: GRDB.Row) throws -> WebhookDelivery {
        guard let type = WebhookEventType(rawValue: row["event"]), let status = WebhookDeliveryStatus(rawValue: row["status"]) else {
            throw StorageError.unavailable("stored webhook delivery has an unknown event or status")
        }
        let message = WebhookMessage(
            id: row["id"], webhookID: row["webhook_id"], eventID: row["event_id"], type: type, body: row["body"],
            createdAt: Timestamp(milliseconds: row["created_at"]), retryUntil: Timestamp(milliseconds: row["retry_until"]),
            onceKey: row["once_key"])
        func time(_ column: String) -> Timestamp? { (row[column] as Int64?).map(Timestamp.init(milliseconds:)) }
        return WebhookDelivery(
            message: message, status: status, attempts: row["attempts"], nextAttemptAt: status == .pending ? time("next_attempt_at") : nil,
            lastAttemptAt: time("last_attempt_at"), lastStatus: row["last_status"], lastError: row["last_error"],
            deliveredAt: time("delivered_at"))
    }
}
