import GavelCore

/// The leads list: the latest sold leads the viewer may see, filterable by status, each leading
/// to its page; and a box to open any lead of the viewer's by id.
struct LeadsPage: Sendable {
    /// A status filter choice.
    struct StatusOption: Sendable {
        /// The query value (empty for all).
        var value: String
        /// The label.
        var label: String
        /// Whether it is chosen.
        var selected: Bool
    }

    /// The page's chrome.
    var chrome: Chrome
    /// The status filter.
    var statuses: [StatusOption]
    /// The list.
    var sections: [PageSection]

    /// The statuses a listed lead can have.
    static let filters = [("", "All"), ("sold", "Sold"), ("returned", "Returned")]
    /// How many leads the list shows.
    static let limit = 100

    /// Builds the page from the latest sales, newest first.
    init(sales: [BoughtLead], status: String, viewer: Viewer, config: MarketConfig) {
        chrome = Chrome(title: "Leads", viewer: viewer, path: "/leads", market: config)
        statuses = Self.filters.map { StatusOption(value: $0.0, label: $0.1, selected: $0.0 == status) }
        let table = Self.table(sales, status: status, viewer: viewer)
        let note =
            "The \(Self.limit) most recent sold leads\(viewer.role == .buyer ? " your campaigns bought" : viewer.role == .seller ? " of yours" : ""). "
            + "Unsold, duplicate and rejected leads are not listed; open them by id."
        sections = [PageSection(id: "recent", title: "Recent leads", sectionNote: note, tables: [TableView(table)])]
    }

    /// The table of the list.
    static func table(_ sales: [BoughtLead], status: String, viewer: Viewer) -> DashboardTable {
        let shown = sales.filter { status.isEmpty || (status == "returned") == $0.returned }
        var table = DashboardTable(
            id: "leads", title: "Latest sold leads", columns: columns(viewer.role),
            csvHref: "/leads.csv" + (status.isEmpty ? "" : "?status=\(status)"))
        for sale in shown { table.append(row(sale, viewer: viewer)) }
        table.emptyText = "No sold leads yet."
        return table
    }

    private static func columns(_ role: Role) -> [String] {
        switch role {
        case .admin: ["Lead", "Received", "Vertical", "Seller", "Source", "Campaign", "Price#", "Returned"]
        case .seller: ["Lead", "Received", "Vertical", "Source", "Bought by", "Returned"]
        case .buyer: ["Lead", "Bought", "Vertical", "Campaign", "Price paid#", "Returned"]
        }
    }

    private static func row(_ sale: BoughtLead, viewer: Viewer) -> [DashboardTable.Cell] {
        let lead = sale.lead
        let id = DashboardTable.Cell.heading(lead.id, link: DashboardPath.lead(lead.id))
        let times: [DashboardTable.Cell] = [.time(viewer.role == .buyer ? sale.soldAt : lead.receivedAt, zone: viewer.zone)]
        let returned = DashboardTable.Cell.text(sale.returned ? "returned" : "—")
        switch viewer.role {
        case .admin:
            return [id] + times + [
                .text(lead.vertical), .text(lead.sellerID), .text(lead.source),
                .text(sale.campaignID, link: DashboardPath.campaign(sale.campaignID)), .money(sale.price), returned,
            ]
        case .seller:
            return [id] + times + [
                .text(lead.vertical), .text(lead.source),
                .text(sale.campaignID, link: DashboardPath.campaign(sale.campaignID, lead: lead.id)), returned,
            ]
        case .buyer:
            return [id] + times + [
                .text(lead.vertical), .text(sale.campaignID, link: DashboardPath.campaign(sale.campaignID)), .money(sale.price), returned,
            ]
        }
    }
}

/// Local paths of dashboard pages, with ids escaped as path segments.
enum DashboardPath {
    /// The operator's privacy page.
    static let privacy = "/privacy"

    /// A lead's page.
    static func lead(_ id: String) -> String {
        "/leads/\(segment(id))"
    }

    /// A campaign's page; a seller reaches one through the lead it bought.
    static func campaign(_ id: String, lead: String? = nil) -> String {
        "/campaigns/\(segment(id))" + (lead.map { "?lead=\(segment($0))" } ?? "")
    }

    /// An id made safe as one path segment or query value (unreserved characters kept).
    static func segment(_ id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    /// A local path to return to after a form: only same-site paths (`/…`, never `//…`).
    static func local(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
            !text.contains(where: { $0.isNewline })
        else { return "/" }
        return text
    }
}
