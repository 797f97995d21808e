import GavelCore
import Hummingbird

/// `GET /v1/reports`: rows grouped by seller, source, buyer, campaign, vertical, day or hour,
/// scoped to what the key may see.
struct ReportRoutes {
    let store: any ReportStore
    let clock: any WallClock

    /// The report's columns, in order.
    static let columns = [
        "key", "leads", "pings", "bids", "bid_rate", "sold", "sold_rate", "accepted", "rejected", "returned", "conversions",
        "revenue", "payout", "margin", "avg_price", "epl", "conversion_rate", "accept_rate", "return_rate", "p50_response_ms",
        "p95_response_ms", "timeouts",
    ]

    func register(on router: Routes) {
        router.get("/v1/reports") { request, context in
            let identity = try context.require(.admin, .seller, .buyer)
            let query = try Self.query(request, identity: identity, now: clock.now())
            let rows = try await store.report(query)
            let view = ReportView(role: identity.role)
            return Query.respond(
                rows.map(view.json), columns: Self.columns, format: try Query.format(request), name: "report-\(query.groupBy.rawValue)")
        }
    }

    static func query(_ request: Request, identity: Identity, now: Timestamp) throws -> ReportQuery {
        guard let text = request.uri.queryParameters["group_by"].map(String.init) else {
            throw Problem.invalid(field: "group_by", "is required: seller, source, buyer, campaign, vertical, day or hour")
        }
        guard let dimension = ReportDimension(rawValue: text) else {
            throw Problem.invalid(field: "group_by", "must be seller, source, buyer, campaign, vertical, day or hour")
        }
        let (from, to) = try Query.range(request, now: now)
        var query = ReportQuery(groupBy: dimension, from: from, to: to)
        switch identity.role {
        case .admin: break
        case .seller:
            guard !dimension.isBuyerSide else { throw Problem.forbidden("Sellers see reports by seller, source, vertical, day or hour.") }
            query.sellerID = identity.subjectID
        case .buyer:
            guard dimension != .seller && dimension != .source else {
                throw Problem.forbidden("Buyers see reports by buyer, campaign, vertical, day or hour.")
            }
            query.buyerID = identity.subjectID
        }
        return query
    }
}

/// How a report row looks to a role: sellers never see what buyers paid, buyers never see what
/// sellers earned.
struct ReportView {
    let role: Role

    func json(_ row: ReportRow) -> JSONValue {
        let showRevenue = role != .seller
        let showPayout = role != .buyer
        let spend = showRevenue ? row.revenue : row.payout
        return .object([
            "key": .string(row.key), "leads": count(row.leads), "pings": count(row.pings), "bids": count(row.bids),
            "bid_rate": Self.ratio(row.bids, row.pings), "sold": count(row.sold), "sold_rate": Self.ratio(row.sold, row.leads),
            "accepted": count(row.accepted), "rejected": count(row.rejected), "returned": count(row.returned),
            "conversions": count(row.conversions),
            "revenue": showRevenue ? row.revenue.json : .null, "payout": showPayout ? row.payout.json : .null,
            "margin": showRevenue && showPayout ? row.margin.json : .null,
            "avg_price": row.sold > 0 ? Self.average(spend, row.sold).json : .null,
            "epl": showPayout && row.leads > 0 ? Self.average(row.payout, row.leads).json : .null,
            "conversion_rate": Self.ratio(row.conversions, row.sold),
            "accept_rate": Self.ratio(row.accepted, row.accepted + row.rejected), "return_rate": Self.ratio(row.returned, row.sold),
            "p50_response_ms": row.latency.percentile(0.5).map { .number(Number($0)) } ?? .null,
            "p95_response_ms": row.latency.percentile(0.95).map { .number(Number($0)) } ?? .null,
            "timeouts": count(row.timeouts),
        ])
    }

    private func count(_ value: Int) -> JSONValue { .number(Number(value)) }

    /// `part ÷ whole` rounded half up to 4 decimals; 0 when there is no whole.
    static func ratio(_ part: Int, _ whole: Int) -> JSONValue {
        guard whole > 0 else { return .number(Number(0)) }
        let scaled = (Int64(part) * 20_000 + Int64(whole)) / (2 * Int64(whole))
        return .number(Number(significand: scaled, exponent: -4))
    }

    /// An amount divided evenly, rounded half up to the cent.
    static func average(_ total: Money, _ count: Int) -> Money {
        let n = Int64(count)
        return Money(cents: (total.cents * 2 + (total.cents >= 0 ? n : -n)) / (2 * n))
    }
}
