import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore: ReportStore {
    /// The rows of a report, sorted by key, read from the hourly rollups and the deltas not yet
    /// folded into them, in one snapshot.
    ///
    /// As in the SQLite store, the rollups' resolution is one UTC hour: an hour overlapping
    /// `[from, to)` counts whole. Lead-side rows without a buyer scope read the leads' rows;
    /// buyer-side rows, and lead-side rows scoped to a buyer (which then count only what
    /// concerns its campaigns), read the campaigns' rows. Latency is counted on the campaigns'
    /// rows; the leads' side sums them.
    public func report(_ query: ReportQuery) async throws -> [ReportRow] {
        let plan = PostgresReportPlan(query)
        guard plan.fromHour < plan.toHour else { return [] }
        return try await snapshot(limit: .unbounded) { connection in
            var rows = try await connection.all(plan.countersQuery, logger: self.logger).map(plan.row)
            let latency = try await connection.all(plan.latencyQuery, logger: self.logger)
            try plan.addLatency(latency, to: &rows)
            return rows.sorted { $0.key < $1.key }
        }
    }
}

/// How a report query reads the rollups.
struct PostgresReportPlan {
    let query: ReportQuery
    let fromHour: Int64
    let toHour: Int64

    init(_ query: ReportQuery) {
        self.query = query
        (fromHour, toHour) = LeadGroup.hours(from: query.from, to: query.to).bounds
    }

    private var campaignSide: Bool { query.groupBy.isBuyerSide || query.buyerID != nil }

    /// The grouping expression, as text (days and hours as integers, named in ``key(_:)``).
    private var keyExpression: String {
        switch query.groupBy {
        case .seller: "seller_id"
        case .source: query.sellerID == nil ? "seller_id || '/' || source" : "source"
        case .buyer: "buyer_id"
        case .campaign: "campaign_id"
        case .vertical: "vertical"
        case .day: "(hour / 24)::TEXT"
        case .hour: "hour::TEXT"
        }
    }

    /// The filter of the rows a report reads: its hours and scope, and the side.
    private func filter(campaignRows: Bool) -> PostgresQuery {
        var query: PostgresQuery = "hour >= \(fromHour) AND hour < \(toHour)"
        query.sql += campaignRows ? " AND campaign_id <> ''" : " AND campaign_id = ''"
        if let seller = self.query.sellerID {
            query.sql += " AND seller_id = $\(query.binds.count + 1)"
            query.binds.append(seller)
        }
        if let buyer = self.query.buyerID {
            query.sql += " AND buyer_id = $\(query.binds.count + 1)"
            query.binds.append(buyer)
        }
        return query
    }

    /// Sums the counters per key over the rollups and the unfolded deltas.
    var countersQuery: PostgresQuery {
        let counters = PostgresSchema.counterNames.joined(separator: ", ")
        let sums = PostgresSchema.counterNames.map { "sum(\($0))::BIGINT" }.joined(separator: ", ")
        let condition = filter(campaignRows: campaignSide)
        return PostgresQuery(
            unsafeSQL: """
                SELECT report_key, \(sums) FROM (
                    SELECT \(keyExpression) AS report_key, \(counters) FROM rollup_rows WHERE \(condition.sql)
                    UNION ALL
                    SELECT \(keyExpression), \(counters) FROM rollup_deltas WHERE \(condition.sql)
                ) AS t GROUP BY report_key
                """, binds: condition.binds)
    }

    /// Sums the latency buckets per key over the campaigns' rollups and unfolded deltas.
    var latencyQuery: PostgresQuery {
        let condition = filter(campaignRows: true)
        return PostgresQuery(
            unsafeSQL: """
                SELECT report_key, bucket, sum(count)::BIGINT FROM (
                    SELECT \(keyExpression) AS report_key, bucket, count FROM rollup_latency WHERE \(condition.sql)
                    UNION ALL
                    SELECT \(keyExpression), u.bucket, u.count FROM rollup_deltas, unnest(buckets, bucket_counts) AS u (bucket, count)
                    WHERE \(condition.sql)
                ) AS t GROUP BY report_key, bucket
                """, binds: condition.binds)
    }

    /// A counters row: the key, then the counters in ``PostgresSchema/counterNames`` order.
    func row(_ row: PostgresRow) throws -> ReportRow {
        let c = try row.decode((String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
        var report = ReportRow(key: key(c.0))
        report.leads = Int(c.1)
        report.pings = Int(c.2)
        report.bids = Int(c.3)
        report.sold = Int(c.4)
        report.accepted = Int(c.5)
        report.rejected = Int(c.6)
        report.returned = Int(c.7)
        report.conversions = Int(c.8)
        report.revenue = Money(cents: c.9)
        report.payout = Money(cents: c.10)
        report.timeouts = Int(c.11)
        return report
    }

    /// Adds the latency rows (key, bucket, count) to the report's rows with the same key.
    func addLatency(_ latency: [PostgresRow], to rows: inout [ReportRow]) throws {
        var buckets: [String: [Int: Int]] = [:]
        for row in latency {
            let (reportKey, bucket, count) = try row.decode((String, Int32, Int64).self)
            buckets[key(reportKey), default: [:]][Int(bucket), default: 0] += Int(count)
        }
        for index in rows.indices {
            if let counts = buckets[rows[index].key] { rows[index].latency = LatencyHistogram(counts: counts) }
        }
    }

    private func key(_ text: String) -> String {
        switch query.groupBy {
        case .day: return CivilDate(daysSinceEpoch: Int(text) ?? 0).description
        case .hour:
            let hour = Int(text) ?? 0
            let (day, hourOfDay) = (hour / 24, hour % 24)
            return "\(CivilDate(daysSinceEpoch: day))T\(hourOfDay < 10 ? "0" : "")\(hourOfDay):00Z"
        default: return text
        }
    }
}

extension PostgresStore {
    /// One buyer's bidding per campaign and segment, counted from the pings, posts and sales of
    /// the non-test leads that arrived in the covered hours (the same hours the rollups of the
    /// other stores count), in one snapshot.
    public func bidFacts(_ query: BidFactsQuery) async throws -> [BidFacts] {
        let hours = BidFactsAssembly.hours(query)
        guard !hours.isEmpty else { return [] }
        let (from, to, buyer) = (
            hours.lowerBound * LeadGroup.millisecondsPerHour, hours.upperBound * LeadGroup.millisecondsPerHour, query.buyerID
        )
        return try await snapshot(limit: .unbounded) { connection in
            let bids = try await connection.all(
                """
                WITH bid AS (
                    SELECT DISTINCT l.id, l.vertical, l.source, p.campaign_id
                    FROM leads l JOIN pings p ON p.lead_id = l.id
                    WHERE l.received_at >= \(from) AND l.received_at < \(to) AND NOT l.test AND l.outcome_status IS NOT NULL
                        AND p.buyer_id = \(buyer) AND p.kind IN ('bid', 'hosted') AND p.bid_cents > 0)
                SELECT b.campaign_id, b.vertical, b.source,
                    COALESCE((SELECT s.price_cents FROM sales s WHERE s.lead_id = b.id AND s.seq = 0), -1) AS clearing,
                    COUNT(*)::BIGINT,
                    COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM sales w WHERE w.lead_id = b.id AND w.campaign_id = b.campaign_id))::BIGINT
                FROM bid b GROUP BY 1, 2, 3, 4
                """, logger: self.logger
            ).map { row in
                let (campaign, vertical, source, clearing, leads, won) = try row.decode((String, String, String, Int64, Int64, Int64).self)
                return BidFacts(
                    campaignID: campaign, vertical: vertical, source: source, leads: Int(leads), won: Int(won),
                    clearing: clearing >= 0 ? [clearing: Int(leads)] : [:])
            }
            let posts = try await connection.all(
                """
                SELECT po.campaign_id, l.vertical, l.source, COUNT(*) FILTER (WHERE po.outcome = 'accepted')::BIGINT,
                    COUNT(*) FILTER (WHERE po.outcome <> 'accepted')::BIGINT
                FROM leads l JOIN posts po ON po.lead_id = l.id
                WHERE l.received_at >= \(from) AND l.received_at < \(to) AND NOT l.test AND po.buyer_id = \(buyer)
                GROUP BY 1, 2, 3
                """, logger: self.logger
            ).map { row in
                let (campaign, vertical, source, accepted, rejected) = try row.decode((String, String, String, Int64, Int64).self)
                return BidFacts(campaignID: campaign, vertical: vertical, source: source, accepted: Int(accepted), rejected: Int(rejected))
            }
            let sales = try await connection.all(
                """
                SELECT s.campaign_id, l.vertical, l.source, COUNT(*)::BIGINT, COUNT(s.returned_at)::BIGINT
                FROM leads l JOIN sales s ON s.lead_id = l.id
                WHERE l.received_at >= \(from) AND l.received_at < \(to) AND NOT l.test AND s.buyer_id = \(buyer)
                GROUP BY 1, 2, 3
                """, logger: self.logger
            ).map { row in
                let (campaign, vertical, source, sold, returned) = try row.decode((String, String, String, Int64, Int64).self)
                return BidFacts(campaignID: campaign, vertical: vertical, source: source, sold: Int(sold), returned: Int(returned))
            }
            return BidFacts.merged(bids + posts + sales)
        }
    }
}
