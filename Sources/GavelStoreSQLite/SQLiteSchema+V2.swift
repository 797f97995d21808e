extension SQLiteSchema {
    /// Sales learn their return window and whether (when, why) they were returned; indexes for
    /// a buyer's inbox and its 30-day return rate.
    static let salesV2 = """
        ALTER TABLE sales ADD COLUMN return_window_days INTEGER NOT NULL DEFAULT 7;
        ALTER TABLE sales ADD COLUMN returned_at INTEGER;
        ALTER TABLE sales ADD COLUMN return_reason TEXT;
        CREATE INDEX sales_buyer ON sales(buyer_id, at, counted);
        CREATE INDEX sales_buyer_returns ON sales(buyer_id, returned_at) WHERE returned_at IS NOT NULL;
        """

    /// Indexes no query uses since reports read rollups: each cost every lead a B-tree insert
    /// (seven per sold lead). A feature that needs one adds it back with its query.
    static let unusedIndexes = """
        DROP INDEX leads_received;
        DROP INDEX leads_seller;
        DROP INDEX sales_campaign;
        DROP INDEX sales_at;
        DROP INDEX ledger_account;
        """

    /// Conversions, one per lead and buyer (`value_cents` NULL when the buyer gave none).
    static let moneyV2 = """
        CREATE TABLE conversions (
            lead_id TEXT NOT NULL REFERENCES leads(id),
            buyer_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            value_cents INTEGER,
            at INTEGER NOT NULL,
            PRIMARY KEY (lead_id, buyer_id)
        ) WITHOUT ROWID;
        """

    /// Sellers' idempotency keys: `status` is NULL while the first request is in progress.
    static let idempotency = """
        CREATE TABLE idempotency_keys (
            seller_id TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            status INTEGER,
            body BLOB,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (seller_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX idempotency_created ON idempotency_keys(created_at);
        """

    /// Report rollups, one row per UTC hour of lead arrival and group (see ``RollupCounters``):
    /// the leads' side by seller, source and vertical; the campaigns' side by campaign and
    /// buyer as well. `hour` is hours since the epoch; money is in cents; `latency` is a
    /// ``LatencyHistogram`` in its encoded text form.
    static let rollups = """
        CREATE TABLE rollup_leads (
            hour INTEGER NOT NULL,
            seller_id TEXT NOT NULL,
            source TEXT NOT NULL,
            vertical TEXT NOT NULL,
            \(rollupCounterColumns),
            PRIMARY KEY (hour, seller_id, source, vertical)
        ) WITHOUT ROWID;
        CREATE TABLE rollup_campaigns (
            hour INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            seller_id TEXT NOT NULL,
            source TEXT NOT NULL,
            vertical TEXT NOT NULL,
            \(rollupCounterColumns),
            PRIMARY KEY (hour, campaign_id, buyer_id, seller_id, source, vertical)
        ) WITHOUT ROWID;
        CREATE INDEX rollup_campaigns_buyer ON rollup_campaigns(buyer_id, hour);
        """

    private static let rollupCounterColumns = """
        leads INTEGER NOT NULL DEFAULT 0,
            pings INTEGER NOT NULL DEFAULT 0,
            bids INTEGER NOT NULL DEFAULT 0,
            sold INTEGER NOT NULL DEFAULT 0,
            accepted INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            returned INTEGER NOT NULL DEFAULT 0,
            conversions INTEGER NOT NULL DEFAULT 0,
            revenue_cents INTEGER NOT NULL DEFAULT 0,
            payout_cents INTEGER NOT NULL DEFAULT 0,
            timeouts INTEGER NOT NULL DEFAULT 0,
            latency TEXT NOT NULL DEFAULT ''
        """
}
