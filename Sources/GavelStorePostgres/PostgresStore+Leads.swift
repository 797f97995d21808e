import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    // MARK: Leads

    /// Stores a lead as pending, or as a duplicate when an earlier lead of the same consumer
    /// arrived since `dedupeSince` — atomically across nodes: `gavel_insert_lead` takes the
    /// advisory lock of each contact key (ascending) before it checks and inserts, so two
    /// concurrent submissions of one consumer, on any nodes, cannot both pass.
    ///
    /// Only non-test, non-duplicate leads leave contact keys behind for later dedupe checks.
    /// ``StorageError/conflict(_:)`` when the id exists.
    public func insertLead(_ lead: Lead, dedupeSince: Timestamp?) async throws -> LeadInsertResult {
        try await insertLead(lead, dedupeSince: dedupeSince, suppressionHashes: []).0
    }

    /// Stores the lead (as ``insertLead(_:dedupeSince:)``) and reads who suppresses it (as
    /// ``suppressingBuyers(contactKeys:)``) in one statement: one round trip where two took two.
    public func insertLeadReadingSuppressions(_ lead: Lead, dedupeSince: Timestamp?) async throws -> (LeadInsertResult, Set<String>?) {
        let (result, buyers) = try await insertLead(
            lead, dedupeSince: dedupeSince, suppressionHashes: Self.suppressionHashes(lead.contactKeys.all))
        return (result, buyers)
    }

    private func insertLead(
        _ lead: Lead, dedupeSince: Timestamp?, suppressionHashes: [ByteBuffer]
    ) async throws -> (LeadInsertResult, Set<String>) {
        let statement = InsertLead.prepared((lead, dedupeSince, suppressionHashes, nodeID))
        guard let row = try await rows(statement, conflict: lead.id).first else {
            throw StorageError.failed("the statement returned no row")
        }
        let (original, buyers) = try row.decode((String?, [String]).self)
        return (original.map { .duplicate(of: $0) } ?? .inserted, Set(buyers))
    }

    /// `gavel_insert_lead` and the read of who suppresses the lead.
    enum InsertLead: FixedStatement {
        static let name = "gavel_insert_lead"
        static let sql = template(
            (Lead(id: "", sellerID: "", vertical: "", source: "", fields: [:], receivedAt: Timestamp(milliseconds: 0)), nil, [], ""))

        static func query(_ arguments: (Lead, dedupeSince: Timestamp?, suppressionHashes: [ByteBuffer], nodeID: String)) -> PostgresQuery {
            let (lead, dedupeSince, suppressionHashes, nodeID) = arguments
            let keys = PostgresContactKey.binds(lead.contactKeys.all)
            let locks = dedupeSince == nil && lead.test ? [] : keys.locks
            return """
                SELECT gavel_insert_lead(\(lead.id), \(lead.sellerID), \(lead.vertical), \(lead.source), \(lead.test),
                    \(StoredJSON.text(.object(lead.fields))), \(StoredJSON.text(lead.consent)), \(lead.contactKeys.storedText),
                    \(lead.receivedAt.milliseconds), \(lead.pingID), \(nodeID), \(keys.digests), \(locks), \(dedupeSince?.milliseconds)),
                    ARRAY(SELECT DISTINCT buyer_id FROM suppressions WHERE hash = ANY (\(suppressionHashes)))
                """
        }
    }

    /// Durably notes that a post of the lead to a campaign is about to be sent;
    /// ``StorageError/notFound(_:)`` for an unknown lead.
    public func markPosting(leadID: String, campaignID: String) async throws {
        let rows = try await rows(
            """
            INSERT INTO postings (lead_id, campaign_id, at)
            SELECT id, \(campaignID), \(clock.now().milliseconds) FROM leads WHERE id = \(leadID)
            ON CONFLICT DO NOTHING RETURNING 1
            """)
        if rows.isEmpty, try await !leadExists(leadID) { throw StorageError.notFound(leadID) }
    }

    /// Records a lead's outcome in one statement (see ``PostgresOutcomeWrite``): its status,
    /// pings, posts, skips, sales, their ledger entries (not for test leads) and report
    /// deltas; each counted sale takes over this node's matching cap hold, or is added to the
    /// usage when there is none. ``StorageError/notFound(_:)`` for an unknown lead,
    /// ``StorageError/conflict(_:)`` when its outcome was already recorded.
    public func recordOutcome(_ outcome: LeadOutcome, sellerID: String) async throws {
        let claimed = try await rows(
            PostgresOutcomeWrite.Prepared.prepared(PostgresOutcomeWrite(outcome: outcome, sellerID: sellerID, nodeID: nodeID))
        ).count
        guard claimed == 0 else { return }
        throw try await leadExists(outcome.leadID) ? StorageError.conflict(outcome.leadID) : StorageError.notFound(outcome.leadID)
    }

    /// `false`: every statement here is its own round trip, so a lead written with its
    /// follow-up in one transaction would cost as many round trips as two writes; each lead is
    /// stored on arrival (`gavel_insert_lead`) instead.
    public var combinesLeadWrites: Bool { false }

    /// The lead's earlier original since a time (as `gavel_insert_lead` finds it), without
    /// taking its contact keys' locks.
    public func original(of lead: Lead, since: Timestamp) async throws -> String? {
        let rows = try await rows(Original.prepared((PostgresContactKey.binds(lead.contactKeys.all).digests, since)))
        return try rows.first?.decode(String.self)
    }

    /// The earliest lead of any of some contact keys since a time.
    enum Original: FixedStatement {
        static let name = "gavel_original"
        static let sql = template(([], Timestamp(milliseconds: 0)))

        static func query(_ arguments: (keys: [ByteBuffer], since: Timestamp)) -> PostgresQuery {
            """
            SELECT l.id FROM lead_contacts c JOIN leads l ON l.id = c.lead_id
            WHERE c.key = ANY (\(arguments.keys)) AND c.received_at >= \(arguments.since.milliseconds)
                AND l.status NOT IN ('duplicate', 'rejected')
            ORDER BY l.received_at, l.id LIMIT 1
            """
        }
    }

    /// Stores the lead, then its follow-up (two statements: see ``combinesLeadWrites``).
    public func insertLead(_ lead: Lead, dedupeSince: Timestamp?, then followUp: LeadFollowUp) async throws -> LeadInsertResult {
        try await insertThenFollowUp(lead, dedupeSince: dedupeSince, then: followUp)
    }

    /// When each campaign last bought a consumer with any of these keys, since a time.
    public func lastSales(contactKeys: [String], since: Timestamp) async throws -> [String: Timestamp] {
        guard !contactKeys.isEmpty else { return [:] }
        let rows = try await rows(LastSales.prepared((PostgresContactKey.binds(contactKeys).digests, since)))
        var result: [String: Timestamp] = [:]
        for row in rows {
            let (campaignID, at) = try row.decode((String, Int64).self)
            result[campaignID] = Timestamp(milliseconds: at)
        }
        return result
    }

    /// When each campaign last bought any of some contact keys since a time.
    enum LastSales: FixedStatement {
        static let name = "gavel_last_sales"
        static let sql = template(([], Timestamp(milliseconds: 0)))

        static func query(_ arguments: (keys: [ByteBuffer], since: Timestamp)) -> PostgresQuery {
            """
            SELECT s.campaign_id, max(s.at) FROM lead_contacts c JOIN sales s ON s.lead_id = c.lead_id
            WHERE c.key = ANY (\(arguments.keys)) AND s.at >= \(arguments.since.milliseconds)
            GROUP BY s.campaign_id
            """
        }
    }

    /// Marks leads left pending by a crash: `review` when a post had been sent (an operator must
    /// ask the buyer), `unsold` otherwise, both with reason `interrupted`. Only this node's
    /// leads and those of gone nodes (silent for ``Configuration/nodeTimeout``) are touched,
    /// so another running node's leads in flight are safe. Run it at start-up, before taking
    /// leads: this node's own leads in flight would be marked too.
    public func reconcile(now: Timestamp) async throws -> (review: Int, unsold: Int) {
        try await reconcile(only: nil, now: now)
    }

    /// Marks these leads, those still pending only, as ``reconcile(now:)`` does (whichever node
    /// took them).
    public func reconcile(leadIDs: [String], now: Timestamp) async throws -> (review: Int, unsold: Int) {
        guard !leadIDs.isEmpty else { return (0, 0) }
        return try await reconcile(only: leadIDs, now: now)
    }

    private func reconcile(only ids: [String]?, now: Timestamp) async throws -> (review: Int, unsold: Int) {
        let (logger, posted) = (logger, "DELETE FROM postings WHERE lead_id NOT IN (SELECT id FROM leads WHERE status = 'pending')")
        return try await transaction { connection in
            let review = try await self.interrupt(status: "review", postedOnly: true, only: ids, at: now, on: connection)
            let unsold = try await self.interrupt(status: "unsold", postedOnly: false, only: ids, at: now, on: connection)
            try await connection.checkedQuery(PostgresQuery(unsafeSQL: posted), logger: logger)
            return (review, unsold)
        }
    }

    /// Marks the interrupted pending leads (this node's and gone nodes', or those with the
    /// given ids) with a status, adds their report deltas (one lead each, for non-test leads),
    /// and returns how many.
    private func interrupt(
        status: String, postedOnly: Bool, only ids: [String]?, at: Timestamp, on connection: PostgresConnection
    ) async throws -> Int {
        let posted = postedOnly ? "AND id IN (SELECT lead_id FROM postings)" : ""
        let whose = ids == nil ? ownOrGoneNode("node_id") : "TRUE"
        let rows = try await connection.checkedQuery(
            """
            WITH marked AS (
                UPDATE leads SET status = \(status), outcome_status = \(status), reason = 'interrupted', finished_at = \(at.milliseconds)
                WHERE status = 'pending' AND \(unescaped: whose) AND (\(ids == nil) OR id = ANY (\(ids ?? [])))
                    \(unescaped: posted)
                RETURNING test, received_at, seller_id, source, vertical),
            rolled AS (
                INSERT INTO rollup_deltas (\(unescaped: PostgresRollupDeltas.columns))
                SELECT \(unescaped: PostgresRollupDeltas.selectList(lead: "marked"))
                FROM marked, json_to_recordset(\(PostgresRollupDeltas.records(RollupDelta(lead: .oneLead)))::json)
                    AS r (\(unescaped: PostgresRollupDeltas.recordDefinition))
                WHERE NOT marked.test)
            SELECT count(*) FROM marked
            """, logger: logger
        ).collect()
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// Whether a lead exists.
    func leadExists(_ id: String) async throws -> Bool {
        try await !rows("SELECT 1 FROM leads WHERE id = \(id)").isEmpty
    }
}
