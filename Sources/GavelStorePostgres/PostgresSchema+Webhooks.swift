extension PostgresSchema {
    /// Webhooks, their outbox and the once keys of events sent once per key.
    ///
    /// A delivery row is one event for one webhook (`body` is the scoped JSON as sent): pending
    /// until a 2xx (`delivered`) or until an attempt fails after `retry_until` (`failed`). A
    /// sender claims due rows with `FOR UPDATE SKIP LOCKED` and a lease (`lease_owner`, its
    /// node, until `lease_until`), so each is attempted by one node at a time. The partial index
    /// finds due deliveries without reading finished ones.
    static let webhooks = [
        """
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY,
            owner_role TEXT NOT NULL,
            owner_id TEXT,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            secret TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            seq BIGSERIAL,
            webhook_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            event TEXT NOT NULL,
            body TEXT NOT NULL,
            once_key TEXT,
            created_at BIGINT NOT NULL,
            retry_until BIGINT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at BIGINT,
            last_attempt_at BIGINT,
            last_status INTEGER,
            last_error TEXT,
            delivered_at BIGINT,
            lease_owner TEXT,
            lease_until BIGINT
        )
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'",
        "CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at)",
        """
        CREATE TABLE webhook_once_keys (
            key TEXT PRIMARY KEY,
            at BIGINT NOT NULL
        )
        """,
    ]
}
