/// The PostgreSQL schema as versioned, named migrations, each a list of single statements (the
/// extended query protocol runs one statement at a time). Money is BIGINT cents, times are
/// BIGINT epoch milliseconds (the exchange's clock), configuration is its wire JSON as text.
/// A migration once released is never edited: changes are new migrations.
enum PostgresSchema {
    /// A named migration.
    struct Migration: Sendable {
        let name: String
        let statements: [String]
    }

    /// Every migration, in order.
    static let migrations: [Migration] = [
        Migration(name: "v1-config", statements: config),
        Migration(name: "v1-nodes", statements: nodes),
        Migration(name: "v1-leads", statements: leads),
        Migration(name: "v1-records", statements: records),
        Migration(name: "v1-money", statements: money),
        Migration(name: "v1-caps", statements: caps),
        Migration(name: "v1-pings", statements: heldPings),
        Migration(name: "v1-suppressions", statements: suppressions),
        Migration(name: "v1-idempotency", statements: idempotency),
        Migration(name: "v1-rollups", statements: rollups),
        Migration(name: "v2-settle-confirmed-price", statements: [settleAtPriceFunction]),
        Migration(name: "v3-seller-status", statements: [sellerStatus]),
        Migration(name: "v3-webhooks", statements: webhooks),
        Migration(name: "v3-auction-notes", statements: [auctionNotes]),
        Migration(name: "v3-chain", statements: chain),
        Migration(name: "v3-privacy", statements: privacy),
        Migration(name: "v4-release-outstanding", statements: [releaseOutstandingFunction]),
    ]

    /// Each lead's auction note: the floor it ran with and why, and the order of its bids.
    static let auctionNotes = "ALTER TABLE leads ADD COLUMN auction_note TEXT"

    /// `v3-seller-status`: every seller stored before seller statuses gets `"status": "active"`
    /// in its wire JSON, so it goes on selling for real exactly as before.
    static let sellerStatus = """
        UPDATE config SET body = (body::jsonb || '{"status": "active"}'::jsonb)::text
        WHERE kind = 'seller' AND (body::jsonb -> 'status') IS NULL
        """

    /// The table that records applied migrations.
    static let migrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name TEXT PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
        )
        """

    /// Configuration, settings and API keys.
    static let config = [
        """
        CREATE TABLE config (
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (kind, id)
        )
        """,
        """
        CREATE TABLE settings (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            body TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            subject_id TEXT,
            hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            label TEXT NOT NULL DEFAULT '',
            created_at BIGINT NOT NULL
        )
        """,
    ]

    /// The running nodes: each beats `seen_at` (the database's clock); a node silent for the
    /// node timeout is gone, and its holds are released by the others.
    static let nodes = [
        """
        CREATE TABLE nodes (
            id TEXT PRIMARY KEY,
            started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
            seen_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
        )
        """
    ]

    /// Leads, their contact keys (for dedupe and campaign history) and the posting markers
    /// (for crash recovery).
    ///
    /// `status` is the current status; `outcome_status` what the recorded outcome said (NULL
    /// while pending); `node_id` the node that took the lead (reconcile only touches the leads
    /// of its own node or of gone nodes). `lead_contacts` holds the keys of non-test,
    /// non-duplicate leads as 32-byte digests (a key that is a lower-case SHA-256 hex digest as
    /// its bytes, any other key as the SHA-256 of its text).
    static let leads = [
        """
        CREATE TABLE leads (
            id TEXT PRIMARY KEY,
            seller_id TEXT NOT NULL,
            vertical TEXT NOT NULL,
            source TEXT NOT NULL,
            test BOOLEAN NOT NULL,
            fields TEXT NOT NULL,
            consent TEXT NOT NULL,
            contacts TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            ping_id TEXT,
            status TEXT NOT NULL,
            outcome_status TEXT,
            reason TEXT,
            revenue_cents BIGINT NOT NULL DEFAULT 0,
            payout_cents BIGINT NOT NULL DEFAULT 0,
            buyer TEXT,
            finished_at BIGINT,
            elapsed_us BIGINT NOT NULL DEFAULT 0,
            node_id TEXT NOT NULL
        )
        """,
        "CREATE INDEX leads_received ON leads (received_at)",
        "CREATE INDEX leads_seller ON leads (seller_id, received_at)",
        "CREATE INDEX leads_pending ON leads (node_id) WHERE status = 'pending'",
        """
        CREATE TABLE lead_contacts (
            key BYTEA NOT NULL,
            received_at BIGINT NOT NULL,
            lead_id TEXT NOT NULL REFERENCES leads (id),
            PRIMARY KEY (key, received_at, lead_id)
        )
        """,
        """
        CREATE TABLE postings (
            lead_id TEXT NOT NULL REFERENCES leads (id),
            campaign_id TEXT NOT NULL,
            at BIGINT NOT NULL,
            PRIMARY KEY (lead_id, campaign_id)
        )
        """,
        insertLeadFunction,
    ]

    /// Stores a lead in one statement: takes the transaction-scoped advisory lock of each of
    /// its contact keys (in ascending order, so two inserts never wait on each other in a
    /// cycle), looks for an earlier lead of the same consumer since `p_since`, and inserts the
    /// lead as a duplicate of it (counting it in the report deltas unless it is a test), or as
    /// pending with its keys. Returns the original's id, or
    /// NULL when the lead was inserted as pending. Under READ COMMITTED each statement sees
    /// every lead committed before the lock was granted, so two concurrent submissions of one
    /// consumer — on any nodes — cannot both pass.
    static let insertLeadFunction = """
        CREATE FUNCTION gavel_insert_lead(
            p_id TEXT, p_seller TEXT, p_vertical TEXT, p_source TEXT, p_test BOOLEAN, p_fields TEXT, p_consent TEXT,
            p_contacts TEXT, p_received BIGINT, p_ping TEXT, p_node TEXT, p_keys BYTEA[], p_locks BIGINT[], p_since BIGINT
        ) RETURNS TEXT LANGUAGE plpgsql AS $$
        DECLARE
            v_lock BIGINT;
            v_original TEXT;
        BEGIN
            FOREACH v_lock IN ARRAY p_locks LOOP
                PERFORM pg_advisory_xact_lock(v_lock);
            END LOOP;
            IF p_since IS NOT NULL THEN
                SELECT l.id INTO v_original
                FROM lead_contacts c JOIN leads l ON l.id = c.lead_id
                WHERE c.key = ANY (p_keys) AND c.received_at >= p_since AND l.status NOT IN ('duplicate', 'rejected')
                ORDER BY l.received_at, l.id
                LIMIT 1;
            END IF;
            INSERT INTO leads (id, seller_id, vertical, source, test, fields, consent, contacts, received_at, ping_id, node_id,
                status, outcome_status, reason, finished_at)
            VALUES (p_id, p_seller, p_vertical, p_source, p_test, p_fields, p_consent, p_contacts, p_received, p_ping, p_node,
                CASE WHEN v_original IS NULL THEN 'pending' ELSE 'duplicate' END,
                CASE WHEN v_original IS NULL THEN NULL ELSE 'duplicate' END,
                CASE WHEN v_original IS NULL THEN NULL ELSE 'duplicate' END,
                CASE WHEN v_original IS NULL THEN NULL ELSE p_received END);
            IF v_original IS NULL AND NOT p_test THEN
                INSERT INTO lead_contacts (key, received_at, lead_id)
                SELECT DISTINCT k, p_received, p_id FROM unnest(p_keys) AS k;
            ELSIF NOT p_test THEN
                INSERT INTO rollup_deltas (hour, campaign_id, buyer_id, seller_id, source, vertical, leads)
                VALUES (floor(p_received / 3600000.0)::BIGINT, '', '', p_seller, p_source, p_vertical, 1);
            END IF;
            RETURN v_original;
        END
        $$
        """

    /// What happened to each lead: pings, posts, skips and sales, in order (`seq`). A sale
    /// keeps its return window and, once returned, when and why.
    static let records = [
        """
        CREATE TABLE pings (
            lead_id TEXT NOT NULL REFERENCES leads (id),
            seq INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            bid_cents BIGINT,
            effective_cents BIGINT,
            bid_id TEXT,
            latency_us BIGINT NOT NULL,
            detail TEXT,
            at BIGINT NOT NULL,
            PRIMARY KEY (lead_id, seq)
        )
        """,
        """
        CREATE TABLE posts (
            lead_id TEXT NOT NULL REFERENCES leads (id),
            seq INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            price_cents BIGINT NOT NULL,
            origin TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT,
            buyer_lead_id TEXT,
            latency_us BIGINT NOT NULL,
            at BIGINT NOT NULL,
            PRIMARY KEY (lead_id, seq)
        )
        """,
        """
        CREATE TABLE skips (
            lead_id TEXT NOT NULL REFERENCES leads (id),
            seq INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (lead_id, seq)
        )
        """,
        """
        CREATE TABLE sales (
            lead_id TEXT NOT NULL REFERENCES leads (id),
            seq INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            seller_id TEXT NOT NULL,
            price_cents BIGINT NOT NULL,
            payout_cents BIGINT NOT NULL,
            margin_cents BIGINT NOT NULL,
            buyer_lead_id TEXT,
            period_day INTEGER NOT NULL,
            counted BOOLEAN NOT NULL,
            at BIGINT NOT NULL,
            return_window_days INTEGER NOT NULL,
            returned_at BIGINT,
            return_reason TEXT,
            PRIMARY KEY (lead_id, seq)
        )
        """,
        "CREATE INDEX sales_campaign ON sales (campaign_id, at)",
        "CREATE INDEX sales_buyer ON sales (buyer_id, at)",
        "CREATE INDEX sales_buyer_returns ON sales (buyer_id, returned_at) WHERE returned_at IS NOT NULL",
    ]

    /// The double-entry ledger and conversions.
    static let money = [
        """
        CREATE TABLE ledger (
            id BIGSERIAL PRIMARY KEY,
            lead_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            account TEXT NOT NULL,
            amount_cents BIGINT NOT NULL,
            kind TEXT NOT NULL,
            at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX ledger_lead ON ledger (lead_id)",
        "CREATE INDEX ledger_account ON ledger (account, at)",
        """
        CREATE TABLE conversions (
            lead_id TEXT NOT NULL REFERENCES leads (id),
            buyer_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            value_cents BIGINT,
            at BIGINT NOT NULL,
            PRIMARY KEY (lead_id, buyer_id)
        )
        """,
    ]

    /// Cap usage and buyer balances, and the holds that count in them.
    ///
    /// `usage` rows are `(campaign:<id>, d:…|w:…|m:…)` and `(buyer:<id>, balance)`; they count
    /// sold leads plus outstanding holds. Every change to several usage rows first locks them
    /// in `(subject, period)` order (`gavel_lock_usage`), so concurrent holds, releases and
    /// sales on any nodes never deadlock. `cap_holds` has one row per outstanding hold, tagged
    /// with its node (`created_at` is the database's clock).
    static let caps = [
        """
        CREATE TABLE usage (
            subject TEXT NOT NULL,
            period TEXT NOT NULL,
            leads BIGINT NOT NULL,
            spend_cents BIGINT NOT NULL,
            PRIMARY KEY (subject, period)
        )
        """,
        """
        CREATE TABLE cap_holds (
            id BIGSERIAL PRIMARY KEY,
            node_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            day_key TEXT NOT NULL,
            week_key TEXT NOT NULL,
            month_key TEXT NOT NULL,
            price_cents BIGINT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
        )
        """,
        "CREATE INDEX cap_holds_match ON cap_holds (node_id, campaign_id, day_key, price_cents)",
        lockUsageFunction,
        addUsageFunction,
        holdFunction,
        releaseFunction,
        settleFunction,
        dropHoldFunction,
    ]

    /// Creates a campaign's three period rows and its buyer's balance row if missing, then
    /// locks all four in `(subject, period)` order.
    static let lockUsageFunction = """
        CREATE FUNCTION gavel_lock_usage(p_campaign TEXT, p_buyer TEXT, p_day TEXT, p_week TEXT, p_month TEXT)
        RETURNS VOID LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO usage (subject, period, leads, spend_cents)
            SELECT k.subject, k.period, 0, 0
            FROM (VALUES ('campaign:' || p_campaign, p_day), ('campaign:' || p_campaign, p_week),
                ('campaign:' || p_campaign, p_month), ('buyer:' || p_buyer, 'balance')) AS k (subject, period)
            ORDER BY k.subject, k.period
            ON CONFLICT DO NOTHING;
            PERFORM 1 FROM usage
            WHERE (subject, period) IN (('campaign:' || p_campaign, p_day), ('campaign:' || p_campaign, p_week),
                ('campaign:' || p_campaign, p_month), ('buyer:' || p_buyer, 'balance'))
            ORDER BY subject, period
            FOR UPDATE;
        END
        $$
        """

    /// Adds leads and spend to the four rows of a hold (never below zero), under their locks.
    static let addUsageFunction = """
        CREATE FUNCTION gavel_add_usage(
            p_campaign TEXT, p_buyer TEXT, p_day TEXT, p_week TEXT, p_month TEXT, p_leads BIGINT, p_cents BIGINT
        ) RETURNS VOID LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM gavel_lock_usage(p_campaign, p_buyer, p_day, p_week, p_month);
            UPDATE usage SET leads = GREATEST(0, leads + p_leads), spend_cents = GREATEST(0, spend_cents + p_cents)
            WHERE (subject, period) IN (('campaign:' || p_campaign, p_day), ('campaign:' || p_campaign, p_week),
                ('campaign:' || p_campaign, p_month), ('buyer:' || p_buyer, 'balance'));
        END
        $$
        """

    /// Holds a cap slot and buyer credit: locks the four rows, checks every cap (NULL is no
    /// cap) and then the credit limit, and only when all admit one more lead at the price adds
    /// it and records the hold. Returns `held`, `cap_reached` or `credit_exceeded`.
    static let holdFunction = """
        CREATE FUNCTION gavel_hold(
            p_node TEXT, p_campaign TEXT, p_buyer TEXT, p_day TEXT, p_week TEXT, p_month TEXT, p_price BIGINT,
            p_day_leads BIGINT, p_week_leads BIGINT, p_month_leads BIGINT, p_day_spend BIGINT, p_month_spend BIGINT,
            p_credit_limit BIGINT
        ) RETURNS TEXT LANGUAGE plpgsql AS $$
        DECLARE
            v_day usage%ROWTYPE;
            v_week usage%ROWTYPE;
            v_month usage%ROWTYPE;
            v_balance usage%ROWTYPE;
        BEGIN
            PERFORM gavel_lock_usage(p_campaign, p_buyer, p_day, p_week, p_month);
            SELECT * INTO v_day FROM usage WHERE subject = 'campaign:' || p_campaign AND period = p_day;
            SELECT * INTO v_week FROM usage WHERE subject = 'campaign:' || p_campaign AND period = p_week;
            SELECT * INTO v_month FROM usage WHERE subject = 'campaign:' || p_campaign AND period = p_month;
            SELECT * INTO v_balance FROM usage WHERE subject = 'buyer:' || p_buyer AND period = 'balance';
            IF v_day.leads + 1 > p_day_leads OR v_week.leads + 1 > p_week_leads OR v_month.leads + 1 > p_month_leads
                OR v_day.spend_cents + p_price > p_day_spend OR v_month.spend_cents + p_price > p_month_spend THEN
                RETURN 'cap_reached';
            END IF;
            IF v_balance.spend_cents + p_price > p_credit_limit THEN
                RETURN 'credit_exceeded';
            END IF;
            UPDATE usage SET leads = leads + 1, spend_cents = spend_cents + p_price
            WHERE (subject, period) IN (('campaign:' || p_campaign, p_day), ('campaign:' || p_campaign, p_week),
                ('campaign:' || p_campaign, p_month), ('buyer:' || p_buyer, 'balance'));
            INSERT INTO cap_holds (node_id, campaign_id, buyer_id, day_key, week_key, month_key, price_cents)
            VALUES (p_node, p_campaign, p_buyer, p_day, p_week, p_month, p_price);
            RETURN 'held';
        END
        $$
        """

    /// Releases a hold whose post did not sell: gives back one lead and its price (as the
    /// SQLite store does, whether or not a matching hold is found) and forgets one matching
    /// hold of the node (`SKIP LOCKED`: never two releases for one hold row).
    static let releaseFunction = """
        CREATE FUNCTION gavel_release(
            p_node TEXT, p_campaign TEXT, p_buyer TEXT, p_day TEXT, p_week TEXT, p_month TEXT, p_price BIGINT
        ) RETURNS VOID LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM gavel_add_usage(p_campaign, p_buyer, p_day, p_week, p_month, -1, -p_price);
            DELETE FROM cap_holds WHERE id = (
                SELECT id FROM cap_holds
                WHERE node_id = p_node AND campaign_id = p_campaign AND day_key = p_day AND price_cents = p_price
                    AND buyer_id = p_buyer
                LIMIT 1 FOR UPDATE SKIP LOCKED);
        END
        $$
        """

    /// Releases a hold whose post did not sell, if the node holds a matching one: forgets it
    /// and gives back its lead and price; without one nothing changes. So a release that failed
    /// (and may or may not have happened) can safely be made again, and a hold that failed (and
    /// may or may not have been taken) can be released to be sure. The usage rows are locked
    /// first, as every change to them does.
    static let releaseOutstandingFunction = """
        CREATE OR REPLACE FUNCTION gavel_release(
            p_node TEXT, p_campaign TEXT, p_buyer TEXT, p_day TEXT, p_week TEXT, p_month TEXT, p_price BIGINT
        ) RETURNS VOID LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM gavel_lock_usage(p_campaign, p_buyer, p_day, p_week, p_month);
            DELETE FROM cap_holds WHERE id = (
                SELECT id FROM cap_holds
                WHERE node_id = p_node AND campaign_id = p_campaign AND day_key = p_day AND price_cents = p_price
                    AND buyer_id = p_buyer
                LIMIT 1 FOR UPDATE SKIP LOCKED);
            IF FOUND THEN
                PERFORM gavel_add_usage(p_campaign, p_buyer, p_day, p_week, p_month, -1, -p_price);
            END IF;
        END
        $$
        """

    /// Counts a sale: when the node holds a matching hold, the sale takes it over (its slot is
    /// already counted); otherwise (a sale recorded without a hold) the sale is added.
    static let settleFunction = """
        CREATE FUNCTION gavel_settle(
            p_node TEXT, p_campaign TEXT, p_buyer TEXT, p_day TEXT, p_week TEXT, p_month TEXT, p_hold_price BIGINT,
            p_price BIGINT
        ) RETURNS VOID LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM cap_holds WHERE id = (
                SELECT id FROM cap_holds
                WHERE node_id = p_node AND campaign_id = p_campaign AND day_key = p_day AND price_cents = p_hold_price
                    AND buyer_id = p_buyer
                LIMIT 1 FOR UPDATE SKIP LOCKED);
            IF NOT FOUND THEN
                PERFORM gavel_add_usage(p_campaign, p_buyer, p_day, p_week, p_month, 1, p_price);
            END IF;
        END
        $$
        """

    /// Settles a sale against its hold when the buyer was charged another price than the hold
    /// reserved (a mapped buyer confirming a lower price): the usage moves by the difference,
    /// so caps and the buyer's balance count what was charged.
    static let settleAtPriceFunction = """
        CREATE OR REPLACE FUNCTION gavel_settle(
            p_node TEXT, p_campaign TEXT, p_buyer TEXT, p_day TEXT, p_week TEXT, p_month TEXT, p_hold_price BIGINT,
            p_price BIGINT
        ) RETURNS VOID LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM cap_holds WHERE id = (
                SELECT id FROM cap_holds
                WHERE node_id = p_node AND campaign_id = p_campaign AND day_key = p_day AND price_cents = p_hold_price
                    AND buyer_id = p_buyer
                LIMIT 1 FOR UPDATE SKIP LOCKED);
            IF NOT FOUND THEN
                PERFORM gavel_add_usage(p_campaign, p_buyer, p_day, p_week, p_month, 1, p_price);
            ELSIF p_price <> p_hold_price THEN
                PERFORM gavel_add_usage(p_campaign, p_buyer, p_day, p_week, p_month, 0, p_price - p_hold_price);
            END IF;
        END
        $$
        """

    /// Releases one hold by id (a gone node's, or this node's at shutdown); `false` when
    /// another node released it first.
    static let dropHoldFunction = """
        CREATE FUNCTION gavel_drop_hold(p_id BIGINT) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
        DECLARE
            v_hold cap_holds%ROWTYPE;
        BEGIN
            DELETE FROM cap_holds WHERE id = p_id RETURNING * INTO v_hold;
            IF NOT FOUND THEN
                RETURN FALSE;
            END IF;
            PERFORM gavel_add_usage(v_hold.campaign_id, v_hold.buyer_id, v_hold.day_key, v_hold.week_key, v_hold.month_key,
                -1, -v_hold.price_cents);
            RETURN TRUE;
        END
        $$
        """

    /// Two-step pings held until posted or expired.
    static let heldPings = [
        """
        CREATE TABLE held_pings (
            id TEXT PRIMARY KEY,
            seller_id TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            claimed_at BIGINT
        )
        """,
        "CREATE INDEX held_pings_expiry ON held_pings (expires_at)",
    ]

    /// Buyers' suppression lists: SHA-256 digests as 32 bytes, indexed by digest for matching;
    /// `suppression_lists` keeps each list's size.
    static let suppressions = [
        """
        CREATE TABLE suppressions (
            buyer_id TEXT NOT NULL,
            hash BYTEA NOT NULL,
            PRIMARY KEY (buyer_id, hash)
        )
        """,
        "CREATE INDEX suppressions_hash ON suppressions (hash)",
        """
        CREATE TABLE suppression_lists (
            buyer_id TEXT PRIMARY KEY,
            size BIGINT NOT NULL
        )
        """,
    ]

    /// Sellers' idempotency keys: `status` is NULL while the first request is in progress.
    static let idempotency = [
        """
        CREATE TABLE idempotency_keys (
            seller_id TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            status INTEGER,
            body BYTEA,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (seller_id, key)
        )
        """,
        "CREATE INDEX idempotency_created ON idempotency_keys (created_at)",
    ]

    /// Report rollups by UTC hour of lead arrival (hours since the epoch), one row per group:
    /// the leads' side with `campaign_id = ''` and `buyer_id = ''`, the campaigns' side per
    /// campaign and buyer. Writers only append to `rollup_deltas` (no hot rows to contend for
    /// across nodes); a node folds the deltas into `rollup_rows` and `rollup_latency` every
    /// heartbeat, and reports read both. Latency buckets are counted on the campaigns' side
    /// only (the leads' side is their sum).
    static let rollups = [
        """
        CREATE TABLE rollup_rows (
            hour BIGINT NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            seller_id TEXT NOT NULL,
            source TEXT NOT NULL,
            vertical TEXT NOT NULL,
            \(counterColumns),
            PRIMARY KEY (hour, campaign_id, buyer_id, seller_id, source, vertical)
        )
        """,
        "CREATE INDEX rollup_rows_buyer ON rollup_rows (buyer_id, hour)",
        "CREATE INDEX rollup_rows_seller ON rollup_rows (seller_id, hour)",
        """
        CREATE TABLE rollup_latency (
            hour BIGINT NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            seller_id TEXT NOT NULL,
            source TEXT NOT NULL,
            vertical TEXT NOT NULL,
            bucket INTEGER NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (hour, campaign_id, buyer_id, seller_id, source, vertical, bucket)
        )
        """,
        """
        CREATE TABLE rollup_deltas (
            id BIGSERIAL PRIMARY KEY,
            hour BIGINT NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            seller_id TEXT NOT NULL,
            source TEXT NOT NULL,
            vertical TEXT NOT NULL,
            \(counterColumns),
            buckets INTEGER[] NOT NULL DEFAULT '{}',
            bucket_counts BIGINT[] NOT NULL DEFAULT '{}'
        )
        """,
    ]

    /// The counted facts of a rollup row (see ``ReportRow``).
    static let counterNames = [
        "leads", "pings", "bids", "sold", "accepted", "rejected", "returned", "conversions", "revenue_cents", "payout_cents", "timeouts",
    ]

    private static let counterColumns = counterNames.map { "\($0) BIGINT NOT NULL DEFAULT 0" }.joined(separator: ",\n    ")
}
