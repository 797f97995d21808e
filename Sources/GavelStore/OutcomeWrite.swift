import GRDB
import GavelCore

/// A lead's outcome as statement arguments, prepared off the writer queue so the shared
/// transaction only binds and steps cached statements.
struct OutcomeWrite: Sendable {
    let leadID: String
    let update: StatementArguments
    let pings: [StatementArguments]
    let posts: [StatementArguments]
    let skips: [StatementArguments]
    let sales: [StatementArguments]
    let ledger: [StatementArguments]
    let usage: [StatementArguments]

    init(_ outcome: LeadOutcome, sellerID: String) {
        let (leadID, at) = (outcome.leadID, outcome.finishedAt.milliseconds)
        self.leadID = leadID
        update = [
            outcome.status.rawValue, outcome.status.rawValue, outcome.reason, outcome.revenue.cents, outcome.payout.cents,
            outcome.sales.first?.campaignID, at, outcome.elapsedMicros, leadID,
        ]
        pings = outcome.pings.enumerated().map { Self.ping($1, leadID: leadID, seq: $0, at: at) }
        posts = outcome.posts.enumerated().map { Self.post($1, leadID: leadID, seq: $0) }
        skips = outcome.skips.enumerated().map { [leadID, $0, $1.campaignID, $1.reason.rawValue] }
        sales = outcome.sales.enumerated().map { Self.sale($1, leadID: leadID, sellerID: sellerID, seq: $0, at: at) }
        ledger = outcome.sales.flatMap { sale in
            LedgerEntry.forSale(sale, leadID: leadID, sellerID: sellerID, at: outcome.finishedAt).map(Self.ledgerRow)
        }
        usage = outcome.sales.filter(\.hold.counts).flatMap { sale in
            UsageKey.all(for: sale.hold).map { [$0.subject, $0.period, 1, sale.price.cents] as StatementArguments }
        }
    }

    private static func ping(_ record: PingRecord, leadID: String, seq: Int, at: Int64) -> StatementArguments {
        let answer = record.answer
        return [
            leadID, seq, record.campaignID, record.buyerID, answer.kind.rawValue, answer.bid?.cents, record.effectiveBid?.cents,
            answer.bidID, answer.latencyMicros, answer.detail, at,
        ]
    }

    private static func post(_ record: PostRecord, leadID: String, seq: Int) -> StatementArguments {
        [
            leadID, seq, record.campaignID, record.buyerID, record.price.cents, record.origin.rawValue, record.outcome.rawValue,
            record.reason, record.buyerLeadID, record.latencyMicros, record.at.milliseconds,
        ]
    }

    private static func sale(_ sale: Sale, leadID: String, sellerID: String, seq: Int, at: Int64) -> StatementArguments {
        [
            leadID, seq, sale.campaignID, sale.buyerID, sellerID, sale.price.cents, sale.payout.cents, sale.margin.cents,
            sale.buyerLeadID, sale.hold.periods.day.daysSinceEpoch, sale.hold.counts, at,
        ]
    }

    private static func ledgerRow(_ entry: LedgerEntry) -> StatementArguments {
        [entry.leadID, entry.campaignID, entry.account, entry.amount.cents, entry.kind.rawValue, entry.at.milliseconds]
    }

    // MARK: Writing

    /// Writes everything; runs inside the shared transaction.
    func run(_ db: Database) throws {
        let test = try claimLead(db)
        try db.cachedStatement(
            sql: """
                UPDATE leads SET status = ?, outcome_status = ?, reason = ?, revenue_cents = ?, payout_cents = ?, buyer = ?,
                    finished_at = ?, elapsed_us = ? WHERE id = ?
                """
        ).execute(arguments: update)
        try insert(db, pings, sql: Self.insertPing)
        try insert(db, posts, sql: Self.insertPost)
        try insert(db, skips, sql: "INSERT INTO skips (lead_id, seq, campaign_id, reason) VALUES (?, ?, ?, ?)")
        try insert(db, sales, sql: Self.insertSale)
        if !test { try insert(db, ledger, sql: Self.insertLedger) }
        try insert(db, usage, sql: Self.upsertUsage)
        try db.cachedStatement(sql: "DELETE FROM postings WHERE lead_id = ?").execute(arguments: [leadID])
    }

    /// Checks the lead exists and has no outcome yet; returns whether it is a test.
    private func claimLead(_ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT test, outcome_status IS NOT NULL FROM leads WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [leadID]) else { throw StorageError.notFound(leadID) }
        if row[1] as Bool { throw StorageError.conflict(leadID) }
        return row[0]
    }

    private func insert(_ db: Database, _ rows: [StatementArguments], sql: String) throws {
        guard !rows.isEmpty else { return }
        let statement = try db.cachedStatement(sql: sql)
        for arguments in rows {
            statement.setUncheckedArguments(arguments)
            try statement.execute()
        }
    }

    private static let insertPing = """
        INSERT INTO pings (lead_id, seq, campaign_id, buyer_id, kind, bid_cents, effective_cents, bid_id, latency_us, detail, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let insertPost = """
        INSERT INTO posts (lead_id, seq, campaign_id, buyer_id, price_cents, origin, outcome, reason, buyer_lead_id, latency_us, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let insertSale = """
        INSERT INTO sales (lead_id, seq, campaign_id, buyer_id, seller_id, price_cents, payout_cents, margin_cents,
            buyer_lead_id, period_day, counted, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    private static let insertLedger = """
        INSERT INTO ledger (lead_id, campaign_id, account, amount_cents, kind, at) VALUES (?, ?, ?, ?, ?, ?)
        """
    private static let upsertUsage = """
        INSERT INTO usage (subject, period, leads, spend_cents) VALUES (?, ?, ?, ?)
        ON CONFLICT (subject, period) DO UPDATE SET leads = leads + excluded.leads, spend_cents = spend_cents + excluded.spend_cents
        """
}
