import GavelCore

/// Who is looking at a dashboard page: the session and its id.
struct Viewer: Sendable {
    /// The session's id (from the cookie).
    var sessionID: String
    /// The session.
    var session: DashboardSession

    /// The signed-in identity.
    var identity: Identity { session.identity }
    /// Its role.
    var role: Role { session.identity.role }
    /// The seller or buyer it is bound to.
    var subject: String? { session.identity.subjectID }
    /// The viewer's time zone.
    var zone: String { session.timezone }
    /// Whether the viewer is the operator.
    var isOperator: Bool { role == .admin }

    /// The seller id of a seller viewer.
    var sellerID: String? { role == .seller ? subject : nil }
    /// The buyer id of a buyer viewer.
    var buyerID: String? { role == .buyer ? subject : nil }
}

/// The parts of every page around its content: title, navigation, who is signed in, the time
/// zone selector and the sign-out form (each form with the session's CSRF token).
struct Chrome: Sendable {
    /// A navigation link.
    struct NavItem: Sendable {
        /// The text.
        var label: String
        /// The path.
        var href: String
        /// Whether it is the current page (`aria-current`).
        var current: Bool
    }

    /// A time zone choice.
    struct ZoneOption: Sendable {
        /// The IANA name.
        var id: String
        /// Whether it is the viewer's.
        var selected: Bool
    }

    /// The page's title.
    var title: String
    /// Who is signed in, for people.
    var who: String
    /// The navigation.
    var nav: [NavItem]
    /// The session's CSRF token.
    var csrf: String
    /// The time zones to choose from.
    var zones: [ZoneOption]
    /// The viewer's zone.
    var zone: String
    /// Reload the page every this many seconds, if set.
    var refreshSeconds: Int?
    /// Where the time zone form returns to.
    var back: String
    /// A message at the top of the page, if any.
    var notice: String?

    /// The time zones offered (any valid IANA name is accepted).
    static let commonZones = [
        "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
        "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "America/Mexico_City", "America/Sao_Paulo", "Europe/London",
        "Europe/Paris", "Europe/Berlin", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo",
        "Australia/Sydney",
    ]

    /// The chrome of a page for a viewer.
    init(title: String, viewer: Viewer, path: String, market: MarketConfig, refreshSeconds: Int? = nil, notice: String? = nil) {
        self.title = title
        who = Self.who(viewer.identity, market: market)
        nav = Self.nav(for: viewer.role).map { NavItem(label: $0.0, href: $0.1, current: Self.section(path) == $0.1) }
        csrf = viewer.session.csrf
        let zones = Self.commonZones.contains(viewer.zone) ? Self.commonZones : [viewer.zone] + Self.commonZones
        self.zones = zones.map { ZoneOption(id: $0, selected: $0 == viewer.zone) }
        zone = viewer.zone
        self.refreshSeconds = refreshSeconds
        back = path
        self.notice = notice
    }

    /// The pages a role reaches from the navigation.
    static func nav(for role: Role) -> [(String, String)] {
        switch role {
        case .admin:
            [
                ("Overview", "/"), ("Leads", "/leads"), ("Campaigns", "/campaigns"), ("Sellers", "/sellers"), ("Insights", "/insights"),
                ("Webhooks", "/webhooks"), ("Privacy", "/privacy"),
            ]
        case .buyer:
            [("Overview", "/"), ("Leads", "/leads"), ("Campaigns", "/campaigns"), ("Insights", "/insights"), ("Webhooks", "/webhooks")]
        case .seller: [("Overview", "/"), ("Leads", "/leads"), ("Integration", "/sellers"), ("Webhooks", "/webhooks")]
        }
    }

    private static func section(_ path: String) -> String {
        let first = path.split(separator: "/").first.map { "/" + $0 } ?? "/"
        return first.hasSuffix(".csv") ? "/" : first
    }

    /// `Operator`, `Seller S1 (Name)`, `Buyer acme (Name)`.
    static func who(_ identity: Identity, market: MarketConfig) -> String {
        switch identity.role {
        case .admin: return "Operator"
        case .seller:
            let id = identity.subjectID ?? "?"
            return "Seller \(id)" + (market.sellers[id].map { $0.name.isEmpty || $0.name == id ? "" : " (\($0.name))" } ?? "")
        case .buyer:
            let id = identity.subjectID ?? "?"
            return "Buyer \(id)" + (market.buyers[id].map { $0.name.isEmpty || $0.name == id ? "" : " (\($0.name))" } ?? "")
        }
    }
}

/// A section of a page: a heading, perhaps a note, a chart and a table.
struct PageSection: Sendable {
    /// An id unique on the page.
    var id: String
    /// The heading.
    var title: String
    /// A sentence under the heading.
    var sectionNote: String?
    /// Charts, as escaped SVG markup built by the chart builder.
    var charts: [ChartView] = []
    /// Tables.
    var tables: [TableView] = []
}

extension [PageSection] {
    /// The tables of a page by id (for their CSV downloads).
    var tablesByID: [String: DashboardTable] {
        Dictionary(flatMap(\.tables).map { ($0.id, $0.source) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A chart ready for a template: its SVG markup comes only from ``ChartCanvas``, which escapes
/// every text, so the template may insert it unescaped.
struct ChartView: Sendable {
    /// The SVG markup.
    var svgMarkup: String
    /// The caption.
    var caption: String

    /// A bar chart.
    init(_ chart: BarChart, caption: String) {
        svgMarkup = chart.svg()
        self.caption = caption
    }

    /// A line chart.
    init(_ chart: LineChart, caption: String) {
        svgMarkup = chart.svg()
        self.caption = caption
    }

    /// A histogram.
    init(_ chart: Histogram, caption: String) {
        svgMarkup = chart.svg()
        self.caption = caption
    }
}

/// A label and a value, e.g. a headline figure or a fact about a lead.
struct Fact: Sendable {
    /// The label.
    var label: String
    /// The value.
    var value: String
    /// A link, if any.
    var factLink: String?

    /// Creates a fact.
    init(_ label: String, _ value: String, link: String? = nil) {
        self.label = label
        self.value = value
        factLink = link
    }
}

/// Headline figures of one period.
struct FactGroup: Sendable {
    /// The period, e.g. `Today`.
    var title: String
    /// The figures.
    var facts: [Fact]
}
