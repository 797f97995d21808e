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

    /// `v3-bid-rollup`: per UTC hour of lead arrival, group, campaign and clearing price (cents
    /// of the lead's first sale, -1 unsold), the leads a campaign bid on and won — what bid
    /// guidance reads (``BidFacts``).
    static let bidRollup = """
        CREATE TABLE rollup_bids (
            hour INTEGER NOT NULL,
            campaign_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            seller_id TEXT NOT NULL,
            source TEXT NOT NULL,
            vertical TEXT NOT NULL,
            clearing_cents INTEGER NOT NULL,
            leads INTEGER NOT NULL DEFAULT 0,
            won INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (buyer_id, hour, campaign_id, seller_id, source, vertical, clearing_cents)
        ) WITHOUT ROWID;
        """
}
