import GRDB
import GavelCore
import GavelStoreSupport

/// The books' hash chain in the SQLite store, sealed inline: a write that adds ledger entries,
/// sales or configuration changes links them in its own transaction (inside its group-commit
/// savepoint), after the head it reads from `chain` — so a write that rolls back takes its
/// links with it, and there is no in-memory head to fall out of step. The cost on the hot path
/// is one indexed read of the head, two SHA-256 per record and one appended row per record.
enum SQLiteChain {
    static let hasher = SHA256ContactHasher()

    /// Links records, in order, after the chain's current head.
    static func append(_ records: [ChainRecord], at: Timestamp, db: Database) throws {
        guard !records.isEmpty else { return }
        let links = Chain.link(records, after: try head(db), at: at, hasher: hasher)
        let statement = try db.cachedStatement(
            sql: "INSERT INTO chain (pos, kind, ref_lead, ref_id, record, digest, hash, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        for (record, link) in zip(records, links) {
            let place = Place(record)
            statement.setUncheckedArguments([
                link.pos, place.kind, place.lead, place.id, link.record, link.digest, link.hash, at.milliseconds,
            ])
            try statement.execute()
        }
    }

    /// Writes a configuration change to the journal and links it.
    static func journal(_ change: ConfigChange, db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO config_journal (kind, record_id, op, body, at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [change.kind, change.recordID, change.op.rawValue, change.body, change.at.milliseconds])
        try append([.config(ChainRecord.Config(id: db.lastInsertedRowID, change))], at: change.at, db: db)
    }

    /// The chain's last link (`nil` when empty).
    static func head(_ db: Database) throws -> ChainHead? {
        let statement = try db.cachedStatement(sql: "SELECT pos, hash, at FROM chain ORDER BY pos DESC LIMIT 1")
        return try Row.fetchOne(statement).map { ChainHead(pos: $0[0], hash: $0[1], at: Timestamp(milliseconds: $0[2])) }
    }

    /// The link at a position.
    static func link(at pos: Int64, db: Database) throws -> ChainLink? {
        try Row.fetchOne(db, sql: "SELECT pos, record, digest, hash, at FROM chain WHERE pos = ?", arguments: [pos]).map {
            ChainLink(pos: $0[0], record: $0[1], digest: $0[2], hash: $0[3], at: Timestamp(milliseconds: $0[4]))
        }
    }

    /// Where a record is stored: its table (`kind`), a sale's lead, and its id (a sale's seq).
    struct Place {
        var kind: String
        var lead: String?
        var id: Int64

        init(_ record: ChainRecord) {
            switch record {
            case .ledger(let row): (kind, lead, id) = ("ledger", nil, row.id)
            case .sale(let row): (kind, lead, id) = ("sale", row.leadID, row.seq)
            case .config(let row): (kind, lead, id) = ("config", nil, row.id)
            }
        }
    }
}

// MARK: Existing records

extension SQLiteChain {
    /// How many records the migration links per step.
    static let sealChunk = 10_000

    /// Links the records a database held before it had a chain (migration `v3-chain`), in a
    /// deterministic order: sales by time, lead and seq, then ledger entries by id.
    static func sealExisting(_ db: Database) throws {
        let at = SystemWallClock().now()
        try sealAll(db, at: at, sql: "SELECT \(saleColumns) FROM sales s ORDER BY s.at, s.lead_id, s.seq") { .sale(sale($0, 0)) }
        try sealAll(db, at: at, sql: "SELECT \(ledgerColumns) FROM ledger l ORDER BY l.id") { .ledger(ledger($0, 0)) }
    }

    private static func sealAll(
        _ db: Database, at: Timestamp, sql: String, record: (Row) -> ChainRecord
    ) throws {
        let rows = try Row.fetchCursor(db, sql: sql)
        var pending: [ChainRecord] = []
        while let row = try rows.next() {
            pending.append(record(row))
            if pending.count == sealChunk {
                try append(pending, at: at, db: db)
                pending = []
            }
        }
        try append(pending, at: at, db: db)
    }
}

// MARK: Verification

extension SQLiteChain {
    static let ledgerColumns = "l.id, l.lead_id, l.campaign_id, l.account, l.amount_cents, l.kind, l.at"
    static let saleColumns = """
        s.lead_id, s.seq, s.campaign_id, s.buyer_id, s.seller_id, s.price_cents, s.payout_cents, s.margin_cents,
        s.return_window_days, s.at
        """
    static let journalColumns = "j.id, j.kind, j.record_id, j.op, j.body, j.at"

    /// Every link in position order with the record it points at (`NULL` columns when there is
    /// none): links, then 7 ledger, 10 sale and 6 journal columns.
    static let linksAndRecords = """
        SELECT c.pos, c.record, c.digest, c.hash, c.at, \(ledgerColumns), \(saleColumns), \(journalColumns)
        FROM chain c
        LEFT JOIN ledger l ON c.kind = 'ledger' AND l.id = c.ref_id
        LEFT JOIN sales s ON c.kind = 'sale' AND s.lead_id = c.ref_lead AND s.seq = c.ref_id
        LEFT JOIN config_journal j ON c.kind = 'config' AND j.id = c.ref_id
        ORDER BY c.pos
        """

    /// Verifies the chain, streaming it (one row in memory at a time), then counts the records
    /// that are not in it: with inline sealing, every record must be.
    static func verify(_ db: Database) throws -> ChainReport {
        var verifier = ChainVerifier(hasher: hasher)
        var linked = 0
        let rows = try Row.fetchCursor(db, sql: linksAndRecords)
        while let row = try rows.next() {
            let record = try record(row)
            if record != nil { linked += 1 }
            verifier.check(link(row), record: record)
        }
        let total =
            try Int.fetchOne(
                db, sql: "SELECT (SELECT count(*) FROM ledger) + (SELECT count(*) FROM sales) + (SELECT count(*) FROM config_journal)") ?? 0
        if total > linked { verifier.outsideChain(count: total - linked, first: try firstOutside(db)) }
        return verifier.report
    }

    private static func link(_ row: Row) -> ChainLink {
        ChainLink(pos: row[0], record: row[1], digest: row[2], hash: row[3], at: Timestamp(milliseconds: row[4]))
    }

    private static func record(_ row: Row) throws -> ChainRecord? {
        if !row.hasNull(atIndex: 5) { return .ledger(ledger(row, 5)) }
        if !row.hasNull(atIndex: 12) { return .sale(sale(row, 12)) }
        if !row.hasNull(atIndex: 22) {
            return .config(ChainRecord.Config(id: row[22], kind: row[23], recordID: row[24], op: row[25], body: row[26], at: row[27]))
        }
        return nil
    }

    private static func ledger(_ row: Row, _ first: Int) -> ChainRecord.Ledger {
        ChainRecord.Ledger(
            id: row[first], leadID: row[first + 1], campaignID: row[first + 2], account: row[first + 3], cents: row[first + 4],
            kind: row[first + 5], at: row[first + 6])
    }

    private static func sale(_ row: Row, _ first: Int) -> ChainRecord.Sale {
        ChainRecord.Sale(
            leadID: row[first], seq: row[first + 1], campaignID: row[first + 2], buyerID: row[first + 3], sellerID: row[first + 4],
            priceCents: row[first + 5], payoutCents: row[first + 6], marginCents: row[first + 7], returnWindowDays: row[first + 8],
            at: row[first + 9])
    }

    /// The first record no link points at (sales, then ledger entries, then configuration
    /// changes), by how a report names it.
    private static func firstOutside(_ db: Database) throws -> String? {
        if let row = try Row.fetchOne(
            db,
            sql: """
                SELECT lead_id, seq FROM sales WHERE (lead_id, seq) NOT IN (SELECT ref_lead, ref_id FROM chain WHERE kind = 'sale')
                ORDER BY lead_id, seq LIMIT 1
                """)
        {
            return "sale \(row[0] as String)#\(row[1] as Int64)"
        }
        if let row = try Row.fetchOne(
            db,
            sql:
                "SELECT \(ledgerColumns) FROM ledger l WHERE l.id NOT IN (SELECT ref_id FROM chain WHERE kind = 'ledger') ORDER BY l.id LIMIT 1"
        ) {
            return ChainRecord.ledger(ledger(row, 0)).label
        }
        let journal = try Int64.fetchOne(
            db, sql: "SELECT id FROM config_journal WHERE id NOT IN (SELECT ref_id FROM chain WHERE kind = 'config') ORDER BY id LIMIT 1")
        return journal.map { "configuration change \($0)" }
    }
}
