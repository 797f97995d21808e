import GavelCore
import GavelStoreSupport
import PostgresNIO

/// The books' hash chain on PostgreSQL, sealed in the background. Linking inline would make
/// every node's sale wait on the one head row; instead a sale, return, payment or
/// configuration change is written with `chain_pos` NULL (nothing extra on its transaction but
/// one entry in the `(chain_pos, …)` index), and ``sealChain()`` — a `ChainSealer` service on
/// every node, every second — links what is unsealed, one node at a time (a transaction-scoped
/// advisory lock): it reads the head, takes the unsealed rows in a stable order (configuration
/// changes by id, sales by lead and seq, ledger entries by id), links them after the head and
/// sets their `chain_pos`, all in one transaction. A row committed late just gets a later
/// position.
extension PostgresStore: ChainStore {
    /// The transaction advisory lock (two 32-bit keys: "gavel", "chain") that lets one node at
    /// a time seal.
    static let chainLock = "1734439276, 1667785065"

    /// How many records one sealing transaction links at most.
    static let sealChunk = 2_000

    static let chainHasher = SHA256ContactHasher()

    /// Seals in the background (see the extension's notes).
    public var chainSealing: ChainSealing { .background }

    /// Links the unsealed records, a chunk per transaction, until none is left (or another
    /// node is sealing right now, or 50 chunks were linked); returns how many it linked.
    @discardableResult
    public func sealChain() async throws -> Int {
        var total = 0
        for _ in 0..<50 {
            let sealed = try await sealChainChunk()
            total += sealed
            guard sealed == Self.sealChunk else { break }
        }
        return total
    }

    /// The chain's last link.
    public func chainHead() async throws -> ChainHead {
        try await withConnection { connection in try await self.head(on: connection) } ?? .empty
    }

    /// The link at a position, `nil` beyond the chain's end.
    public func chainLink(at pos: Int64) async throws -> ChainLink? {
        let rows = try await rows("SELECT pos, record, digest, hash, at FROM chain WHERE pos = \(pos)")
        return try rows.first.map { row in
            let (pos, record, digest, hash, at) = try row.decode((Int64, String, String, String, Int64).self)
            return ChainLink(pos: pos, record: record, digest: digest, hash: hash, at: Timestamp(milliseconds: at))
        }
    }

    // MARK: Sealing

    private func sealChainChunk() async throws -> Int {
        try await transaction(limit: .unbounded) { connection in
            let locked = try await connection.all("SELECT pg_try_advisory_xact_lock(\(unescaped: Self.chainLock))", logger: self.logger)
            guard try locked.first?.decode(Bool.self) == true else { return 0 }
            let records = try await self.unsealed(on: connection)
            guard !records.isEmpty else { return 0 }
            let links = Chain.link(records, after: try await self.head(on: connection), at: self.clock.now(), hasher: Self.chainHasher)
            try await self.insert(links, on: connection)
            try await self.mark(records, at: links.map(\.pos), on: connection)
            return records.count
        }
    }

    private func head(on connection: PostgresConnection) async throws -> ChainHead? {
        let rows = try await connection.all("SELECT pos, hash, at FROM chain ORDER BY pos DESC LIMIT 1", logger: logger)
        return try rows.first.map { row in
            let (pos, hash, at) = try row.decode((Int64, String, Int64).self)
            return ChainHead(pos: pos, hash: hash, at: Timestamp(milliseconds: at))
        }
    }

    /// Up to a chunk of unsealed records: configuration changes, then sales, then ledger
    /// entries.
    private func unsealed(on connection: PostgresConnection) async throws -> [ChainRecord] {
        var records: [ChainRecord] = []
        for table in [PostgresChainRow.Table.journal, .sales, .ledger] where records.count < Self.sealChunk {
            let query = PostgresQuery(
                unsafeSQL: "SELECT \(table.columns) FROM \(table.name) WHERE \(table.alias).chain_pos IS NULL ORDER BY \(table.order) "
                    + "LIMIT \(Self.sealChunk - records.count)")
            for row in try await connection.all(query, logger: logger) {
                records.append(try table.record(PostgresRandomAccessRow(row), from: 0))
            }
        }
        return records
    }

    private func insert(_ links: [ChainLink], on connection: PostgresConnection) async throws {
        guard let at = links.first?.at.milliseconds else { return }
        try await connection.query(
            """
            INSERT INTO chain (pos, record, digest, hash, at)
            SELECT u.pos, u.record, u.digest, u.hash, \(at)
            FROM unnest(\(links.map(\.pos)), \(links.map(\.record)), \(links.map(\.digest)), \(links.map(\.hash)))
                AS u (pos, record, digest, hash)
            """, logger: logger)
    }

    /// Sets the records' `chain_pos`; fails (rolling the links back) unless each was still
    /// unsealed.
    private func mark(_ records: [ChainRecord], at positions: [Int64], on connection: PostgresConnection) async throws {
        var (ledger, sales, journal) = (Marks(), Marks(), Marks())
        for (record, pos) in zip(records, positions) {
            switch record {
            case .ledger(let row): ledger.add(id: row.id, pos: pos)
            case .sale(let row): sales.add(id: row.seq, lead: row.leadID, pos: pos)
            case .config(let row): journal.add(id: row.id, pos: pos)
            }
        }
        let marked = try await connection.all(
            """
            WITH l AS (
                UPDATE ledger SET chain_pos = u.pos FROM unnest(\(ledger.ids), \(ledger.positions)) AS u (id, pos)
                WHERE ledger.id = u.id AND ledger.chain_pos IS NULL RETURNING 1),
            s AS (
                UPDATE sales SET chain_pos = u.pos FROM unnest(\(sales.leads), \(sales.ids), \(sales.positions)) AS u (lead_id, seq, pos)
                WHERE sales.lead_id = u.lead_id AND sales.seq = u.seq AND sales.chain_pos IS NULL RETURNING 1),
            j AS (
                UPDATE config_journal SET chain_pos = u.pos FROM unnest(\(journal.ids), \(journal.positions)) AS u (id, pos)
                WHERE config_journal.id = u.id AND config_journal.chain_pos IS NULL RETURNING 1)
            SELECT (SELECT count(*) FROM l) + (SELECT count(*) FROM s) + (SELECT count(*) FROM j)
            """, logger: logger)
        guard try marked.first?.decode(Int64.self) == Int64(records.count) else {
            throw StorageError.unavailable("the chain sealer found records sealed under it")
        }
    }

    /// The records of one table to mark, as arrays for `unnest`.
    private struct Marks {
        var ids: [Int64] = []
        var leads: [String] = []
        var positions: [Int64] = []

        mutating func add(id: Int64, lead: String? = nil, pos: Int64) {
            ids.append(id)
            if let lead { leads.append(lead) }
            positions.append(pos)
        }
    }
}

// MARK: Verification

extension PostgresStore {
    /// Verifies the chain on a snapshot, streaming the links in position order with their
    /// records, then counts sealed records without a link (a problem) and unsealed ones (a
    /// warning when the oldest waited longer than the grace period).
    func verifyChain(on connection: PostgresConnection) async throws -> ChainReport {
        var verifier = ChainVerifier(hasher: Self.chainHasher)
        var linked = 0
        let rows = try await connection.query(PostgresQuery(unsafeSQL: PostgresChainRow.linksAndRecords), logger: logger)
        for try await row in rows {
            let columns = PostgresRandomAccessRow(row)
            let record = try PostgresChainRow.record(columns)
            if record != nil { linked += 1 }
            verifier.check(try PostgresChainRow.link(columns), record: record)
        }
        let counts = try await connection.all(PostgresQuery(unsafeSQL: PostgresChainRow.counts), logger: logger)
        guard let row = counts.first else { throw StorageError.unavailable("the chain counts returned no row") }
        let (sealed, waiting, oldest) = try row.decode((Int64, Int64, Int64?).self)
        if sealed > linked {
            verifier.outsideChain(count: Int(sealed) - linked, first: try await firstUnlinked(on: connection))
        }
        verifier.waiting(count: Int(waiting), oldest: oldest.map(Timestamp.init(milliseconds:)), now: clock.now())
        return verifier.report
    }

    /// The first sealed record whose link is gone, by how a report names it.
    private func firstUnlinked(on connection: PostgresConnection) async throws -> String? {
        for table in [PostgresChainRow.Table.journal, .sales, .ledger] {
            let rows = try await connection.all(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(table.columns) FROM \(table.name) WHERE \(table.alias).chain_pos IS NOT NULL
                            AND NOT EXISTS (SELECT 1 FROM chain c WHERE c.pos = \(table.alias).chain_pos)
                        ORDER BY \(table.alias).chain_pos LIMIT 1
                        """), logger: logger)
            if let row = rows.first { return try table.record(PostgresRandomAccessRow(row), from: 0).label }
        }
        return nil
    }
}

/// How the chain's queries read records from rows.
enum PostgresChainRow {
    /// A table of chained records.
    enum Table {
        case ledger, sales, journal

        /// The table with its alias.
        var name: String {
            switch self {
            case .ledger: "ledger l"
            case .sales: "sales s"
            case .journal: "config_journal j"
            }
        }

        /// Its alias.
        var alias: String { String(name.suffix(1)) }

        /// The sealed columns, in the order of ``ChainRecord``'s canonical text.
        var columns: String {
            switch self {
            case .ledger: "l.id, l.lead_id, l.campaign_id, l.account, l.amount_cents, l.kind, l.at"
            case .sales:
                "s.lead_id, s.seq, s.campaign_id, s.buyer_id, s.seller_id, s.price_cents, s.payout_cents, s.margin_cents, s.return_window_days, s.at"
            case .journal: "j.id, j.kind, j.record_id, j.op, j.body, j.at"
            }
        }

        /// The stable order the sealer takes unsealed rows in.
        var order: String {
            switch self {
            case .ledger: "l.chain_pos, l.id"
            case .sales: "s.chain_pos, s.lead_id, s.seq"
            case .journal: "j.chain_pos, j.id"
            }
        }

        /// The record whose columns start at `first`.
        func record(_ row: PostgresRandomAccessRow, from first: Int) throws -> ChainRecord {
            func text(_ offset: Int) throws -> String { try row[first + offset].decode(String.self) }
            func integer(_ offset: Int) throws -> Int64 { try row[first + offset].decode(Int64.self) }
            func small(_ offset: Int) throws -> Int64 { Int64(try row[first + offset].decode(Int32.self)) }
            switch self {
            case .ledger:
                return .ledger(
                    ChainRecord.Ledger(
                        id: try integer(0), leadID: try text(1), campaignID: try text(2), account: try text(3), cents: try integer(4),
                        kind: try text(5), at: try integer(6)))
            case .sales:
                return .sale(
                    ChainRecord.Sale(
                        leadID: try text(0), seq: try small(1), campaignID: try text(2), buyerID: try text(3), sellerID: try text(4),
                        priceCents: try integer(5), payoutCents: try integer(6), marginCents: try integer(7),
                        returnWindowDays: try small(8), at: try integer(9)))
            case .journal:
                return .config(
                    ChainRecord.Config(
                        id: try integer(0), kind: try text(1), recordID: try text(2), op: try text(3), body: try text(4),
                        at: try integer(5)))
            }
        }
    }

    /// Every link in position order with the records that claim its position (NULL columns
    /// when none does): 5 link, 7 ledger, 10 sale and 6 journal columns.
    static let linksAndRecords = """
        SELECT c.pos, c.record, c.digest, c.hash, c.at, \(Table.ledger.columns), \(Table.sales.columns), \(Table.journal.columns)
        FROM chain c
        LEFT JOIN ledger l ON l.chain_pos = c.pos
        LEFT JOIN sales s ON s.chain_pos = c.pos
        LEFT JOIN config_journal j ON j.chain_pos = c.pos
        ORDER BY c.pos
        """

    /// How many records are sealed, how many are not, and the oldest of those.
    static let counts = """
        SELECT
            (SELECT count(*) FROM ledger WHERE chain_pos IS NOT NULL) + (SELECT count(*) FROM sales WHERE chain_pos IS NOT NULL)
                + (SELECT count(*) FROM config_journal WHERE chain_pos IS NOT NULL),
            (SELECT count(*) FROM ledger WHERE chain_pos IS NULL) + (SELECT count(*) FROM sales WHERE chain_pos IS NULL)
                + (SELECT count(*) FROM config_journal WHERE chain_pos IS NULL),
            (SELECT min(at) FROM (
                SELECT at FROM ledger WHERE chain_pos IS NULL UNION ALL SELECT at FROM sales WHERE chain_pos IS NULL
                UNION ALL SELECT at FROM config_journal WHERE chain_pos IS NULL) AS waiting)
        """

    /// The link of a `linksAndRecords` row.
    static func link(_ row: PostgresRandomAccessRow) throws -> ChainLink {
        ChainLink(
            pos: try row[0].decode(Int64.self), record: try row[1].decode(String.self), digest: try row[2].decode(String.self),
            hash: try row[3].decode(String.self), at: Timestamp(milliseconds: try row[4].decode(Int64.self)))
    }

    /// The record of a `linksAndRecords` row, if any.
    static func record(_ row: PostgresRandomAccessRow) throws -> ChainRecord? {
        if try row[5].decode(Int64?.self) != nil { return try Table.ledger.record(row, from: 5) }
        if try row[12].decode(String?.self) != nil { return try Table.sales.record(row, from: 12) }
        if try row[22].decode(Int64?.self) != nil { return try Table.journal.record(row, from: 22) }
        return nil
    }
}
