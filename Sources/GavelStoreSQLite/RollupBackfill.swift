import GRDB
import GavelCore
import GavelStoreSupport

/// Fills the report rollups from the leads a database already holds, when the rollup tables
/// are created (a database from before reports). Returns and conversions did not exist then.
enum RollupBackfill {
    static func run(_ db: Database) throws {
        var batch = RollupBatch()
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM leads WHERE outcome_status IS NOT NULL AND test = 0 ORDER BY seq")
        while let row = try cursor.next() {
            let id: String = row["id"]
            guard let outcome = try LeadReader(db: db, leadID: id).detail(row).outcome else { continue }
            let group = LeadGroup(
                receivedAt: row["received_at"], sellerID: row["seller_id"], source: row["source"], vertical: row["vertical"])
            batch.add(RollupDelta(outcome), group: group)
        }
        try RollupWriter(db: db).write(batch)
    }
}
