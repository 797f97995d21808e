extension SQLiteSchema {
    /// Webhooks, their outbox and the once keys of events sent once per key.
    ///
    /// A delivery row is one event for one webhook (`body` is the scoped JSON as sent): pending
    /// until a 2xx (`delivered`) or until an attempt fails after `retry_until` (`failed`).
    /// `lease_owner`/`lease_until` mark a sender's claim. The partial index finds due
    /// deliveries without reading finished ones.
    static let webhooks = """
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY,
            owner_role TEXT NOT NULL,
            owner_id TEXT,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            secret TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE webhook_deliveries (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            webhook_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            event TEXT NOT NULL,
            body TEXT NOT NULL,
            once_key TEXT,
            created_at INTEGER NOT NULL,
            retry_until INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            last_attempt_at INTEGER,
            last_status INTEGER,
            last_error TEXT,
            delivered_at INTEGER,
            lease_owner TEXT,
            lease_until INTEGER
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, created_at);
        CREATE TABLE webhook_once_keys (
            key TEXT PRIMARY KEY,
            at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """
}
