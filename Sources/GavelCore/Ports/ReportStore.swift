/// What a report groups by.
public enum ReportDimension: String, Sendable, Hashable, CaseIterable {
    /// The lead's seller.
    case seller
    /// The seller's traffic source (keyed `seller_id/source` for the operator, `source` for
    /// a seller).
    case source
    /// The buyer the campaign belongs to.
    case buyer
    /// The campaign.
    case campaign
    /// The lead's vertical.
    case vertical
    /// The UTC day the lead arrived (`YYYY-MM-DD`).
    case day
    /// The UTC hour the lead arrived (`YYYY-MM-DDTHH:00Z`).
    case hour

    /// Whether rows count from the campaigns' side (offers, pings, bids and sales of each
    /// campaign) rather than from the leads' side.
    public var isBuyerSide: Bool { self == .buyer || self == .campaign }
}

/// A report request, already scoped to what the caller may see.
public struct ReportQuery: Sendable, Hashable {
    /// The grouping.
    public var groupBy: ReportDimension
    /// The first moment included (by lead arrival).
    public var from: Timestamp
    /// The first moment excluded.
    public var to: Timestamp
    /// Only this seller's leads (a seller's key).
    public var sellerID: String?
    /// Only this buyer's campaigns (a buyer's key).
    public var buyerID: String?

    /// Creates a query.
    public init(groupBy: ReportDimension, from: Timestamp, to: Timestamp, sellerID: String? = nil, buyerID: String? = nil) {
        self.groupBy = groupBy
        self.from = from
        self.to = to
        self.sellerID = sellerID
        self.buyerID = buyerID
    }
}

/// The counted facts of one report row; rates, averages and percentiles derive from them.
///
/// Lead-side rows (seller, source, vertical, day, hour) count the non-test leads that arrived in
/// the range and everything that happened to them. Buyer-side rows (buyer, campaign) count, per
/// campaign, the leads it was offered (pinged or posted), its pings, bids, posts, sales, returns
/// and conversions. Money is net of returns: `revenue` is the sum of the buyer ledger entries of
/// those sales, `payout` minus the sum of the seller entries.
public struct ReportRow: Sendable, Hashable {
    /// The group's key.
    public var key: String
    /// Leads.
    public var leads: Int
    /// Pings (remote pings and hosted pricings).
    public var pings: Int
    /// Pings answered with a bid.
    public var bids: Int
    /// Leads sold (buyer side: sales).
    public var sold: Int
    /// Posts accepted.
    public var accepted: Int
    /// Posts refused (rejected, duplicate, failed).
    public var rejected: Int
    /// Sales returned.
    public var returned: Int
    /// Conversions.
    public var conversions: Int
    /// What buyers paid, net of returns.
    public var revenue: Money
    /// What sellers earned, net of returns.
    public var payout: Money
    /// Remote pings that timed out.
    public var timeouts: Int
    /// Response times of remote pings.
    public var latency: LatencyHistogram

    /// Creates an empty row.
    public init(key: String) {
        self.key = key
        leads = 0
        pings = 0
        bids = 0
        sold = 0
        accepted = 0
        rejected = 0
        returned = 0
        conversions = 0
        revenue = .zero
        payout = .zero
        timeouts = 0
        latency = LatencyHistogram()
    }

    /// Revenue minus payout.
    public var margin: Money { revenue - payout }
}

/// Reports.
public protocol ReportStore: Sendable {
    /// The rows of a report, sorted by key. Must answer a month over a million leads in well
    /// under a second (keep rollups).
    func report(_ query: ReportQuery) async throws -> [ReportRow]

    /// One buyer's bidding per campaign and segment (vertical × source), merged and sorted by
    /// campaign, vertical and source; non-test leads only. Reads rollups, like reports.
    func bidFacts(_ query: BidFactsQuery) async throws -> [BidFacts]
}

/// A histogram of response times with fixed buckets (1 ms wide to 100 ms, 10 ms to 1 s,
/// 100 ms to 10 s, then one overflow bucket), small enough to keep per report row and hour,
/// mergeable, and precise enough for p50/p95.
public struct LatencyHistogram: Sendable, Hashable {
    /// Counts per bucket index (sparse).
    public private(set) var counts: [Int: Int]

    /// Creates an empty histogram.
    public init(counts: [Int: Int] = [:]) {
        self.counts = counts
    }

    /// The bucket of a latency in microseconds.
    public static func bucket(micros: Int64) -> Int {
        let ms = Int(max(0, micros) / 1_000)
        if ms < 100 { return ms }
        if ms < 1_000 { return 100 + (ms - 100) / 10 }
        if ms < 10_000 { return 190 + (ms - 1_000) / 100 }
        return 280
    }

    /// The upper bound of a bucket in milliseconds.
    public static func upperBoundMS(_ bucket: Int) -> Int {
        if bucket < 100 { return bucket + 1 }
        if bucket < 190 { return 100 + (bucket - 100 + 1) * 10 }
        if bucket < 280 { return 1_000 + (bucket - 190 + 1) * 100 }
        return 10_000
    }

    /// Counts one latency.
    public mutating func record(micros: Int64) {
        counts[Self.bucket(micros: micros), default: 0] += 1
    }

    /// Adds another histogram's counts.
    public mutating func merge(_ other: LatencyHistogram) {
        for (bucket, count) in other.counts { counts[bucket, default: 0] += count }
    }

    /// How many latencies were counted.
    public var total: Int { counts.values.reduce(0, +) }

    /// The latency (bucket upper bound, in ms) at or below which `fraction` of the counts lie;
    /// `nil` when empty.
    public func percentile(_ fraction: Double) -> Int? {
        let total = total
        guard total > 0 else { return nil }
        let rank = max(1, Int((Double(total) * fraction).rounded(.up)))
        var seen = 0
        for bucket in counts.keys.sorted() {
            seen += counts[bucket]!
            if seen >= rank { return Self.upperBoundMS(bucket) }
        }
        return nil
    }

    /// A compact text form for storage: `bucket:count,…`, buckets in ascending order.
    public var encoded: String {
        var text = EncodedText()
        for bucket in counts.keys.sorted() { text.append(bucket: bucket, count: counts[bucket]!) }
        return text.string
    }

    /// The compact text form of dense counts (the index is the bucket), empty buckets left out:
    /// the same text as ``encoded`` for the same counts, without a dictionary or a sort.
    public static func encoded(dense: [Int]) -> String {
        var text = EncodedText()
        text.bytes.reserveCapacity(dense.count * 8)
        for (bucket, count) in dense.enumerated() where count != 0 { text.append(bucket: bucket, count: count) }
        return text.string
    }

    /// The text form written byte by byte: report rollups rewrite it for every latency they fold.
    private struct EncodedText {
        var bytes: [UInt8] = []

        mutating func append(bucket: Int, count: Int) {
            if !bytes.isEmpty { bytes.append(UInt8(ascii: ",")) }
            appendDecimal(bucket)
            bytes.append(UInt8(ascii: ":"))
            appendDecimal(count)
        }

        private mutating func appendDecimal(_ value: Int) {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            let magnitude = value.magnitude
            var divisor: UInt = 1
            while divisor <= magnitude / 10 { divisor *= 10 }
            repeat {
                bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
                divisor /= 10
            } while divisor > 0
        }

        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Reads the compact text form.
    public init(encoded: String) {
        var counts: [Int: Int] = [:]
        for part in encoded.split(separator: ",") {
            let pair = part.split(separator: ":")
            if pair.count == 2, let bucket = Int(pair[0]), let count = Int(pair[1]) { counts[bucket, default: 0] += count }
        }
        self.counts = counts
    }
}

/// What bid guidance reads: one buyer's campaigns over a range of lead arrivals.
public struct BidFactsQuery: Sendable, Hashable {
    /// The buyer.
    public var buyerID: String
    /// The first moment included (by lead arrival).
    public var from: Timestamp
    /// The first moment excluded.
    public var to: Timestamp

    /// Creates a query.
    public init(buyerID: String, from: Timestamp, to: Timestamp) {
        self.buyerID = buyerID
        self.from = from
        self.to = to
    }
}

/// One campaign's bidding in one segment (vertical × source), counted over non-test leads: the
/// raw material of bid guidance (``BidGuidance``), which aggregates and hides thin segments.
public struct BidFacts: Sendable, Hashable {
    /// The campaign.
    public var campaignID: String
    /// The segment's vertical.
    public var vertical: String
    /// The segment's source.
    public var source: String
    /// Leads it bid on (a bid above zero).
    public var leads: Int
    /// Of those, the leads it bought.
    public var won: Int
    /// The clearing prices of those leads that sold, to anyone (the price of the lead's first
    /// sale): cents → how many leads.
    public var clearing: [Int64: Int]
    /// Its posts accepted in the segment.
    public var accepted: Int
    /// Its posts refused in the segment.
    public var rejected: Int
    /// Its sales in the segment.
    public var sold: Int
    /// Of those, the sales returned.
    public var returned: Int

    /// Creates facts.
    public init(
        campaignID: String, vertical: String, source: String, leads: Int = 0, won: Int = 0, clearing: [Int64: Int] = [:],
        accepted: Int = 0, rejected: Int = 0, sold: Int = 0, returned: Int = 0
    ) {
        self.campaignID = campaignID
        self.vertical = vertical
        self.source = source
        self.leads = leads
        self.won = won
        self.clearing = clearing
        self.accepted = accepted
        self.rejected = rejected
        self.sold = sold
        self.returned = returned
    }

    /// The key facts are merged and sorted by.
    public var key: String { "\(campaignID)\u{1F}\(vertical)\u{1F}\(source)" }

    /// Adds another part of the same segment's facts.
    public mutating func add(_ other: BidFacts) {
        leads += other.leads
        won += other.won
        for (cents, count) in other.clearing { clearing[cents, default: 0] += count }
        accepted += other.accepted
        rejected += other.rejected
        sold += other.sold
        returned += other.returned
    }

    /// Parts of facts merged per segment, sorted by campaign, vertical and source.
    public static func merged(_ parts: [BidFacts]) -> [BidFacts] {
        var merged: [String: BidFacts] = [:]
        for part in parts {
            merged[part.key, default: BidFacts(campaignID: part.campaignID, vertical: part.vertical, source: part.source)].add(part)
        }
        return merged.values.sorted { ($0.campaignID, $0.vertical, $0.source) < ($1.campaignID, $1.vertical, $1.source) }
    }
}
