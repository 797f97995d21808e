import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteSchema {
    /// `v3-seller-status`: every seller stored before seller statuses gets `"status": "active"`
    /// in its wire JSON, so it goes on selling for real exactly as before. Rewritten through the
    /// exchange's own JSON reader and writer, so nothing else in the body changes.
    static func sellerStatus(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, body FROM config WHERE kind = 'seller'")
        for row in rows {
            let id: String = row["id"]
            var members = try StoredJSON.object(row["body"], what: "seller '\(id)'")
            guard members["status"] == nil else { continue }
            members["status"] = .string(Seller.Status.active.rawValue)
            try db.execute(
                sql: "UPDATE config SET body = ? WHERE kind = 'seller' AND id = ?", arguments: [StoredJSON.text(.object(members)), id])
        }
    }
}
