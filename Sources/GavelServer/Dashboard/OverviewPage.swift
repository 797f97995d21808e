import GavelCore

/// What the overview is made from, fetched for one viewer.
struct OverviewInput: Sendable {
    /// When it was read.
    var now: Timestamp
    /// The last 24 hours by UTC hour.
    var hourly: [ReportRow]
    /// The last 24 hours by traffic source (operator and sellers).
    var sources: [ReportRow]
    /// The last 24 hours by buyer (operator) or by campaign (a buyer).
    var parties: [ReportRow]
    /// The latest sales the viewer may see, newest first.
    var sales: [BoughtLead]
    /// Details of the latest of those leads.
    var details: [LeadDetail]
    /// The books' chain head (the operator's only).
    var chainHead: ChainHead?

    /// How many recent sales the price distribution reads.
    static let salesRead = 500
    /// How many recent leads the reasons table reads.
    static let detailsRead = 25

    /// The first hour of the 24 shown.
    static func firstHour(_ now: Timestamp) -> Timestamp {
        DashboardReports.hourStart(now).adding(milliseconds: -23 * 3_600_000)
    }

    /// Reads everything the overview shows for a viewer.
    static func load(_ data: DashboardData, viewer: Viewer) async throws -> OverviewInput {
        let now = data.clock.now()
        let (from, to) = (firstHour(now), now.adding(milliseconds: 1))
        let parties: ReportDimension = viewer.role == .buyer ? .campaign : .buyer
        let sales = try await data.recentSales(viewer: viewer, limit: salesRead)
        var chainHead: ChainHead?
        if viewer.role == .admin { chainHead = try await data.store.chainHead() }
        let ids = sales.map(\.lead.id).reduce(into: [String]()) { ids, id in
            if !ids.contains(id) && ids.count < detailsRead { ids.append(id) }
        }
        return OverviewInput(
            now: now, hourly: try await data.report(.hour, from: from, to: to, viewer: viewer),
            sources: try await data.report(.source, from: from, to: to, viewer: viewer),
            parties: try await data.report(parties, from: from, to: to, viewer: viewer), sales: sales,
            details: try await data.details(ids), chainHead: chainHead)
    }
}

/// The overview page: headline figures for today and the last 24 hours, charts by hour, the
/// price distribution, sources, buyers and what went wrong — each as the viewer may see it.
struct OverviewPage: Sendable {
    /// The page's chrome.
    var chrome: Chrome
    /// When the figures were read, in the viewer's zone.
    var updated: String
    /// Today and the last 24 hours.
    var periods: [FactGroup]
    /// Charts and tables.
    var sections: [PageSection]

    /// Seconds between reloads.
    static let refreshSeconds = 5

    /// Builds the page.
    init(_ input: OverviewInput, viewer: Viewer, config: MarketConfig) {
        chrome = Chrome(title: "Overview", viewer: viewer, path: "/", market: config, refreshSeconds: Self.refreshSeconds)
        updated = DashboardFormat.time(input.now, zone: viewer.zone) + " " + viewer.zone
        let builder = OverviewBuilder(input: input, viewer: viewer, config: config)
        periods = builder.periods()
        sections = builder.sections()
    }

    /// The tables of the page by id (for their CSV downloads).
    var tables: [String: DashboardTable] { sections.tablesByID }
}

/// Builds the overview's parts from its input.
struct OverviewBuilder {
    let input: OverviewInput
    let viewer: Viewer
    let config: MarketConfig

    var role: Role { viewer.role }
    var zone: String { viewer.zone }
    var hours: [Timestamp] { (0..<24).map { OverviewInput.firstHour(input.now).adding(milliseconds: Int64($0) * 3_600_000) } }
    var range: String { "from=\(OverviewInput.firstHour(input.now).rfc3339)&to=\(input.now.adding(milliseconds: 1).rfc3339)" }

    /// The headline figures.
    func periods() -> [FactGroup] {
        let today = DashboardReports.hourStart(DashboardFormat.startOfDay(input.now, zone: zone))
        let todayRows = input.hourly.filter { row in hours.contains { DashboardReports.hourKey($0) == row.key && $0 >= today } }
        let groups = [
            FactGroup(title: "Today (since midnight, \(zone))", facts: facts(DashboardReports.total(todayRows))),
            FactGroup(title: "Last 24 hours", facts: facts(DashboardReports.total(input.hourly))),
        ]
        return groups + (input.chainHead.map { [books($0)] } ?? [])
    }

    /// The books' chain head, to anchor elsewhere: the hash links to `/chain-head.json`, which
    /// gives it whole as `GET /v1/audit/chain-head` does.
    private func books(_ head: ChainHead) -> FactGroup {
        FactGroup(
            title: "Books (tamper-evident chain)",
            facts: [
                Fact("Sealed records", DashboardFormat.count(head.pos)),
                Fact("Head hash", head.pos == 0 ? "none yet" : String(head.hash.prefix(12)) + "…", link: "/chain-head.json"),
                Fact("Last sealed", head.at.map { DashboardFormat.time($0, zone: zone) } ?? "never"),
            ])
    }

    private func facts(_ row: ReportRow) -> [Fact] {
        let visible = VisibleRow(row, role: role)
        var facts = [
            Fact(role == .buyer ? "Leads offered" : "Leads", DashboardFormat.count(visible.leads)),
            Fact(role == .buyer ? "Bought" : "Sold", DashboardFormat.count(visible.sold)),
            Fact(role == .buyer ? "Bought %" : "Sold %", DashboardFormat.percent(visible.sold, of: visible.leads)),
        ]
        facts += MoneyColumn.all(for: role).map { Fact($0.label, DashboardFormat.money($0.value(visible))) }
        facts.append(Fact(MoneyColumn.averageLabel(role), DashboardFormat.money(visible.averagePrice)))
        if role == .seller { facts.append(Fact("Earnings per lead", DashboardFormat.money(visible.earningsPerLead))) }
        return facts
    }

    /// The sections the viewer may see.
    func sections() -> [PageSection] {
        var sections = [hourly()]
        if role != .seller { sections.append(prices()) }
        if role != .buyer { sections.append(sources()) }
        if role != .seller { sections.append(parties()) }
        sections.append(reasons())
        return sections
    }

    private func hourly() -> PageSection {
        let byKey = Dictionary(input.hourly.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = hours.map { VisibleRow(byKey[DashboardReports.hourKey($0)] ?? ReportRow(key: DashboardReports.hourKey($0)), role: role) }
        return PageSection(
            id: "hours", title: "Last 24 hours by hour", sectionNote: "Hours in \(zone); the table lists hours with leads, newest first.",
            charts: hourlyCharts(rows), tables: [TableView(hourlyTable(rows))])
    }

    private func hourlyCharts(_ rows: [VisibleRow]) -> [ChartView] {
        let labels = hours.map { DashboardFormat.hour($0, zone: zone) }
        let columns = MoneyColumn.all(for: role)
        let counts = BarChart(
            id: "hourly-leads", title: "Leads and sales by hour", labels: labels,
            series: [ChartSeries("Leads", rows.map { Int64($0.leads) }), ChartSeries("Sold", rows.map { Int64($0.sold) })])
        let money = LineChart(
            id: "hourly-money", title: "Money by hour", labels: labels,
            series: columns.map { column in ChartSeries(column.label, rows.map { column.value($0)?.cents ?? 0 }) }, unit: .money)
        return [
            ChartView(counts, caption: "Leads and sales per hour"),
            ChartView(money, caption: columns.map(\.label).joined(separator: ", ") + " per hour"),
        ]
    }

    private func hourlyTable(_ rows: [VisibleRow]) -> DashboardTable {
        let columns = MoneyColumn.all(for: role)
        var table = DashboardTable(
            id: "hourly", title: "By hour",
            columns: ["Hour (\(zone))", "Leads#", "Sold#", "Sold %#"] + columns.map { $0.label + "#" } + [
                MoneyColumn.averageLabel(role) + "#"
            ],
            csvHref: "/reports.csv?group_by=hour&\(range)")
        for (hour, row) in zip(hours, rows).reversed() where row.leads > 0 || row.sold > 0 || row.pings > 0 {
            let hourText = String(DashboardFormat.time(hour, zone: zone).dropLast(3))
            table.append(
                [.heading(hourText), .count(row.leads), .count(row.sold), .percent(row.sold, of: row.leads)]
                    + columns.map { .money($0.value(row)) } + [.money(row.averagePrice)])
        }
        return table
    }

    private func prices() -> PageSection {
        let prices = input.sales.map(\.price.cents)
        let histogram = Histogram(id: "prices", title: role == .buyer ? "Prices you paid" : "Sale prices", values: prices, unit: .money)
        var table = DashboardTable(
            id: "prices", title: "Sales by price", columns: ["Price range", "Sales#"], csvHref: "/overview.csv?table=prices")
        for bin in histogram.bins { table.append([.heading(histogram.label(bin)), .count(bin.count)]) }
        let note =
            "The \(DashboardFormat.count(prices.count)) most recent sales\(role == .buyer ? " of your campaigns" : ""). "
            + "Reports carry no single bids, so this shows winning prices."
        return PageSection(
            id: "price-distribution", title: role == .buyer ? "Prices you paid" : "Bid-price distribution (winning prices)",
            sectionNote: note,
            charts: [ChartView(histogram, caption: "Sales per price range")], tables: [TableView(table)])
    }

    private func sources() -> PageSection {
        let rows = input.sources.map { VisibleRow($0, role: role) }
            .sorted { ($0.earningsPerLead ?? .zero, $1.key) > ($1.earningsPerLead ?? .zero, $0.key) }
        let top = Array(rows.prefix(10))
        let chart = BarChart(
            id: "sources", title: "Top sources by earnings per lead", labels: top.map(\.key),
            series: [ChartSeries("Earnings per lead", top.map { $0.earningsPerLead?.cents ?? 0 })], unit: .money)
        var table = DashboardTable(
            id: "sources", title: "Sources",
            columns: [role == .admin ? "Seller/source" : "Source", "Leads#", "Sold#", "Sold %#", "Earnings#", "Earnings per lead#"],
            csvHref: "/reports.csv?group_by=source&\(range)")
        for row in rows {
            table.append([
                .heading(row.key), .count(row.leads), .count(row.sold), .percent(row.sold, of: row.leads), .money(row.payout),
                .money(row.earningsPerLead),
            ])
        }
        return PageSection(
            id: "top-sources", title: "Top sources by earnings per lead", sectionNote: "Last 24 hours; earnings are the sellers' payouts.",
            charts: [ChartView(chart, caption: "Earnings per submitted lead, top ten sources")], tables: [TableView(table)])
    }

    private func parties() -> PageSection {
        let byCampaign = role == .buyer
        let rows = input.parties.map { VisibleRow($0, role: role) }
            .sorted { (Self.winRate($0), $1.key) > (Self.winRate($1), $0.key) }
        let chart = BarChart(
            id: "response-times", title: "Response times (ms)", labels: rows.map(\.key),
            series: [ChartSeries("p50", rows.map { Int64($0.p50 ?? 0) }), ChartSeries("p95", rows.map { Int64($0.p95 ?? 0) })])
        return PageSection(
            id: "win-rates", title: byCampaign ? "Your campaigns by win rate" : "Buyers by win rate and response time",
            sectionNote: "Last 24 hours. Win rate is wins ÷ bids; response times are remote pings' p50 and p95.",
            charts: [ChartView(chart, caption: "Ping response time p50 and p95")],
            tables: [TableView(partiesTable(rows, byCampaign: byCampaign))])
    }

    private func partiesTable(_ rows: [VisibleRow], byCampaign: Bool) -> DashboardTable {
        var table = DashboardTable(
            id: byCampaign ? "campaigns" : "buyers", title: byCampaign ? "Your campaigns" : "Buyers",
            columns: [
                byCampaign ? "Campaign" : "Buyer", "Pings#", "Bids#", "Bid rate#", "Wins#", "Win rate#", "p50#", "p95#", "Timeouts#",
                "Rejected#",
                "Returned#", (byCampaign ? "Spend" : "Revenue") + "#",
            ],
            csvHref: "/reports.csv?group_by=\(byCampaign ? "campaign" : "buyer")&\(range)")
        for row in rows {
            table.append([
                .heading(row.key, link: byCampaign ? DashboardPath.campaign(row.key) : nil), .count(row.pings), .count(row.bids),
                .percent(row.bids, of: row.pings), .count(row.sold), .percent(row.sold, of: row.bids), .milliseconds(row.p50),
                .milliseconds(row.p95), .count(row.timeouts), .count(row.rejected), .count(row.returned), .money(row.revenue),
            ])
        }
        return table
    }

    private func reasons() -> PageSection {
        var table = DashboardTable(
            id: "reasons", title: "By reason", columns: ["Stage", "Reason", "Count#"], csvHref: "/overview.csv?table=reasons")
        for entry in ReasonTally(details: input.details, viewer: viewer, config: config).sorted {
            table.append([.text(entry.stage), .heading(entry.reason), .count(entry.count)])
        }
        table.emptyText = "No timeouts, rejects or skips in these leads."
        var note =
            "In the \(input.details.count) most recent sold leads\(role == .buyer ? ", your campaigns only" : ""): eligibility skips, "
            + "failed pings and refused posts."
        if role != .seller {
            note += " The reports count timeouts and rejects per \(role == .buyer ? "campaign" : "buyer") above, not their reasons."
        }
        return PageSection(id: "reasons", title: "Timeouts and rejects by reason", sectionNote: note, tables: [TableView(table)])
    }

    static func winRate(_ row: VisibleRow) -> Int {
        row.bids > 0 ? row.sold * 10_000 / row.bids : -1
    }
}

/// A money column as a role may see it: the operator sees revenue, payout and margin, a seller
/// its earnings (the payout), a buyer its spend (the revenue).
struct MoneyColumn {
    /// The heading.
    var label: String
    /// The value in a row (`nil` when hidden).
    var value: (VisibleRow) -> Money?

    /// The money columns of a role.
    static func all(for role: Role) -> [MoneyColumn] {
        switch role {
        case .admin:
            [
                MoneyColumn(label: "Revenue", value: \.revenue), MoneyColumn(label: "Payout", value: \.payout),
                MoneyColumn(label: "Margin", value: \.margin),
            ]
        case .seller: [MoneyColumn(label: "Earnings", value: \.payout)]
        case .buyer: [MoneyColumn(label: "Spend", value: \.revenue)]
        }
    }

    /// The heading of the average price as the role sees it.
    static func averageLabel(_ role: Role) -> String {
        switch role {
        case .admin: "Avg price"
        case .seller: "Avg payout"
        case .buyer: "Avg price paid"
        }
    }
}

/// Counts what went wrong in leads, as a viewer may see it: eligibility skips, failed pings and
/// refused posts (a buyer only its own campaigns').
struct ReasonTally {
    /// One line of the tally.
    struct Entry: Sendable, Hashable {
        /// `Eligibility skip`, `Ping` or `Post`.
        var stage: String
        /// The reason.
        var reason: String
        /// How often.
        var count: Int
    }

    private var counts: [Pair: Int] = [:]

    private struct Pair: Hashable {
        var stage: String
        var reason: String
    }

    /// Tallies the leads.
    init(details: [LeadDetail], viewer: Viewer, config: MarketConfig) {
        let mine: (String) -> Bool = { buyer in viewer.role != .buyer || buyer == viewer.subject }
        for outcome in details.compactMap(\.outcome) {
            for skip in outcome.skips where mine(config.campaigns[skip.campaignID]?.buyerID ?? "") {
                counts[Pair(stage: "Eligibility skip", reason: skip.reason.rawValue), default: 0] += 1
            }
            for ping in outcome.pings where (ping.answer.isFault || ping.answer.kind == .circuitOpen) && mine(ping.buyerID) {
                counts[Pair(stage: "Ping", reason: ping.answer.kind.rawValue), default: 0] += 1
            }
            for post in outcome.posts where post.outcome != .accepted && mine(post.buyerID) {
                counts[Pair(stage: "Post", reason: post.reason ?? post.outcome.rawValue), default: 0] += 1
            }
        }
    }

    /// The entries, most frequent first.
    var sorted: [Entry] {
        counts.map { Entry(stage: $0.key.stage, reason: $0.key.reason, count: $0.value) }
            .sorted { ($0.count, $1.stage, $1.reason) > ($1.count, $0.stage, $0.reason) }
    }
}
