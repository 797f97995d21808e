import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// How many leads one import transaction writes.
    static let importChunk = 10_000

    /// Stores many finished leads fast (fixtures and benchmarks), each exactly as `insertLead`
    /// (without dedupe) and `recordOutcome` would leave it — its row, contact keys, records,
    /// sales, ledger entries, cap usage and report rollups — in transactions of
    /// ``importChunk`` leads. A lead whose outcome is `duplicate` is stored as `insertLead`
    /// stores a duplicate. Throws ``StorageError/conflict(_:)`` when a lead id exists (its
    /// chunk is not written; earlier chunks stay).
    ///
    /// Each chunk is prepared (statement arguments, JSON, rollup increments) while the one
    /// before it is written, so preparing and writing use a core each.
    public func importLeads(_ leads: [(lead: Lead, outcome: LeadOutcome)]) async throws {
        let chunks = stride(from: leads.startIndex, to: leads.endIndex, by: Self.importChunk).map {
            $0..<min($0 + Self.importChunk, leads.endIndex)
        }
        guard let first = chunks.first else { return }
        var current = LeadImport.Chunk(leads[first])
        for range in chunks.dropFirst() {
            async let next = LeadImport.Chunk(leads[range])
            try await importChunk(current)
            current = await next
        }
        try await importChunk(current)
    }

    private func importChunk(_ chunk: LeadImport.Chunk) async throws {
        try await seed(Array(chunk.usage.keys))
        let (totals, usage, now) = (totals, usage, clock.now())
        try await write(
            { db in try chunk.write(db, totals: totals, sealedAt: now) },
            afterCommit: { _ in
                usage.withLock { $0.addPersisted(chunk.usage) }
            })
    }
}

/// One imported lead, prepared off the writer queue.
struct LeadImport: Sendable {
    let insert: LeadInsert
    let outcome: OutcomeWrite
    let duplicate: Bool
    /// The finished lead's row: its columns then its outcome's.
    let row: StatementArguments

    init(lead: Lead, outcome: LeadOutcome) {
        insert = LeadInsert(lead, dedupeSince: nil)
        self.outcome = OutcomeWrite(outcome, sellerID: lead.sellerID)
        duplicate = outcome.status == .duplicate
        row = insert.row + self.outcome.finished
    }

    /// Writes the lead with the chunk's prepared statements; returns its sales and ledger
    /// entries as the chain seals them.
    func write(_ db: Database, _ statements: Statements) throws -> [ChainRecord] {
        if duplicate {
            try insert.insertDuplicate(db)
            return []
        }
        statements.lead.setUncheckedArguments(row)
        do {
            try statements.lead.execute()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StorageError.conflict(insert.leadID)
        }
        try insert.insertKeys(db, statement: statements.contact)
        try Self.execute(statements.sale, outcome.sales)
        guard !insert.test else { return outcome.chainedSales }
        return outcome.chainedSales + (try outcome.insertEntries(db, statement: statements.ledger))
    }

    private static func execute(_ statement: Statement, _ rows: [StatementArguments]) throws {
        for arguments in rows {
            statement.setUncheckedArguments(arguments)
            try statement.execute()
        }
    }

    /// The statements an import binds once per lead, looked up once per chunk.
    struct Statements {
        let lead: Statement
        let contact: Statement
        let sale: Statement
        let ledger: Statement

        init(_ db: Database) throws {
            lead = try db.cachedStatement(sql: Self.insertLead)
            contact = try db.cachedStatement(sql: LeadInsert.insertContact)
            sale = try db.cachedStatement(sql: OutcomeWrite.insertSale)
            ledger = try db.cachedStatement(sql: OutcomeWrite.insertLedger)
        }

        /// A finished lead's row: ``LeadInsert/row`` then ``OutcomeWrite/finished``.
        static let insertLead = """
            INSERT INTO leads (id, seller_id, vertical, source, test, fields, consent, contacts, received_at, ping_id,
                status, outcome_status, reason, revenue_cents, payout_cents, buyer, finished_at, elapsed_us, records)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
    }

    /// What the lead adds to the report rollups (a test lead nothing, a duplicate one lead).
    var rollup: RollupDelta? {
        guard !insert.test else { return nil }
        return duplicate ? RollupDelta(lead: .oneLead) : outcome.rollup
    }

    /// Leads imported in one transaction, with their cap usage and report rollups merged
    /// beforehand, off the writer queue.
    struct Chunk: Sendable {
        let leads: [LeadImport]
        let usage: [UsageKey: UsageCount]
        let rollups: RollupBatch

        init(_ leads: ArraySlice<(lead: Lead, outcome: LeadOutcome)>) {
            let prepared = leads.map { LeadImport(lead: $0.lead, outcome: $0.outcome) }
            var (usage, rollups) = ([UsageKey: UsageCount](), RollupBatch())
            for item in prepared {
                if let delta = item.rollup { rollups.add(delta, group: item.insert.group) }
                guard !item.duplicate else { continue }
                for increment in item.outcome.usageIncrements { usage[increment.key, default: .zero].add(leads: 1, cents: increment.cents) }
            }
            (self.leads, self.usage, self.rollups) = (prepared, usage, rollups)
        }

        /// Writes every lead and links their sales and ledger entries into the chain; the
        /// merged usage and rollups go to the batch's totals last.
        func write(_ db: Database, totals: BatchTotals, sealedAt: Timestamp) throws {
            let statements = try Statements(db)
            var sealed: [ChainRecord] = []
            for lead in leads { sealed += try lead.write(db, statements) }
            try SQLiteChain.append(sealed, at: sealedAt, db: db)
            totals.add(usage: usage)
            totals.add(rollups)
        }
    }
}
