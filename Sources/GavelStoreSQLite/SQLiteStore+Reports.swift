import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// The rows of a report, sorted by key, read from the hourly rollups only (so a month over
    /// a million leads is a scan of a few thousand to a few hundred thousand rollup rows).
    ///
    /// The rollups' resolution is one UTC hour: an hour overlapping `[from, to)` counts whole.
    /// Lead-side rows without a buyer scope read the leads' rollup; buyer-side rows, and
    /// lead-side rows scoped to a buyer (which then count only what concerns its campaigns:
    /// leads offered to them, their pings, posts and sales), read the campaigns' rollup.
    ///
    /// A lead counts once it is finished: when its outcome is recorded, when it is stored as a
    /// duplicate, or when ``reconcile(now:)`` closes it; test leads never count. Remote pings
    /// (every answer but `hosted`) carry the latencies and timeouts; hosted pricings count as
    /// pings and bids only. Returns and conversions count in the lead's arrival hour.
    public func report(_ query: ReportQuery) async throws -> [ReportRow] {
        let plan = ReportPlan(query)
        guard plan.fromHour < plan.toHour else { return [] }
        return try await read { db in try plan.rows(db) }
    }
}

/// How a report query reads the rollups.
struct ReportPlan {
    let query: ReportQuery
    let fromHour: Int64
    let toHour: Int64

    init(_ query: ReportQuery) {
        self.query = query
        (fromHour, toHour) = LeadGroup.hours(from: query.from, to: query.to).bounds
    }

    func rows(_ db: Database) throws -> [ReportRow] {
        let statement = try db.makeStatement(sql: sql)
        var rows = try Row.fetchAll(statement, arguments: arguments).map(row)
        rows.sort { $0.key < $1.key }
        return rows
    }

    private var table: String {
        query.groupBy.isBuyerSide || query.buyerID != nil ? "rollup_campaigns" : "rollup_leads"
    }

    /// The grouping expression; days and hours group as integers, named in ``key(_:)``.
    private var keyExpression: String {
        switch query.groupBy {
        case .seller: "seller_id"
        case .source: query.sellerID == nil ? "seller_id || '/' || source" : "source"
        case .buyer: "buyer_id"
        case .campaign: "campaign_id"
        case .vertical: "vertical"
        case .day: "hour / 24"
        case .hour: "hour"
        }
    }

    private var sql: String {
        var filters = ["hour >= ?", "hour < ?"]
        if query.sellerID != nil { filters.append("seller_id = ?") }
        if query.buyerID != nil { filters.append("buyer_id = ?") }
        let sums = RollupWriter.counterColumns.map { "SUM(\($0))" }.joined(separator: ", ")
        return """
            SELECT \(keyExpression) AS report_key, \(sums), group_concat(NULLIF(latency, ''), ',')
            FROM \(table) WHERE \(filters.joined(separator: " AND ")) GROUP BY report_key
            """
    }

    private var arguments: StatementArguments {
        var arguments: StatementArguments = [fromHour, toHour]
        if let seller = query.sellerID { arguments += [seller] }
        if let buyer = query.buyerID { arguments += [buyer] }
        return arguments
    }

    /// A result row: the key, the counters in ``RollupWriter/counterColumns`` order, then the
    /// concatenated histograms.
    private func row(_ row: Row) -> ReportRow {
        var report = ReportRow(key: key(row[0]))
        report.leads = row[1]
        report.pings = row[2]
        report.bids = row[3]
        report.sold = row[4]
        report.accepted = row[5]
        report.rejected = row[6]
        report.returned = row[7]
        report.conversions = row[8]
        report.revenue = Money(cents: row[9])
        report.payout = Money(cents: row[10])
        report.timeouts = row[11]
        report.latency = LatencyText.histogram(row[12] as String? ?? "")
        return report
    }

    private func key(_ value: DatabaseValue) -> String {
        switch query.groupBy {
        case .day: return CivilDate(daysSinceEpoch: Int(Int64.fromDatabaseValue(value) ?? 0)).description
        case .hour:
            let hour = Int(Int64.fromDatabaseValue(value) ?? 0)
            let (day, hourOfDay) = (hour / 24, hour % 24)
            return "\(CivilDate(daysSinceEpoch: day))T\(hourOfDay < 10 ? "0" : "")\(hourOfDay):00Z"
        default: return String.fromDatabaseValue(value) ?? ""
        }
    }
}

/// Reads many stored histograms fast: a report merges one per rollup row, so this parses the
/// text form (`bucket:count,…`, repeated buckets adding up) byte by byte into dense counts.
enum LatencyText {
    static func histogram(_ text: String) -> LatencyHistogram {
        guard !text.isEmpty else { return LatencyHistogram() }
        let dense = dense(text)
        var counts: [Int: Int] = [:]
        for (bucket, count) in dense.enumerated() where count > 0 { counts[bucket] = count }
        return LatencyHistogram(counts: counts)
    }

    /// The stored text's counts by bucket index, every bucket present (buckets out of range
    /// are left out).
    static func dense(_ text: String) -> [Int] {
        var dense = [Int](repeating: 0, count: LatencyHistogram.bucket(micros: .max) + 1)
        var text = text
        text.withUTF8 { accumulate($0, into: &dense) }
        return dense
    }

    private static func accumulate(_ bytes: UnsafeBufferPointer<UInt8>, into dense: inout [Int]) {
        var (bucket, number) = (0, 0)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): number = number &* 10 &+ Int(byte &- UInt8(ascii: "0"))
            case UInt8(ascii: ":"): (bucket, number) = (number, 0)
            default:
                add(bucket, number, into: &dense)
                (bucket, number) = (0, 0)
            }
        }
        add(bucket, number, into: &dense)
    }

    /// Adds a bucket's count to dense counts; a bucket out of range is left out.
    static func add(_ bucket: Int, _ count: Int, into dense: inout [Int]) {
        guard dense.indices.contains(bucket) else { return }
        dense[bucket] += count
    }
}

extension SQLiteStore {
    /// One buyer's bidding per campaign and segment, from the bid and campaign rollups.
    public func bidFacts(_ query: BidFactsQuery) async throws -> [BidFacts] {
        let hours = BidFactsAssembly.hours(query)
        guard !hours.isEmpty else { return [] }
        return try await read { db in
            let arguments: StatementArguments = [query.buyerID, hours.lowerBound, hours.upperBound]
            let bids = try Row.fetchAll(
                db,
                sql: """
                    SELECT hour, campaign_id, buyer_id, seller_id, source, vertical, clearing_cents, leads, won
                    FROM rollup_bids WHERE buyer_id = ? AND hour >= ? AND hour < ?
                    """, arguments: arguments
            ).map { row in
                (
                    BidGroup(lead: Self.group(row), campaignID: row[1], buyerID: row[2], clearingCents: row[6]),
                    BidCounts(leads: row[7], won: row[8])
                )
            }
            let campaigns = try Row.fetchAll(
                db,
                sql: """
                    SELECT hour, campaign_id, buyer_id, seller_id, source, vertical, accepted, rejected, sold, returned
                    FROM rollup_campaigns WHERE buyer_id = ? AND hour >= ? AND hour < ?
                    """, arguments: arguments
            ).map { row in
                var counters = RollupCounters()
                (counters.accepted, counters.rejected, counters.sold, counters.returned) = (row[6], row[7], row[8], row[9])
                return (CampaignGroup(lead: Self.group(row), campaignID: row[1], buyerID: row[2]), counters)
            }
            return BidFactsAssembly.facts(bids: bids, campaigns: campaigns)
        }
    }

    private static func group(_ row: Row) -> LeadGroup {
        LeadGroup(hour: row[0], sellerID: row[3], source: row[4], vertical: row[5])
    }
}
