import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Report rows for the dashboard, scoped and hidden by the reports API's own code: the query
/// goes through ``ReportRoutes/query(_:identity:now:)`` and every row through ``ReportView``,
/// so a page never shows what `GET /v1/reports` would not.
enum DashboardReports {
    /// The API's scoped query for an identity.
    static func query(
        _ dimension: ReportDimension, from: Timestamp, to: Timestamp, identity: Identity, now: Timestamp
    ) throws -> ReportQuery {
        let path = "/v1/reports?group_by=\(dimension.rawValue)&from=\(from.rfc3339)&to=\(to.rfc3339)"
        let head = HTTPRequest(method: .get, scheme: "http", authority: "dashboard", path: path)
        return try ReportRoutes.query(Request(head: head, body: RequestBody(buffer: ByteBuffer())), identity: identity, now: now)
    }

    /// Whether a role may group reports by a dimension (the API answers 403 otherwise).
    static func allows(_ dimension: ReportDimension, for role: Role) -> Bool {
        switch role {
        case .admin: true
        case .seller: !dimension.isBuyerSide
        case .buyer: dimension != .seller && dimension != .source
        }
    }

    /// The key of an hour's row: `YYYY-MM-DDTHH:00Z`.
    static func hourKey(_ time: Timestamp) -> String {
        let hour = Int(time.seconds / 3_600 % 24)
        return "\(time.utcDate)T\(hour < 10 ? "0" : "")\(hour):00Z"
    }

    /// The start of the UTC hour of a moment.
    static func hourStart(_ time: Timestamp) -> Timestamp {
        Timestamp(seconds: time.seconds - (time.seconds % 3_600 + 3_600) % 3_600)
    }

    /// Rows added up into one (latencies merged).
    static func total(_ rows: [ReportRow], key: String = "total") -> ReportRow {
        var total = ReportRow(key: key)
        for row in rows {
            total.leads += row.leads
            total.pings += row.pings
            total.bids += row.bids
            total.sold += row.sold
            total.accepted += row.accepted
            total.rejected += row.rejected
            total.returned += row.returned
            total.conversions += row.conversions
            total.revenue += row.revenue
            total.payout += row.payout
            total.timeouts += row.timeouts
            total.latency.merge(row.latency)
        }
        return total
    }
}

/// A report row as a role may see it, read back from ``ReportView``'s JSON: what the API hides
/// from the role is `nil` here.
struct VisibleRow: Sendable, Hashable {
    /// The group's key.
    var key: String
    /// Leads.
    var leads: Int
    /// Pings.
    var pings: Int
    /// Bids.
    var bids: Int
    /// Sold (buyer side: sales).
    var sold: Int
    /// Posts accepted.
    var accepted: Int
    /// Posts refused.
    var rejected: Int
    /// Returned.
    var returned: Int
    /// Conversions.
    var conversions: Int
    /// Remote pings that timed out.
    var timeouts: Int
    /// What buyers paid (hidden from sellers).
    var revenue: Money?
    /// What sellers earned (hidden from buyers).
    var payout: Money?
    /// Revenue minus payout (operator only).
    var margin: Money?
    /// Average price per sale as the role sees it.
    var averagePrice: Money?
    /// Payout per lead (hidden from buyers).
    var earningsPerLead: Money?
    /// Median response time of remote pings.
    var p50: Int?
    /// 95th percentile response time.
    var p95: Int?

    /// The row as `role` sees it.
    init(_ row: ReportRow, role: Role) {
        self.init(json: ReportView(role: role).json(row))
    }

    /// Reads the API's JSON form of a row.
    init(json: JSONValue) {
        func count(_ name: String) -> Int { json[name]?.numberValue?.integerValue.map { Int($0) } ?? 0 }
        func money(_ name: String) -> Money? { json[name]?.numberValue.flatMap(Money.init) }
        key = json["key"]?.stringValue ?? ""
        leads = count("leads")
        pings = count("pings")
        bids = count("bids")
        sold = count("sold")
        accepted = count("accepted")
        rejected = count("rejected")
        returned = count("returned")
        conversions = count("conversions")
        timeouts = count("timeouts")
        revenue = money("revenue")
        payout = money("payout")
        margin = money("margin")
        averagePrice = money("avg_price")
        earningsPerLead = money("epl")
        p50 = json["p50_response_ms"]?.numberValue?.integerValue.map { Int($0) }
        p95 = json["p95_response_ms"]?.numberValue?.integerValue.map { Int($0) }
    }
}
