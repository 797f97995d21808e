import GavelCore

/// The operator's list of sellers with their status.
struct SellersPage: Sendable {
    /// The page's chrome.
    var chrome: Chrome
    /// The list.
    var sections: [PageSection]

    /// Builds the page.
    init(_ sellers: [Seller], viewer: Viewer, config: MarketConfig) {
        chrome = Chrome(title: "Sellers", viewer: viewer, path: "/sellers", market: config)
        sections = [
            PageSection(
                id: "sellers", title: "Sellers",
                sectionNote: "Testing: every lead is a test lead. Active: sells for real. Paused: leads are refused (403). "
                    + "Open a seller to change its status or read its posting guides.",
                tables: [TableView(Self.table(sellers))])
        ]
    }

    /// The table of the list.
    static func table(_ sellers: [Seller]) -> DashboardTable {
        var table = DashboardTable(
            id: "sellers", title: "All sellers", columns: ["Seller", "Name", "Status", "Switched on", "Revenue share#"],
            csvHref: "/sellers.csv")
        table.emptyText = "No sellers."
        for seller in sellers {
            table.append([
                .heading(seller.id, link: DashboardPath.seller(seller.id)), .text(seller.name), .text(seller.status.rawValue),
                .text(seller.active ? "yes" : "no"),
                DashboardTable.Cell(text: seller.revenueShare.description, plain: seller.revenueShare.description, numeric: true),
            ])
        }
        return table
    }

    /// The tables of the page by id (for their CSV downloads).
    var tables: [String: DashboardTable] { sections.tablesByID }
}

/// A seller's page: what it is, its status (which the operator changes here) and links to its
/// posting guides, one per vertical.
struct SellerPage: Sendable {
    /// A status the operator may choose.
    struct StatusOption: Sendable {
        /// The value.
        var value: String
        /// Whether it is the current one.
        var selected: Bool
    }

    /// A link to a posting guide.
    struct GuideLink: Sendable {
        /// The vertical's name.
        var name: String
        /// Its id.
        var verticalID: String
        /// The guide's page.
        var href: String
    }

    /// The page's chrome.
    var chrome: Chrome
    /// The seller's id.
    var sellerID: String
    /// The seller's page path.
    var path: String
    /// Facts about the seller.
    var facts: [Fact]
    /// What its status means now.
    var statusMeaning: String
    /// Whether the viewer may change the status (the operator).
    var canEdit: Bool
    /// The statuses to choose from.
    var statuses: [StatusOption]
    /// The posting guides.
    var guides: [GuideLink]
    /// The guides' address in the API, for tools.
    var apiSpec: String

    /// Builds the page.
    init(_ seller: Seller, viewer: Viewer, config: MarketConfig, notice: String?) {
        sellerID = seller.id
        path = DashboardPath.seller(seller.id)
        chrome = Chrome(title: "Seller \(seller.id)", viewer: viewer, path: path, market: config, notice: notice)
        facts = [
            Fact("Name", seller.name), Fact("Status", seller.status.rawValue), Fact("Switched on", seller.active ? "yes" : "no"),
            Fact("Revenue share", seller.revenueShare.description),
        ]
        if viewer.isOperator { facts.append(Fact("Alias (shown to buyers)", seller.alias)) }
        statusMeaning = Self.meaning(seller.status)
        canEdit = viewer.isOperator
        statuses = Seller.Status.allCases.map { StatusOption(value: $0.rawValue, selected: $0 == seller.status) }
        guides = config.verticals.values.sorted { $0.id < $1.id }.map { vertical in
            GuideLink(name: vertical.name, verticalID: vertical.id, href: DashboardPath.sellerSpec(seller.id, vertical: vertical.id))
        }
        apiSpec = "GET /v1/sellers/\(seller.id)/spec?vertical=<vertical>"
    }

    /// What a status means for the seller's leads.
    static func meaning(_ status: Seller.Status) -> String {
        switch status {
        case .testing:
            "Testing: every lead is a test lead, whatever it says. The whole auction runs, but nothing is charged or paid, "
                + "counted in caps or reports, or deduped against. Activate the seller when its integration works."
        case .active: "Active: leads are sold for real (except those sent with \"test\": true)."
        case .paused: "Paused: leads, pings and posts are refused with 403 and nothing is stored."
        }
    }

    /// The message after a status change (fixed texts: nothing from the query is shown).
    static func notice(_ done: String?) -> String? {
        guard let done, let status = Seller.Status(rawValue: done) else { return nil }
        return "The seller's status is now \(status.rawValue)."
    }
}

extension DashboardPath {
    /// A seller's page.
    static func seller(_ id: String) -> String {
        "/sellers/\(segment(id))"
    }

    /// A seller's posting guide for a vertical in the dashboard.
    static func sellerSpec(_ id: String, vertical: String) -> String {
        "/sellers/\(segment(id))/spec?vertical=\(segment(vertical))"
    }
}
