import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// Stores a lead as pending, or as a duplicate when an earlier lead of the same consumer
    /// arrived since `dedupeSince` — checked and inserted in one write, so two concurrent
    /// submissions of one consumer cannot both pass.
    ///
    /// Only non-test, non-duplicate leads leave contact keys behind for later dedupe checks.
    public func insertLead(_ lead: Lead, dedupeSince: Timestamp?) async throws -> LeadInsertResult {
        let insert = LeadInsert(lead, dedupeSince: dedupeSince)
        let totals = totals
        return try await write { db in try insert.run(db, totals: totals) }
    }

    /// Durably notes that a post of the lead to a campaign is about to be sent.
    public func markPosting(leadID: String, campaignID: String) async throws {
        let arguments: StatementArguments = [leadID, campaignID, clock.now().milliseconds]
        try await write { db in
            do {
                try db.cachedStatement(sql: Self.insertPosting).execute(arguments: arguments)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                throw StorageError.notFound(leadID)
            }
        }
    }

    /// Records a lead's outcome in one transaction: its status, pings, posts, skips, sales,
    /// their ledger entries (not for test leads) and the cap usage of counted sales. Clears
    /// the lead's posting markers. ``StorageError/notFound(_:)`` for an unknown lead,
    /// ``StorageError/conflict(_:)`` when its outcome was already recorded.
    public func recordOutcome(_ outcome: LeadOutcome, sellerID: String) async throws {
        let record = OutcomeWrite(outcome, sellerID: sellerID)
        let (totals, now) = (totals, clock.now())
        try await write { db in try record.run(db, totals: totals, sealedAt: now) }
        settle(outcome.sales)
    }

    /// Moves recorded sales' holds into the usage book's sold counts.
    private func settle(_ sales: [Sale]) {
        guard !sales.isEmpty else { return }
        usage.withLock { book in for sale in sales { book.settle(sale.hold, price: sale.price) } }
    }

    /// `true`: a lead and its posting marker, or a lead and its outcome, go in one transaction
    /// of the group commit, so in one fsync shared with the other leads of its batch.
    public var combinesLeadWrites: Bool { true }

    /// The lead's earlier original since a time, read from the WAL without writing.
    public func original(of lead: Lead, since: Timestamp) async throws -> String? {
        let insert = LeadInsert(lead, dedupeSince: since)
        return try await readUnisolated { db in try insert.original(db) }
    }

    /// Stores the lead as ``insertLead(_:dedupeSince:)`` does and, unless it is a duplicate,
    /// its posting marker or its outcome in the same transaction.
    public func insertLead(_ lead: Lead, dedupeSince: Timestamp?, then followUp: LeadFollowUp) async throws -> LeadInsertResult {
        let insert = LeadInsert(lead, dedupeSince: dedupeSince)
        let (totals, now) = (totals, clock.now())
        switch followUp {
        case .posting(let campaignID):
            let marker: StatementArguments = [lead.id, campaignID, now.milliseconds]
            return try await write { db in
                let result = try insert.run(db, totals: totals)
                if case .inserted = result { try db.cachedStatement(sql: Self.insertPosting).execute(arguments: marker) }
                return result
            }
        case .outcome(let outcome, let sellerID):
            let record = OutcomeWrite(outcome, sellerID: sellerID)
            let result = try await write { db in
                let result = try insert.run(db, totals: totals)
                if case .inserted = result { try record.run(db, totals: totals, sealedAt: now) }
                return result
            }
            if case .inserted = result { settle(outcome.sales) }
            return result
        }
    }

    static let insertPosting = "INSERT INTO postings (lead_id, campaign_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"

    /// When each campaign last bought a consumer with any of these keys, since a time.
    public func lastSales(contactKeys: [String], since: Timestamp) async throws -> [String: Timestamp] {
        let keys = contactKeys.map { (prefix: ContactKeyIndex.prefix($0), needle: ContactKeyIndex.needle($0)) }
        guard !keys.isEmpty else { return [:] }
        return try await read { db in
            var result: [String: Timestamp] = [:]
            let statement = try db.cachedStatement(
                sql: """
                    SELECT s.campaign_id, MAX(s.at) FROM lead_contacts c JOIN leads l ON l.seq = c.lead_seq
                    JOIN sales s ON s.lead_id = l.id
                    WHERE c.key = ? AND instr(l.contacts, ?) > 0 AND s.at >= ? GROUP BY s.campaign_id
                    """)
            for key in keys {
                for row in try Row.fetchAll(statement, arguments: [key.prefix, key.needle, since.milliseconds]) {
                    let at = Timestamp(milliseconds: row[1])
                    result[row[0], default: at] = max(result[row[0]] ?? at, at)
                }
            }
            return result
        }
    }

    /// Marks leads left pending by a crash: `review` when a post had been sent (an operator must
    /// ask the buyer), `unsold` otherwise, both with reason `interrupted`. Run it at start-up,
    /// before taking leads: a lead in flight would be marked too.
    public func reconcile(now: Timestamp) async throws -> (review: Int, unsold: Int) {
        try await interrupt(Pending(ids: nil), at: now)
    }

    /// Marks these leads, those still pending only, as ``reconcile(now:)`` does.
    public func reconcile(leadIDs: [String], now: Timestamp) async throws -> (review: Int, unsold: Int) {
        guard !leadIDs.isEmpty else { return (0, 0) }
        return try await interrupt(Pending(ids: leadIDs), at: now)
    }

    private func interrupt(_ pending: Pending, at now: Timestamp) async throws -> (review: Int, unsold: Int) {
        let totals = totals
        let counts = try await write { db in
            let interrupted = try pending.groups(db)
            let review = try pending.mark(db, status: "review", postedOnly: true, at: now)
            let unsold = try pending.mark(db, status: "unsold", postedOnly: false, at: now)
            try db.execute(sql: "DELETE FROM postings WHERE lead_id NOT IN (SELECT id FROM leads WHERE status = 'pending')")
            for (group, leads) in interrupted {
                totals.add(RollupDelta(lead: RollupCounters(leads: leads)), group: group)
            }
            return [review, unsold]
        }
        return (counts[0], counts[1])
    }
}

/// The pending leads a reconciliation marks: all of them, or some by id.
private struct Pending: Sendable {
    let ids: [String]?

    /// The SQL condition on `leads` and its arguments.
    private var condition: (sql: String, arguments: StatementArguments) {
        guard let ids else { return ("status = 'pending'", []) }
        return ("status = 'pending' AND id IN (\(databaseQuestionMarks(count: ids.count)))", StatementArguments(ids))
    }

    /// Marks the leads with a status and reason `interrupted`; returns how many.
    func mark(_ db: Database, status: String, postedOnly: Bool, at now: Timestamp) throws -> Int {
        let (sql, arguments) = condition
        let posted = postedOnly ? " AND id IN (SELECT lead_id FROM postings)" : ""
        try db.execute(
            sql: "UPDATE leads SET status = ?, outcome_status = ?, reason = 'interrupted', finished_at = ? WHERE \(sql)\(posted)",
            arguments: [status, status, now.milliseconds] + arguments)
        return db.changesCount
    }

    /// How many non-test leads each rollup group has among them (they count as leads once
    /// reconciled, with nothing else known about them).
    func groups(_ db: Database) throws -> [(LeadGroup, Int)] {
        let (sql, arguments) = condition
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT received_at / 3600000, seller_id, source, vertical, COUNT(*) FROM leads
                WHERE \(sql) AND test = 0 GROUP BY 1, 2, 3, 4
                """,
            arguments: arguments)
        return rows.map { row in (LeadGroup(hour: row[0], sellerID: row[1], source: row[2], vertical: row[3]), row[4]) }
    }
}

/// A lead's row and contact keys, prepared off the writer queue.
struct LeadInsert: Sendable {
    let leadID: String
    let row: StatementArguments
    let receivedAt: Int64
    let keys: [(prefix: Int64, needle: String)]
    let test: Bool
    let group: LeadGroup
    let dedupeSince: Int64?

    init(_ lead: Lead, dedupeSince: Timestamp?) {
        leadID = lead.id
        receivedAt = lead.receivedAt.milliseconds
        row = [
            lead.id, lead.sellerID, lead.vertical, lead.source, lead.test, StoredJSON.text(.object(lead.fields)),
            StoredJSON.text(lead.consent), lead.contactKeys.storedText, lead.receivedAt.milliseconds, lead.pingID,
        ]
        keys = lead.contactKeys.all.map { (ContactKeyIndex.prefix($0), ContactKeyIndex.needle($0)) }
        test = lead.test
        group = LeadGroup(lead)
        self.dedupeSince = dedupeSince?.milliseconds
    }

    /// Inserts the lead (a duplicate counts in the report rollups at once: it is finished).
    func run(_ db: Database, totals: BatchTotals) throws -> LeadInsertResult {
        if let original = try original(db) {
            try insertDuplicate(db)
            if !test { totals.add(RollupDelta(lead: .oneLead), group: group) }
            return .duplicate(of: original)
        }
        try insertRow(db, status: "pending", outcome: nil, reason: nil, finishedAt: nil)
        try insertKeys(db)
        return .inserted
    }

    /// Stores the lead as a duplicate.
    func insertDuplicate(_ db: Database) throws {
        try insertRow(db, status: "duplicate", outcome: "duplicate", reason: "duplicate", finishedAt: receivedAt)
    }

    /// Indexes the contact keys of the row just inserted (not for test leads).
    func insertKeys(_ db: Database) throws {
        try insertKeys(db, statement: db.cachedStatement(sql: Self.insertContact))
    }

    /// Indexes the contact keys of the row just inserted with a prepared ``insertContact``.
    func insertKeys(_ db: Database, statement: Statement) throws {
        guard !test else { return }
        let seq = db.lastInsertedRowID
        for key in keys {
            statement.setUncheckedArguments([key.prefix, seq])
            try statement.execute()
        }
    }

    static let insertContact = "INSERT OR IGNORE INTO lead_contacts (key, lead_seq) VALUES (?, ?)"

    /// The earliest lead of the same consumer since the dedupe start, if any.
    func original(_ db: Database) throws -> String? {
        guard let since = dedupeSince, !keys.isEmpty else { return nil }
        let statement = try db.cachedStatement(
            sql: """
                SELECT l.id, l.received_at FROM lead_contacts c JOIN leads l ON l.seq = c.lead_seq
                WHERE c.key = ? AND instr(l.contacts, ?) > 0 AND l.received_at >= ?
                    AND l.status NOT IN ('duplicate', 'rejected')
                ORDER BY l.received_at, l.id LIMIT 1
                """)
        var best: (id: String, at: Int64)?
        for key in keys {
            guard let row = try Row.fetchOne(statement, arguments: [key.prefix, key.needle, since]) else { continue }
            let candidate = (id: row[0] as String, at: row[1] as Int64)
            if best.map({ candidate.at < $0.at }) ?? true { best = candidate }
        }
        return best?.id
    }

    private func insertRow(_ db: Database, status: String, outcome: String?, reason: String?, finishedAt: Int64?) throws {
        var arguments = row
        arguments += [status, outcome, reason, finishedAt]
        do {
            try db.cachedStatement(
                sql: """
                    INSERT INTO leads (id, seller_id, vertical, source, test, fields, consent, contacts, received_at, ping_id,
                        status, outcome_status, reason, finished_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: arguments)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StorageError.conflict(leadID)
        }
    }
}
