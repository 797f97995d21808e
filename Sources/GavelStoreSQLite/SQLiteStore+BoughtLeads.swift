import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// The leads a buyer bought, sold in `[from, to)`, oldest sale first (then by lead id), at
    /// most `limit`, each with its full fields and consent.
    public func boughtLeads(buyerID: String, from: Timestamp, to: Timestamp, limit: Int) async throws -> [BoughtLead] {
        guard limit > 0 else { return [] }
        return try await read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT l.*, s.campaign_id AS sale_campaign, s.price_cents AS sale_price, s.at AS sale_at,
                        s.returned_at IS NOT NULL AS sale_returned
                    FROM sales s JOIN leads l ON l.id = s.lead_id
                    WHERE s.buyer_id = ? AND s.at >= ? AND s.at < ? ORDER BY s.at, s.lead_id, s.seq LIMIT ?
                    """)
            return try Row.fetchAll(statement, arguments: [buyerID, from.milliseconds, to.milliseconds, limit]).map(Self.boughtLead)
        }
    }

    private static func boughtLead(_ row: Row) throws -> BoughtLead {
        BoughtLead(
            lead: try LeadReader.lead(row), campaignID: row["sale_campaign"], price: Money(cents: row["sale_price"]),
            soldAt: Timestamp(milliseconds: row["sale_at"]), returned: row["sale_returned"])
    }
}
