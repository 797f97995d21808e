extension PostgresSchema {
    /// The books' hash chain (see `Chain`) and the configuration journal it seals.
    ///
    /// Ledger rows, sales and `config_journal` rows (one per configuration change, written in
    /// the change's transaction) get `chain_pos`: NULL until the background sealer links them,
    /// then their link's position. The `(chain_pos, …)` indexes find the unsealed rows in the
    /// sealer's order and join each link to its record for the audit. Existing rows start
    /// unsealed: the first sealer run links them.
    static let chain = [
        "ALTER TABLE ledger ADD COLUMN chain_pos BIGINT",
        "ALTER TABLE sales ADD COLUMN chain_pos BIGINT",
        """
        CREATE TABLE config_journal (
            id BIGSERIAL PRIMARY KEY,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            op TEXT NOT NULL,
            body TEXT NOT NULL,
            at BIGINT NOT NULL,
            chain_pos BIGINT
        )
        """,
        """
        CREATE TABLE chain (
            pos BIGINT PRIMARY KEY,
            record TEXT NOT NULL,
            digest TEXT NOT NULL,
            hash TEXT NOT NULL,
            at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX ledger_chain ON ledger (chain_pos, id)",
        "CREATE INDEX sales_chain ON sales (chain_pos, lead_id, seq)",
        "CREATE INDEX config_journal_chain ON config_journal (chain_pos, id)",
    ]
}
