import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// Stores a new webhook, journals it with its secret masked (sealed later) and notifies every
    /// node (which reload their webhooks);
    /// ``StorageError/conflict(_:)`` when its id exists.
    public func createWebhook(_ webhook: Webhook) async throws {
        let (events, change) = (PostgresWebhookOutbox.events(webhook.events), ConfigChange.webhookCreated(webhook))
        let notified = try await rows(
            """
            WITH created AS (
                INSERT INTO webhooks (id, owner_role, owner_id, url, events, description, secret, created_at)
                VALUES (\(webhook.id), \(webhook.owner.role.rawValue), \(webhook.owner.subjectID), \(webhook.url), \(events),
                    \(webhook.description), \(webhook.secret), \(webhook.createdAt.milliseconds))
                ON CONFLICT DO NOTHING RETURNING id),
            journaled AS (
                INSERT INTO config_journal (kind, record_id, op, body, at)
                SELECT \(change.kind), \(change.recordID), \(change.op.rawValue), \(change.body), \(change.at.milliseconds) FROM created)
            SELECT \(unescaped: Self.notifyExpression("webhook")) FROM created
            """)
        if notified.isEmpty { throw StorageError.conflict(webhook.id) }
    }

    /// Every webhook, oldest first.
    public func webhooks() async throws -> [Webhook] {
        try await rows(
            "SELECT id, owner_role, owner_id, url, events, description, secret, created_at FROM webhooks ORDER BY created_at, id"
        )
        .map(PostgresWebhookOutbox.webhook)
    }

    /// Deletes a webhook and its deliveries, journals it (sealed later) and notifies every node.
    public func deleteWebhook(id: String) async throws -> Bool {
        let change = ConfigChange.webhookDeleted(id: id, at: clock.now())
        return try await transaction { connection in
            let deleted = try await connection.all(
                """
                WITH deleted AS (DELETE FROM webhooks WHERE id = \(id) RETURNING id),
                journaled AS (
                    INSERT INTO config_journal (kind, record_id, op, body, at)
                    SELECT \(change.kind), \(change.recordID), \(change.op.rawValue), \(change.body), \(change.at.milliseconds) FROM deleted)
                SELECT \(unescaped: Self.notifyExpression("webhook")) FROM deleted
                """, logger: logger)
            guard !deleted.isEmpty else { return false }
            try await connection.query("DELETE FROM webhook_deliveries WHERE webhook_id = \(id)", logger: logger)
            return true
        }
    }

    /// Writes messages of events that change nothing else.
    public func enqueueWebhookMessages(_ messages: [WebhookMessage]) async throws -> Int {
        guard !messages.isEmpty else { return 0 }
        return try await withConnection { connection in try await insertWebhookMessages(messages, on: connection) }
    }

    /// Forgets a once key.
    public func clearWebhookOnceKey(_ key: String) async throws {
        try await execute("DELETE FROM webhook_once_keys WHERE key = \(key)")
    }

    /// Claims due pending deliveries that no live lease holds, oldest due first, in one
    /// statement: rows another node is claiming at the same moment are skipped (`FOR UPDATE
    /// SKIP LOCKED`), and a claimed row's lease keeps every other node off it.
    public func claimWebhookDeliveries(owner: String, now: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [WebhookDispatch] {
        guard limit > 0 else { return [] }
        let (at, until) = (now.milliseconds, leaseUntil.milliseconds)
        let rows = try await rows(
            """
            WITH claimed AS (
                UPDATE webhook_deliveries d SET lease_owner = \(owner), lease_until = \(until)
                FROM webhooks w
                WHERE w.id = d.webhook_id AND d.id = ANY (ARRAY (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= \(at) AND (lease_until IS NULL OR lease_until <= \(at))
                    ORDER BY next_attempt_at, seq LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED))
                RETURNING d.*, w.url, w.secret)
            SELECT \(unescaped: PostgresWebhookOutbox.columns("c")), c.url, c.secret FROM claimed c ORDER BY c.next_attempt_at, c.seq
            """)
        return try rows.map { row in
            let delivery = try PostgresWebhookOutbox.delivery(row)
            let cells = row.makeRandomAccess()
            let (url, secret) = (try cells[15].decode(String.self), try cells[16].decode(String.self))
            return WebhookDispatch(message: delivery.message, attempts: delivery.attempts, url: url, secret: secret)
        }
    }

    /// Records an attempt while `owner` holds the lease.
    public func recordWebhookAttempt(_ attempt: WebhookAttempt, owner: String) async throws -> Bool {
        let delivered = attempt.status == .delivered ? attempt.at.milliseconds : nil
        let rows = try await rows(
            """
            UPDATE webhook_deliveries SET status = \(attempt.status.rawValue), attempts = attempts + 1,
                next_attempt_at = \(attempt.nextAttemptAt?.milliseconds), last_attempt_at = \(attempt.at.milliseconds),
                last_status = \(attempt.httpStatus.map(Int32.init)), last_error = \(attempt.error),
                delivered_at = COALESCE(\(delivered), delivered_at), lease_owner = NULL, lease_until = NULL
            WHERE id = \(attempt.deliveryID) AND lease_owner = \(owner)
            RETURNING 1
            """)
        return !rows.isEmpty
    }

    /// Ends `owner`'s leases.
    public func releaseWebhookLeases(owner: String) async throws {
        try await execute("UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = \(owner)")
    }

    /// Ends the leases that have run out (a crashed node's); a running node's are kept, so
    /// nothing a live sender holds is attempted twice.
    public func reclaimWebhookLeases(now: Timestamp) async throws -> Int {
        try await rows(
            """
            UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL
            WHERE lease_owner IS NOT NULL AND lease_until <= \(now.milliseconds) RETURNING 1
            """
        ).count
    }

    /// A webhook's deliveries, newest first.
    public func webhookDeliveries(webhookID: String, status: WebhookDeliveryStatus?, limit: Int) async throws -> [WebhookDelivery] {
        try await rows(
            """
            SELECT \(unescaped: PostgresWebhookOutbox.columns("d")) FROM webhook_deliveries d
            WHERE d.webhook_id = \(webhookID) AND (\(status?.rawValue)::text IS NULL OR d.status = \(status?.rawValue))
            ORDER BY d.created_at DESC, d.seq DESC LIMIT \(max(0, limit))
            """
        ).map(PostgresWebhookOutbox.delivery)
    }

    /// Makes a delivery pending again, due now.
    public func redeliverWebhook(
        webhookID: String, deliveryID: String, now: Timestamp, retryUntil: Timestamp
    ) async throws
        -> WebhookDelivery?
    {
        try await rows(
            """
            UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = \(now.milliseconds),
                retry_until = \(retryUntil.milliseconds)
            WHERE d.id = \(deliveryID) AND d.webhook_id = \(webhookID)
            RETURNING \(unescaped: PostgresWebhookOutbox.columns("d"))
            """
        ).first.map(PostgresWebhookOutbox.delivery)
    }

    /// Deletes finished deliveries created before a time (and any whose webhook is gone), and
    /// old cap once keys.
    public func purgeWebhookDeliveries(createdBefore time: Timestamp) async throws -> Int {
        let at = time.milliseconds
        return try await transaction { connection in
            let purged = try await connection.all(
                "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < \(at) RETURNING 1", logger: logger
            ).count
            try await connection.query(
                "DELETE FROM webhook_deliveries d WHERE NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id)", logger: logger)
            try await connection.query(
                "DELETE FROM webhook_once_keys WHERE key LIKE \(WebhookOnceKey.capPrefix + "%") AND at < \(at)", logger: logger)
            return purged
        }
    }

    /// Writes messages inside the caller's transaction (see ``PostgresWebhookOutbox/insert``);
    /// returns how many were written.
    @discardableResult
    func insertWebhookMessages(_ messages: [WebhookMessage], on connection: PostgresConnection) async throws -> Int {
        guard !messages.isEmpty else { return 0 }
        let records = PostgresWebhookOutbox.records(messages)
        let rows = try await connection.all(
            """
            WITH outbox AS (
                SELECT r.* FROM json_to_recordset(\(records)::json) AS r (\(unescaped: PostgresWebhookOutbox.recordDefinition))),
            \(unescaped: PostgresWebhookOutbox.insert)
            SELECT count(*) FROM notified
            """, logger: logger)
        return try Int(rows.first?.decode(Int64.self) ?? 0)
    }
}

/// The outbox's SQL pieces and row reading, shared by the outcome statement and the other writes.
enum PostgresWebhookOutbox {
    /// The columns of a message record (see ``records(_:)``).
    static let recordDefinition = """
        id TEXT, webhook_id TEXT, event_id TEXT, event TEXT, body TEXT, once_key TEXT, created_at BIGINT, retry_until BIGINT, n BIGINT
        """

    /// Two CTEs over a CTE `outbox` of message records: `keyed` notes each new once key
    /// (`ON CONFLICT DO NOTHING`: a key noted before is not returned), `notified` inserts each
    /// message whose webhook exists and whose once key, if any, is new — in order.
    static let insert = """
        keyed AS (
            INSERT INTO webhook_once_keys (key, at)
            SELECT DISTINCT ON (once_key) once_key, created_at FROM outbox WHERE once_key IS NOT NULL
            ON CONFLICT DO NOTHING RETURNING key),
        notified AS (
            INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, body, once_key, created_at, retry_until, next_attempt_at)
            SELECT o.id, w.id, o.event_id, o.event, o.body, o.once_key, o.created_at, o.retry_until, o.created_at
            FROM outbox o JOIN webhooks w ON w.id = o.webhook_id
            WHERE o.once_key IS NULL OR o.once_key IN (SELECT key FROM keyed)
            ORDER BY o.n
            RETURNING 1)
        """

    /// Messages as a JSON record set, numbered in order.
    static func records(_ messages: [WebhookMessage]) -> String {
        PostgresOutcomeWrite.recordSet(
            messages.map { message in
                [
                    "id": .string(message.id), "webhook_id": .string(message.webhookID), "event_id": .string(message.eventID),
                    "event": .string(message.type.rawValue), "body": .string(message.body),
                    "once_key": message.onceKey.map(JSONValue.string) ?? .null, "created_at": .integer(message.createdAt.milliseconds),
                    "retry_until": .integer(message.retryUntil.milliseconds),
                ]
            })
    }

    /// A stored event list: names joined by commas.
    static func events(_ events: [WebhookEventType]) -> String {
        events.map(\.rawValue).joined(separator: ",")
    }

    /// The delivery columns, prefixed with a table alias (15 of them, in ``delivery(_:)``'s order).
    static func columns(_ alias: String) -> String {
        [
            "id", "webhook_id", "event_id", "event", "body", "once_key", "created_at", "retry_until", "status", "attempts",
            "next_attempt_at", "last_attempt_at", "last_status", "last_error", "delivered_at",
        ].map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func webhook(_ row: PostgresRow) throws -> Webhook {
        let c = try row.decode((String, String, String?, String, String, String, String, Int64).self)
        guard let role = Role(rawValue: c.1) else { throw StorageError.unavailable("stored webhook has an unknown role") }
        let names = c.4.split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) }
        return Webhook(
            id: c.0, owner: WebhookOwner(role: role, subjectID: c.2), url: c.3, events: names, description: c.5, secret: c.6,
            createdAt: Timestamp(milliseconds: c.7))
    }

    static func delivery(_ row: PostgresRow) throws -> WebhookDelivery {
        let c = try row.decode(
            (String, String, String, String, String, String?, Int64, Int64, String, Int32, Int64?, Int64?, Int32?, String?, Int64?).self)
        guard let type = WebhookEventType(rawValue: c.3), let status = WebhookDeliveryStatus(rawValue: c.8) else {
            throw StorageError.unavailable("stored webhook delivery has an unknown event or status")
        }
        let message = WebhookMessage(
            id: c.0, webhookID: c.1, eventID: c.2, type: type, body: c.4, createdAt: Timestamp(milliseconds: c.6),
            retryUntil: Timestamp(milliseconds: c.7), onceKey: c.5)
        return WebhookDelivery(
            message: message, status: status, attempts: Int(c.9),
            nextAttemptAt: status == .pending ? c.10.map(Timestamp.init(milliseconds:)) : nil,
            lastAttemptAt: c.11.map(Timestamp.init(milliseconds:)), lastStatus: c.12.map(Int.init), lastError: c.13,
            deliveredAt: c.14.map(Timestamp.init(milliseconds:)))
    }
}
