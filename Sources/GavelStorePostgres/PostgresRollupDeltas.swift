import GavelCore
import GavelStoreSupport

/// Report deltas as the PostgreSQL store appends them to `rollup_deltas`: one row for the
/// leads' side of an event (`campaign_id = ''`, `buyer_id = ''`, no latency) and one per
/// campaign concerned (with its latency buckets), grouped under the lead's UTC arrival hour,
/// seller, source and vertical (read from the lead's row in the same statement).
enum PostgresRollupDeltas {
    /// The columns written, in order.
    static let columns =
        (["hour", "campaign_id", "buyer_id", "seller_id", "source", "vertical"] + PostgresSchema.counterNames
        + ["buckets", "bucket_counts"]).joined(separator: ", ")

    /// The columns of a JSON record set of deltas (`json_to_recordset(…) AS r (…)`).
    static let recordDefinition =
        (["campaign_id TEXT", "buyer_id TEXT"] + PostgresSchema.counterNames.map { "\($0) BIGINT" }
        + ["buckets INTEGER[]", "bucket_counts BIGINT[]"]).joined(separator: ", ")

    /// The select list that writes record set `r` under the group of the lead row `lead`
    /// (which has `received_at`, `seller_id`, `source`, `vertical`).
    static func selectList(lead: String) -> String {
        ([hour("\(lead).received_at"), "r.campaign_id", "r.buyer_id", "\(lead).seller_id", "\(lead).source", "\(lead).vertical"]
            + PostgresSchema.counterNames.map { "r.\($0)" } + ["r.buckets", "r.bucket_counts"]).joined(separator: ", ")
    }

    /// The UTC hour (since the epoch, rounded down) of an epoch-milliseconds expression.
    static func hour(_ milliseconds: String) -> String {
        "floor(\(milliseconds) / 3600000.0)::BIGINT"
    }

    /// The columns of a JSON record set of deltas that carry their own group.
    static let groupedRecordDefinition = "hour BIGINT, seller_id TEXT, source TEXT, vertical TEXT, " + recordDefinition

    /// The select list that writes a grouped record set `r`.
    static let groupedSelectList =
        (["r.hour", "r.campaign_id", "r.buyer_id", "r.seller_id", "r.source", "r.vertical"]
        + PostgresSchema.counterNames.map { "r.\($0)" } + ["r.buckets", "r.bucket_counts"]).joined(separator: ", ")

    /// The JSON record set of merged deltas, each with its group (a bulk import).
    static func groupedRecords(_ batch: RollupBatch) -> String {
        var rows: [JSONValue] = []
        for (group, counters) in batch.leads {
            rows.append(grouped(record(campaignID: "", buyerID: "", counters, latency: false), group))
        }
        for (group, counters) in batch.campaigns {
            rows.append(grouped(record(campaignID: group.campaignID, buyerID: group.buyerID, counters, latency: true), group.lead))
        }
        return PostgresOutcomeWrite.recordSet(rows.compactMap(\.objectValue), numbered: false)
    }

    private static func grouped(_ record: JSONValue, _ group: LeadGroup) -> JSONValue {
        var members = record.objectValue ?? [:]
        members["hour"] = .integer(group.hour)
        members["seller_id"] = .string(group.sellerID)
        members["source"] = .string(group.source)
        members["vertical"] = .string(group.vertical)
        return .object(members)
    }

    /// The JSON record set of an event's deltas.
    static func records(_ delta: RollupDelta) -> String {
        var rows = [record(campaignID: "", buyerID: "", delta.lead, latency: false)]
        rows += delta.campaigns.map { record(campaignID: $0.campaignID, buyerID: $0.buyerID, $0.counters, latency: true) }
        return PostgresOutcomeWrite.recordSet(rows.compactMap(\.objectValue), numbered: false)
    }

    private static func record(campaignID: String, buyerID: String, _ counters: RollupCounters, latency: Bool) -> JSONValue {
        let buckets = latency ? counters.latency.keys.sorted() : []
        var members: [String: JSONValue] = [
            "campaign_id": .string(campaignID), "buyer_id": .string(buyerID),
            "buckets": .array(buckets.map { .integer(Int64($0)) }),
            "bucket_counts": .array(buckets.map { .integer(Int64(counters.latency[$0] ?? 0)) }),
        ]
        for (name, value) in zip(PostgresSchema.counterNames, values(counters)) { members[name] = .integer(value) }
        return .object(members)
    }

    /// The counters in the order of ``PostgresSchema/counterNames``.
    private static func values(_ counters: RollupCounters) -> [Int64] {
        [
            Int64(counters.leads), Int64(counters.pings), Int64(counters.bids), Int64(counters.sold), Int64(counters.accepted),
            Int64(counters.rejected), Int64(counters.returned), Int64(counters.conversions), counters.revenueCents,
            counters.payoutCents, Int64(counters.timeouts),
        ]
    }
}
