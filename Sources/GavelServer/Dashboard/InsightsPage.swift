import GavelCore

/// The Insights page: a buyer's bid guidance per campaign and segment (``BidGuidance``), the
/// same figures as `GET /v1/buyer/insights`; the operator picks a buyer with `?buyer_id=`.
struct InsightsPage: Sendable {
    /// The chrome.
    var chrome: Chrome
    /// The buyer shown.
    var buyerName: String
    /// What the page covers and how to read it.
    var intro: String
    /// The guidance table.
    var sections: [PageSection]
    /// A buyer the operator can switch to.
    struct Choice: Sendable {
        /// The buyer's name.
        var label: String
        /// Its insights.
        var href: String
        /// Whether it is the one shown.
        var current: Bool
    }
    /// The buyers to choose from (the operator's page only).
    var buyerChoices: [Choice] = []
    /// Whether there are any.
    var hasBuyerChoices: Bool { !buyerChoices.isEmpty }

    /// The tables of the page by id (for their CSV downloads).
    var tables: [String: DashboardTable] { sections.tablesByID }

    /// Builds the page over a buyer's guidance for the last 30 days.
    init(_ guidance: BidGuidance, buyerID: String, viewer: Viewer, config: MarketConfig) {
        chrome = Chrome(title: "Insights", viewer: viewer, path: "/insights", market: config)
        buyerName = config.buyers[buyerID]?.name ?? buyerID
        intro = """
            The last 30 days, per campaign and segment (vertical and source). Only segments with at least \
            \(BidGuidance.minimumLeads) leads you bid on are shown (\(guidance.hiddenSegments) left out); prices need as many \
            sold leads. "Bid to win" is one cent above the clearing price that many of those leads sold at — under second \
            price the winner's own bid may have been higher.
            """
        var table = DashboardTable(
            id: "insights", title: "Bid guidance",
            columns: [
                "Campaign", "Vertical", "Source", "Leads bid on#", "Won#", "Win rate#", "Clearing p25#", "Clearing median#",
                "Clearing p75#", "Bid to win half#", "Bid to win ¾#", "Accept rate#", "Return rate#",
            ],
            csvHref: "/insights/csv?table=insights" + (viewer.isOperator ? "&buyer_id=\(DashboardPath.segment(buyerID))" : ""))
        table.emptyText = "No segment has \(BidGuidance.minimumLeads) leads yet."
        for row in guidance.rows { table.append(Self.cells(row)) }
        sections = [PageSection(id: "guidance", title: "Bid guidance", tables: [TableView(table)])]
    }

    private static func cells(_ row: BidGuidance.Row) -> [DashboardTable.Cell] {
        [
            .heading(row.campaignID, link: DashboardPath.campaign(row.campaignID)), .text(row.vertical), .text(row.source),
            .count(row.leads), .count(row.won), rate(row.winRate), .money(row.clearing?[0]), .money(row.clearing?[1]),
            .money(row.clearing?[2]), .money(row.bidToWinHalf), .money(row.bidToWinThreeQuarters), rate(row.acceptRate),
            rate(row.returnRate),
        ]
    }

    private static func rate(_ rate: Rate?) -> DashboardTable.Cell {
        guard let rate else { return .missing("–") }
        let tenths = rate.micros / 1_000
        let text = "\(tenths / 10).\(tenths % 10)%"
        return DashboardTable.Cell(text: text, plain: String(text.dropLast()), link: nil, numeric: true)
    }
}
