import GRDB
import GavelCore
import GavelStoreSupport

/// Adds merged increments to the rollup tables. Counters add up in SQL; a latency histogram is
/// read, merged and written back only when the increment has one.
struct RollupWriter {
    let db: Database

    func write(_ batch: RollupBatch) throws {
        for (group, counters) in batch.leads {
            try upsert(Self.leadTable, key: [group.hour, group.sellerID, group.source, group.vertical], counters)
        }
        for (group, counters) in batch.campaigns {
            let lead = group.lead
            try upsert(
                Self.campaignTable, key: [lead.hour, group.campaignID, group.buyerID, lead.sellerID, lead.source, lead.vertical],
                counters)
        }
        guard !batch.bids.isEmpty else { return }
        let statement = try db.cachedStatement(sql: Self.upsertBids)
        for (group, counts) in batch.bids {
            let lead = group.lead
            statement.setUncheckedArguments([
                lead.hour, group.campaignID, group.buyerID, lead.sellerID, lead.source, lead.vertical, group.clearingCents, counts.leads,
                counts.won,
            ])
            try statement.execute()
        }
    }

    static let upsertBids = """
        INSERT INTO rollup_bids (hour, campaign_id, buyer_id, seller_id, source, vertical, clearing_cents, leads, won)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (buyer_id, hour, campaign_id, seller_id, source, vertical, clearing_cents)
        DO UPDATE SET leads = leads + excluded.leads, won = won + excluded.won
        """

    private func upsert(_ table: Table, key: StatementArguments, _ counters: RollupCounters) throws {
        let latency = try mergedLatency(table, key: key, counters)
        let statement = try db.cachedStatement(sql: table.upsert)
        statement.setUncheckedArguments(key + Self.values(counters) + [latency])
        try statement.execute()
    }

    /// The row's histogram with the increment's added, or `""` to leave it as it is.
    private func mergedLatency(_ table: Table, key: StatementArguments, _ counters: RollupCounters) throws -> String {
        guard !counters.latency.isEmpty else { return "" }
        let stored = try String.fetchOne(db.cachedStatement(sql: table.selectLatency), arguments: key) ?? ""
        guard !stored.isEmpty else { return counters.latencyText }
        var dense = LatencyText.dense(stored)
        for (bucket, count) in counters.latency { LatencyText.add(bucket, count, into: &dense) }
        return LatencyHistogram.encoded(dense: dense)
    }

    private static func values(_ counters: RollupCounters) -> StatementArguments {
        [
            counters.leads, counters.pings, counters.bids, counters.sold, counters.accepted, counters.rejected, counters.returned,
            counters.conversions, counters.revenueCents, counters.payoutCents, counters.timeouts,
        ]
    }

    /// A rollup table's statements.
    struct Table {
        let upsert: String
        let selectLatency: String

        init(name: String, keyColumns: [String]) {
            let columns = keyColumns + RollupWriter.counterColumns + ["latency"]
            let sums = RollupWriter.counterColumns.map { "\($0) = \($0) + excluded.\($0)" }
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            upsert = """
                INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))
                ON CONFLICT (\(keyColumns.joined(separator: ", "))) DO UPDATE SET \(sums.joined(separator: ", ")),
                    latency = CASE WHEN excluded.latency = '' THEN latency ELSE excluded.latency END
                """
            let matches = keyColumns.map { "\($0) = ?" }.joined(separator: " AND ")
            selectLatency = "SELECT latency FROM \(name) WHERE \(matches)"
        }
    }

    static let counterColumns = [
        "leads", "pings", "bids", "sold", "accepted", "rejected", "returned", "conversions", "revenue_cents", "payout_cents", "timeouts",
    ]
    static let leadTable = Table(name: "rollup_leads", keyColumns: ["hour", "seller_id", "source", "vertical"])
    static let campaignTable = Table(
        name: "rollup_campaigns", keyColumns: ["hour", "campaign_id", "buyer_id", "seller_id", "source", "vertical"])
}
