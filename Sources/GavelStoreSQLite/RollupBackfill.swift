import GRDB
import GavelCore
import GavelStoreSupport

/// Fills the rollups from the leads a database already holds, when their tables are created: the
/// report rollups (a database from before reports; returns and conversions did not exist then)
/// and the bid rollup (a database from before bid guidance).
enum RollupBackfill {
    /// The report rollups (`v2-rollups`).
    static func reports(_ db: Database) throws {
        var batch = try finished(db)
        batch.bids = [:]
        try RollupWriter(db: db).write(batch)
    }

    /// The bid rollup (`v3-bid-rollup`).
    static func bids(_ db: Database) throws {
        var batch = RollupBatch()
        batch.bids = try finished(db).bids
        try RollupWriter(db: db).write(batch)
    }

    /// Every finished non-test lead's increments.
    private static func finished(_ db: Database) throws -> RollupBatch {
        var batch = RollupBatch()
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM leads WHERE outcome_status IS NOT NULL AND test = 0 ORDER BY seq")
        while let row = try cursor.next() {
            let id: String = row["id"]
            guard let outcome = try LeadReader(db: db, leadID: id).detail(row).outcome else { continue }
            let group = LeadGroup(
                receivedAt: row["received_at"], sellerID: row["seller_id"], source: row["source"], vertical: row["vertical"])
            batch.add(RollupDelta(outcome), group: group)
        }
        return batch
    }
}
