import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore: MoneyStore {
    /// How many leads one import transaction writes.
    static let importChunk = 5_000

    /// Stores many finished leads fast (fixtures and benchmarks), each exactly as `insertLead`
    /// (without dedupe) and `recordOutcome` (without a hold) would leave it — its row, contact
    /// keys, records, sales, ledger entries, cap usage and report deltas — a chunk of
    /// ``importChunk`` leads per transaction, one statement per table. A lead whose outcome is
    /// `duplicate` is stored as `insertLead` stores a duplicate. Throws
    /// ``StorageError/conflict(_:)`` when a lead id exists (its chunk is not written; earlier
    /// chunks stay).
    public func importLeads(_ leads: [(lead: Lead, outcome: LeadOutcome)]) async throws {
        var start = leads.startIndex
        while start < leads.endIndex {
            let end = min(start + Self.importChunk, leads.endIndex)
            let chunk = PostgresImportChunk(leads[start..<end])
            try await transaction(limit: .unbounded) { connection in try await self.importChunk(chunk, on: connection) }
            start = end
        }
    }

    private func importChunk(_ chunk: PostgresImportChunk, on connection: PostgresConnection) async throws {
        let existing = try await connection.all("SELECT id FROM leads WHERE id = ANY (\(chunk.ids)) LIMIT 1", logger: logger)
        if let row = existing.first { throw StorageError.conflict(try row.decode(String.self)) }
        for query in chunk.queries {
            do {
                try await connection.checkedQuery(query, logger: logger)
            } catch  where Self.sqlState(error) == SQLState.uniqueViolation {
                throw StorageError.conflict(chunk.ids.first ?? "")
            }
        }
    }
}

/// Leads imported in one transaction, as one statement per table.
struct PostgresImportChunk: Sendable {
    let ids: [String]
    let queries: [PostgresQuery]

    init(_ leads: ArraySlice<(lead: Lead, outcome: LeadOutcome)>) {
        ids = leads.map(\.lead.id)
        let finished = leads.filter { $0.outcome.status != .duplicate }
        let outcomes = finished.map(\.outcome)
        let sellers = Dictionary(leads.map { ($0.lead.id, $0.lead.sellerID) }, uniquingKeysWith: { first, _ in first })
        let tests = Set(leads.filter(\.lead.test).map(\.lead.id))
        queries = [
            Self.leadsQuery(leads),
            Self.contactsQuery(finished.map(\.lead).filter { !$0.test }),
            Self.insert("pings", outcomes.flatMap(PostgresOutcomeWrite.pingRecords), Self.pingColumns),
            Self.insert("posts", outcomes.flatMap(PostgresOutcomeWrite.postRecords), Self.postColumns),
            Self.insert("skips", outcomes.flatMap(PostgresOutcomeWrite.skipRecords), Self.skipColumns),
            Self.salesQuery(outcomes, sellers: sellers),
            Self.insert(
                "ledger",
                outcomes.filter { !tests.contains($0.leadID) }.flatMap { outcome in
                    PostgresOutcomeWrite.ledgerRecords(outcome, sellerID: sellers[outcome.leadID] ?? "").map {
                        $0.merging(["kind": "sale"]) { a, _ in a }
                    }
                }, Self.ledgerColumns),
            Self.usageQuery(outcomes),
            Self.rollupQuery(leads),
        ]
    }

    // MARK: Statements

    private static let pingColumns = [
        ("lead_id", "TEXT"), ("seq", "INTEGER"), ("campaign_id", "TEXT"), ("buyer_id", "TEXT"), ("kind", "TEXT"), ("bid_cents", "BIGINT"),
        ("effective_cents", "BIGINT"), ("bid_id", "TEXT"), ("latency_us", "BIGINT"), ("detail", "TEXT"), ("at", "BIGINT"),
    ]
    private static let postColumns = [
        ("lead_id", "TEXT"), ("seq", "INTEGER"), ("campaign_id", "TEXT"), ("buyer_id", "TEXT"), ("price_cents", "BIGINT"),
        ("origin", "TEXT"),
        ("outcome", "TEXT"), ("reason", "TEXT"), ("buyer_lead_id", "TEXT"), ("latency_us", "BIGINT"), ("at", "BIGINT"),
    ]
    private static let skipColumns = [("lead_id", "TEXT"), ("seq", "INTEGER"), ("campaign_id", "TEXT"), ("reason", "TEXT")]
    private static let saleColumns = [
        ("lead_id", "TEXT"), ("seq", "INTEGER"), ("campaign_id", "TEXT"), ("buyer_id", "TEXT"), ("seller_id", "TEXT"),
        ("price_cents", "BIGINT"), ("payout_cents", "BIGINT"), ("margin_cents", "BIGINT"), ("buyer_lead_id", "TEXT"),
        ("period_day", "INTEGER"), ("counted", "BOOLEAN"), ("at", "BIGINT"), ("return_window_days", "INTEGER"),
    ]
    private static let ledgerColumns = [
        ("lead_id", "TEXT"), ("campaign_id", "TEXT"), ("account", "TEXT"), ("amount_cents", "BIGINT"), ("kind", "TEXT"), ("at", "BIGINT"),
    ]
    private static let leadColumns = [
        ("id", "TEXT"), ("seller_id", "TEXT"), ("vertical", "TEXT"), ("source", "TEXT"), ("test", "BOOLEAN"), ("fields", "TEXT"),
        ("consent", "TEXT"), ("contacts", "TEXT"), ("received_at", "BIGINT"), ("ping_id", "TEXT"), ("status", "TEXT"),
        ("outcome_status", "TEXT"), ("reason", "TEXT"), ("revenue_cents", "BIGINT"), ("payout_cents", "BIGINT"), ("buyer", "TEXT"),
        ("finished_at", "BIGINT"), ("elapsed_us", "BIGINT"), ("node_id", "TEXT"),
    ]

    /// `INSERT INTO table (columns) SELECT columns FROM json_to_recordset(records)`, in order.
    private static func insert(_ table: String, _ records: [[String: JSONValue]], _ columns: [(String, String)]) -> PostgresQuery {
        let names = columns.map(\.0).joined(separator: ", ")
        let definition = (columns.map { "\($0.0) \($0.1)" } + ["n BIGINT"]).joined(separator: ", ")
        var binds = PostgresBindings()
        binds.append(PostgresOutcomeWrite.recordSet(records))
        let sql = """
            INSERT INTO \(table) (\(names))
            SELECT \(names) FROM json_to_recordset($1::json) AS r (\(definition)) ORDER BY r.n
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    private static func leadsQuery(_ leads: ArraySlice<(lead: Lead, outcome: LeadOutcome)>) -> PostgresQuery {
        insert("leads", leads.map { leadRecord($0.lead, $0.outcome) }, leadColumns)
    }

    /// A lead's row as `insertLead` and `recordOutcome` leave it (a duplicate as `insertLead`
    /// stores one).
    private static func leadRecord(_ lead: Lead, _ outcome: LeadOutcome) -> [String: JSONValue] {
        let duplicate = outcome.status == .duplicate
        return [
            "id": .string(lead.id), "seller_id": .string(lead.sellerID), "vertical": .string(lead.vertical), "source": .string(lead.source),
            "test": .bool(lead.test), "fields": .string(StoredJSON.text(.object(lead.fields))),
            "consent": .string(StoredJSON.text(lead.consent)),
            "contacts": .string(lead.contactKeys.storedText), "received_at": .integer(lead.receivedAt.milliseconds),
            "ping_id": PostgresOutcomeWrite.text(lead.pingID), "status": .string(outcome.status.rawValue),
            "outcome_status": .string(outcome.status.rawValue),
            "reason": duplicate ? "duplicate" : PostgresOutcomeWrite.text(outcome.reason),
            "revenue_cents": .integer(duplicate ? 0 : outcome.revenue.cents),
            "payout_cents": .integer(duplicate ? 0 : outcome.payout.cents),
            "buyer": duplicate ? .null : PostgresOutcomeWrite.text(outcome.sales.first?.campaignID),
            "finished_at": .integer(duplicate ? lead.receivedAt.milliseconds : outcome.finishedAt.milliseconds),
            "elapsed_us": .integer(duplicate ? 0 : outcome.elapsedMicros), "node_id": "import",
        ]
    }

    private static func contactsQuery(_ leads: [Lead]) -> PostgresQuery {
        var records: [[String: JSONValue]] = []
        for lead in leads {
            for key in Set(lead.contactKeys.all.map(PostgresContactKey.init)) {
                records.append([
                    "key": .string(HashKey.hex(key.bytes)), "received_at": .integer(lead.receivedAt.milliseconds),
                    "lead_id": .string(lead.id),
                ])
            }
        }
        return """
            INSERT INTO lead_contacts (key, received_at, lead_id)
            SELECT decode(r.key, 'hex'), r.received_at, r.lead_id
            FROM json_to_recordset(\(PostgresOutcomeWrite.recordSet(records))::json) AS r (key TEXT, received_at BIGINT, lead_id TEXT)
            """
    }

    private static func salesQuery(_ outcomes: [LeadOutcome], sellers: [String: String]) -> PostgresQuery {
        let records = outcomes.flatMap { outcome in
            PostgresOutcomeWrite.saleRecords(outcome).map {
                $0.merging(["seller_id": .string(sellers[outcome.leadID] ?? "")]) { a, _ in a }
            }
        }
        return insert("sales", records, saleColumns)
    }

    /// The cap usage of the counted sales, summed per counter and added in `(subject,
    /// period)` order (the order every usage writer locks in).
    private static func usageQuery(_ outcomes: [LeadOutcome]) -> PostgresQuery {
        var usage: [UsageKey: UsageCount] = [:]
        for sale in outcomes.flatMap(\.sales) where sale.hold.counts {
            for key in UsageKey.all(for: sale.hold) {
                usage[key, default: .zero].leads += 1
                usage[key, default: .zero].spendCents += sale.price.cents
            }
        }
        let records: [[String: JSONValue]] = usage.map { key, count in
            [
                "subject": .string(key.subject), "period": .string(key.period), "leads": .integer(Int64(count.leads)),
                "spend_cents": .integer(count.spendCents),
            ]
        }
        return """
            INSERT INTO usage (subject, period, leads, spend_cents)
            SELECT r.subject, r.period, r.leads, r.spend_cents
            FROM json_to_recordset(\(PostgresOutcomeWrite.recordSet(records))::json) AS r (subject TEXT, period TEXT, leads BIGINT, spend_cents BIGINT)
            ORDER BY r.subject, r.period
            ON CONFLICT (subject, period) DO UPDATE SET leads = usage.leads + excluded.leads, spend_cents = usage.spend_cents + excluded.spend_cents
            """
    }

    /// The report deltas of the chunk's non-test leads, merged per group.
    private static func rollupQuery(_ leads: ArraySlice<(lead: Lead, outcome: LeadOutcome)>) -> PostgresQuery {
        var batch = RollupBatch()
        for (lead, outcome) in leads where !lead.test {
            batch.add(outcome.status == .duplicate ? RollupDelta(lead: .oneLead) : RollupDelta(outcome), group: LeadGroup(lead))
        }
        let records = PostgresRollupDeltas.groupedRecords(batch)
        return """
            INSERT INTO rollup_deltas (\(unescaped: PostgresRollupDeltas.columns))
            SELECT \(unescaped: PostgresRollupDeltas.groupedSelectList)
            FROM json_to_recordset(\(records)::json) AS r (\(unescaped: PostgresRollupDeltas.groupedRecordDefinition))
            """
    }
}
