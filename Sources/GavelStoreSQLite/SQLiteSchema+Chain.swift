extension SQLiteSchema {
    /// The books' hash chain (see `Chain`) and the configuration journal it seals.
    ///
    /// `config_journal` has one row per configuration change (`ConfigChange`), written in the
    /// change's transaction. `chain` has one row per link, at `pos` 1, 2, 3, …; `kind`
    /// (`ledger`, `sale`, `config`), `ref_lead` (a sale's lead) and `ref_id` (a ledger or
    /// journal row's id, a sale's `seq`) say where its record is, so the audit joins each link
    /// to its record by primary key and the record tables need no extra column or index.
    static let chainV3 = """
        CREATE TABLE config_journal (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            record_id TEXT NOT NULL,
            op TEXT NOT NULL,
            body TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE TABLE chain (
            pos INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            ref_lead TEXT,
            ref_id INTEGER NOT NULL,
            record TEXT NOT NULL,
            digest TEXT NOT NULL,
            hash TEXT NOT NULL,
            at INTEGER NOT NULL
        );
        """
}
