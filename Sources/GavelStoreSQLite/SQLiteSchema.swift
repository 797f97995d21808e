import GRDB
import GavelStoreSupport

/// The SQLite schema as versioned, named migrations. Money is integer cents, times are integer
/// epoch milliseconds, configuration is its wire JSON. A migration once released is never
/// edited: changes are new migrations.
enum SQLiteSchema {
    /// The migrator with every migration, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-config") { db in try db.execute(sql: config) }
        migrator.registerMigration("v1-leads") { db in try db.execute(sql: leads) }
        migrator.registerMigration("v1-records") { db in try db.execute(sql: records) }
        migrator.registerMigration("v1-money") { db in try db.execute(sql: money) }
        migrator.registerMigration("v1-pings") { db in try db.execute(sql: heldPings) }
        migrator.registerMigration("v1-suppressions") { db in try db.execute(sql: suppressions) }
        migrator.registerMigration("v2-sales") { db in try db.execute(sql: salesV2) }
        migrator.registerMigration("v2-records") { db in try db.execute(sql: "ALTER TABLE leads ADD COLUMN records BLOB") }
        migrator.registerMigration("v2-money") { db in try db.execute(sql: moneyV2) }
        migrator.registerMigration("v2-idempotency") { db in try db.execute(sql: idempotency) }
        migrator.registerMigration("v2-unused-indexes") { db in try db.execute(sql: unusedIndexes) }
        migrator.registerMigration("v2-rollups") { db in
            try db.execute(sql: rollups)
            try RollupBackfill.reports(db)
        }
        migrator.registerMigration("v3-seller-status") { db in try sellerStatus(db) }
        migrator.registerMigration("v3-webhooks") { db in try db.execute(sql: webhooks) }
        migrator.registerMigration("v3-bid-rollup") { db in
            try db.execute(sql: bidRollup)
            try RollupBackfill.bids(db)
        }
        migrator.registerMigration("v3-chain") { db in
            try db.execute(sql: chainV3)
            try SQLiteChain.sealExisting(db)
        }
        migrator.registerMigration("v3-privacy") { db in try migratePrivacy(db) }
        migrator.registerMigration("v4-readiness") { db in try db.execute(sql: readiness) }
        return migrator
    }

    /// One row the readiness check writes (`GET /readyz`): a write that succeeds proves the
    /// database file can take writes (its disk is not full).
    static let readiness = """
        CREATE TABLE readiness (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checked_at INTEGER NOT NULL
        );
        """

    /// Configuration, settings and API keys.
    static let config = """
        CREATE TABLE config (
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (kind, id)
        ) WITHOUT ROWID;
        CREATE TABLE settings (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            body TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            subject_id TEXT,
            hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL
        );
        """

    /// Leads, their contact keys (for dedupe) and the posting markers (for crash recovery).
    ///
    /// `status` is the current status; `outcome_status` what the recorded outcome said (NULL
    /// while pending). `seq` is an explicit row number (VACUUM keeps it) that `lead_contacts`
    /// points at. `lead_contacts` holds the keys of non-test, non-duplicate leads only, as
    /// 64-bit prefixes (see `ContactKeyIndex`).
    static let leads = """
        CREATE TABLE leads (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            seller_id TEXT NOT NULL,
            vertical TEXT NOT NULL,
            source TEXT NOT NULL,
            test INTEGER NOT NULL,
            fields TEXT NOT NULL,
            consent TEXT NOT NULL,
            contacts TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            ping_id TEXT,
            status TEXT NOT NULL,
            outcome_status TEXT,
            reason TEXT,
            revenue_cents INTEGER NOT NULL DEFAULT 0,
            payout_cents INTEGER NOT NULL DEFAULT 0,
            buyer TEXT,
            finished_at INTEGER,
            elapsed_us INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX leads_received ON leads(received_at);
        CREATE INDEX leads_seller ON leads(seller_id, received_at);
        CREATE INDEX leads_pending ON leads(id) WHERE status = 'pending';
        CREATE TABLE lead_contacts (
            key INTEGER NOT NULL,
            lead_seq INTEGER NOT NULL REFERENCES leads(seq),
            PRIMARY KEY (key, lead_seq)
        ) WITHOUT ROWID;
        CREATE TABLE postings (
            lead_id TEXT NOT NULL REFERENCES leads(id),
            campaign_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (lead_id, campaign_id)
        ) WITHOUT ROWID;
        """

    /// What happened to each lead: pings, posts, skips and sales, in order (`seq`).
    static let records = """
        CREATE TABLE pings (
            lead_id TEXT NOT NULL REFERENCES leads(id),
            seq INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            bid_cents INTEGER,
            effective_cents INTEGER,
            bid_id TEXT,
            latency_us INTEGER NOT NULL,
            detail TEXT,
            at INTEGER NOT NULL,
            PRIMARY KEY (lead_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX pings_campaign ON pings(campaign_id, at);
        CREATE TABLE posts (
            lead_id TEXT NOT NULL REFERENCES leads(id),
            seq INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            price_cents INTEGER NOT NULL,
            origin TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT,
            buyer_lead_id TEXT,
            latency_us INTEGER NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (lead_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX posts_campaign ON posts(campaign_id, at);
        CREATE TABLE skips (
            lead_id TEXT NOT NULL REFERENCES leads(id),
            seq INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (lead_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE sales (
            lead_id TEXT NOT NULL REFERENCES leads(id),
            seq INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            seller_id TEXT NOT NULL,
            price_cents INTEGER NOT NULL,
            payout_cents INTEGER NOT NULL,
            margin_cents INTEGER NOT NULL,
            buyer_lead_id TEXT,
            period_day INTEGER NOT NULL,
            counted INTEGER NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (lead_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX sales_campaign ON sales(campaign_id, at);
        CREATE INDEX sales_at ON sales(at);
        """

    /// The double-entry ledger and the persisted cap usage and buyer balances.
    static let money = """
        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            lead_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            account TEXT NOT NULL,
            amount_cents INTEGER NOT NULL,
            kind TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX ledger_lead ON ledger(lead_id);
        CREATE INDEX ledger_account ON ledger(account, at);
        CREATE TABLE usage (
            subject TEXT NOT NULL,
            period TEXT NOT NULL,
            leads INTEGER NOT NULL,
            spend_cents INTEGER NOT NULL,
            PRIMARY KEY (subject, period)
        ) WITHOUT ROWID;
        """

    /// Two-step pings held until posted or expired.
    static let heldPings = """
        CREATE TABLE held_pings (
            id TEXT PRIMARY KEY,
            seller_id TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            claimed_at INTEGER
        );
        CREATE INDEX held_pings_expiry ON held_pings(expires_at);
        """

    /// Buyers' suppression lists: SHA-256 digests as 32-byte BLOBs.
    static let suppressions = """
        CREATE TABLE suppressions (
            buyer_id TEXT NOT NULL,
            hash BLOB NOT NULL,
            PRIMARY KEY (buyer_id, hash)
        ) WITHOUT ROWID;
        """
}
