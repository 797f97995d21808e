import GavelCore

/// The campaigns list: each campaign the viewer may see with its status, circuit and what it
/// has used of today's caps.
struct CampaignsPage: Sendable {
    /// The page's chrome.
    var chrome: Chrome
    /// The list.
    var sections: [PageSection]

    /// Builds the page.
    init(_ campaigns: [Campaign], usage: [String: CapUsage], circuits: [String: CircuitState], viewer: Viewer, config: MarketConfig) {
        chrome = Chrome(title: "Campaigns", viewer: viewer, path: "/campaigns", market: config)
        let table = Self.table(campaigns, usage: usage, circuits: circuits, viewer: viewer)
        sections = [
            PageSection(
                id: "campaigns", title: "Campaigns", sectionNote: "Caps count in each campaign's cap time zone.", tables: [TableView(table)]
            )
        ]
    }

    /// The table of the list.
    static func table(
        _ campaigns: [Campaign], usage: [String: CapUsage], circuits: [String: CircuitState], viewer: Viewer
    ) -> DashboardTable {
        var columns = [
            "Campaign", "Vertical", "Status", "Mode", "Circuit", "Leads today#", "Daily lead cap#", "Spend today#", "Daily spend cap#",
        ]
        if viewer.isOperator { columns.insert("Buyer", at: 1) }
        var table = DashboardTable(
            id: "campaigns", title: viewer.isOperator ? "All campaigns" : "Your campaigns", columns: columns, csvHref: "/campaigns.csv")
        table.emptyText = "No campaigns."
        for campaign in campaigns {
            let used = usage[campaign.id] ?? .zero
            var cells: [DashboardTable.Cell] = [
                .heading(campaign.id, link: DashboardPath.campaign(campaign.id)), .text(campaign.vertical), .text(campaign.status.rawValue),
                .text(campaign.delivery.mode.rawValue), .text((circuits[campaign.id] ?? .closed).rawValue), .count(used.dayLeads),
                campaign.caps.dailyLeads.map { .count($0) } ?? .missing("none"), .money(used.daySpend),
                campaign.caps.dailySpend.map { .money($0) } ?? .missing("none"),
            ]
            if viewer.isOperator { cells.insert(.text(campaign.buyerID), at: 1) }
            table.append(cells)
        }
        return table
    }
}

/// What a campaign page shows, fetched.
struct CampaignInput: Sendable {
    /// The campaign.
    var campaign: Campaign
    /// Its cap usage in the current periods.
    var usage: CapUsage
    /// Its circuit breaker.
    var circuit: CircuitState
    /// When it was read.
    var now: Timestamp
    /// Its report rows for the last 24 hours, 7 days and 30 days.
    var periods: [(String, ReportRow?)]
    /// Its report rows for each of the last 7 UTC days, oldest first.
    var days: [(CivilDate, ReportRow?)]

    /// Reads a campaign's page data (reports by campaign, scoped as the API scopes them).
    static func load(_ campaign: Campaign, data: DashboardData, viewer: Viewer) async throws -> CampaignInput {
        let now = data.clock.now()
        let end = now.adding(milliseconds: 1)
        var periods: [(String, ReportRow?)] = []
        for (label, days) in [("Last 24 hours", 1), ("Last 7 days", 7), ("Last 30 days", 30)] {
            periods.append((label, try await row(campaign.id, data: data, viewer: viewer, from: end.minus(days: days), to: end)))
        }
        var daily: [(CivilDate, ReportRow?)] = []
        for back in (0..<7).reversed() {
            let day = CivilDate(daysSinceEpoch: now.utcDate.daysSinceEpoch - back)
            let start = Timestamp(seconds: Int64(day.daysSinceEpoch) * 86_400)
            daily.append(
                (day, try await row(campaign.id, data: data, viewer: viewer, from: start, to: start.adding(milliseconds: 86_400_000))))
        }
        let usage = try await data.capUsage([campaign])[campaign.id] ?? .zero
        return CampaignInput(campaign: campaign, usage: usage, circuit: data.circuit(campaign.id), now: now, periods: periods, days: daily)
    }

    private static func row(_ id: String, data: DashboardData, viewer: Viewer, from: Timestamp, to: Timestamp) async throws -> ReportRow? {
        try await data.report(.campaign, from: from, to: to, viewer: viewer).first { $0.key == id }
    }
}

/// A campaign's page: for the operator and its buyer, bids, wins and spend, what remains of
/// its caps, its schedule and circuit, and (operator) forms to pause, resume and change caps;
/// for a seller reaching it through a lead the campaign bought, only what it is.
struct CampaignPage: Sendable {
    /// A cap field of the caps form.
    struct CapField: Sendable {
        /// The form field's name (`daily_leads`).
        var name: String
        /// Its label.
        var label: String
        /// The current value as typed (empty for none).
        var value: String
        /// A hint about the unit.
        var hint: String
    }

    /// The page's chrome.
    var chrome: Chrome
    /// The campaign's id.
    var campaignID: String
    /// Its path.
    var path: String
    /// Facts about it.
    var facts: [Fact]
    /// Charts and tables.
    var sections: [PageSection]
    /// Whether the viewer may change it (the operator).
    var canEdit: Bool
    /// Whether it is paused.
    var paused: Bool
    /// The caps form's fields.
    var capFields: [CapField]
    /// The caps' time zone.
    var capZone: String
    /// Errors from the last form, if any.
    var formErrors: [String]
    /// Whether there are errors.
    var hasErrors: Bool
    /// The integration summary and test console (the operator and the campaign's buyer).
    var testing: CampaignTestView?

    /// Builds the page for the operator or the campaign's buyer.
    init(
        _ input: CampaignInput, viewer: Viewer, config: MarketConfig, notice: String? = nil, errors: [String] = [],
        typed: [String: String] = [:]
    ) {
        let campaign = input.campaign
        campaignID = campaign.id
        path = DashboardPath.campaign(campaign.id)
        chrome = Chrome(title: "Campaign \(campaign.id)", viewer: viewer, path: path, market: config, notice: notice)
        let builder = CampaignPageBuilder(input: input, viewer: viewer)
        facts = builder.facts()
        sections = builder.sections()
        canEdit = viewer.isOperator
        paused = campaign.status == .paused
        capFields = CampaignPageBuilder.capFields(campaign.caps, typed: typed)
        capZone = campaign.caps.timezone
        formErrors = errors
        hasErrors = !errors.isEmpty
        testing = CampaignTestView(campaign)
    }

    /// The limited page a seller sees of a campaign that bought its lead.
    init(sellerView campaign: Campaign, lead: String, viewer: Viewer, config: MarketConfig) {
        campaignID = campaign.id
        path = DashboardPath.campaign(campaign.id, lead: lead)
        chrome = Chrome(title: "Campaign \(campaign.id)", viewer: viewer, path: path, market: config)
        facts = [
            Fact("Bought your lead", lead, link: DashboardPath.lead(lead)), Fact("Vertical", campaign.vertical),
            Fact("Status", campaign.status.rawValue), Fact("Return window", "\(campaign.returnWindowDays) days"),
        ]
        if !campaign.name.isEmpty { facts.insert(Fact("Name", campaign.name), at: 0) }
        sections = []
        canEdit = false
        paused = campaign.status == .paused
        capFields = []
        capZone = campaign.caps.timezone
        formErrors = []
        hasErrors = false
    }

    /// The tables of the page by id (for their CSV downloads).
    var tables: [String: DashboardTable] { sections.tablesByID }
}

/// Builds a campaign page's parts.
struct CampaignPageBuilder {
    let input: CampaignInput
    let viewer: Viewer

    var campaign: Campaign { input.campaign }
    var csvBase: String { DashboardPath.campaign(campaign.id) + "/csv?table=" }

    /// Facts at the top.
    func facts() -> [Fact] {
        var facts: [Fact] = []
        if !campaign.name.isEmpty { facts.append(Fact("Name", campaign.name)) }
        if viewer.isOperator { facts.append(Fact("Buyer", campaign.buyerID)) }
        facts += [
            Fact("Vertical", campaign.vertical), Fact("Status", campaign.status.rawValue),
            Fact("Delivery", campaign.delivery.mode.rawValue),
            Fact("Circuit", input.circuit.rawValue), Fact("Lead type", campaign.leadType.rawValue),
            Fact("Priority", String(campaign.priority)),
        ]
        facts += pricing()
        facts.append(Fact("Return window", "\(campaign.returnWindowDays) days"))
        facts.append(Fact("Dedupe", campaign.dedupeDays.map { "\($0) days" } ?? "exchange default"))
        return facts
    }

    private func pricing() -> [Fact] {
        switch campaign.delivery.mode {
        case .direct: return [Fact("Fixed price", DashboardFormat.money(campaign.price))]
        case .remote: return [Fact("Bids", "from the buyer's endpoint"), Fact("Bid maximum", DashboardFormat.money(campaign.bid.max))]
        case .hosted:
            return [
                Fact("Base bid", DashboardFormat.money(campaign.bid.base)), Fact("Bid maximum", DashboardFormat.money(campaign.bid.max)),
                Fact("Bid rules", String(campaign.bid.rules.count)),
            ]
        }
    }

    /// Caps, activity and schedule.
    func sections() -> [PageSection] {
        [
            PageSection(
                id: "caps", title: "Spend versus caps",
                sectionNote: "Today, this week and this month in \(campaign.caps.timezone) (the caps' zone).", tables: [TableView(caps())]),
            activity(),
            PageSection(id: "schedule", title: "Schedule", sectionNote: scheduleNote, tables: [TableView(schedule())]),
        ]
    }

    /// What the campaign has used of each cap and what remains.
    func caps() -> DashboardTable {
        var table = DashboardTable(
            id: "caps", title: "Caps and usage", columns: ["Cap", "Period", "Limit#", "Used#", "Remaining#"], csvHref: csvBase + "caps")
        let periods = campaign.caps.periods(at: input.now)
        let (caps, used) = (campaign.caps, input.usage)
        table.append(countRow("Leads", "day of \(periods.day)", caps.dailyLeads, used.dayLeads))
        table.append(countRow("Leads", "week of \(periods.week)", caps.weeklyLeads, used.weekLeads))
        table.append(countRow("Leads", String(periods.month.description.prefix(7)), caps.monthlyLeads, used.monthLeads))
        table.append(moneyRow("Spend", "day of \(periods.day)", caps.dailySpend, used.daySpend))
        table.append(moneyRow("Spend", String(periods.month.description.prefix(7)), caps.monthlySpend, used.monthSpend))
        return table
    }

    private func countRow(_ name: String, _ period: String, _ cap: Int?, _ used: Int) -> [DashboardTable.Cell] {
        [
            .heading(name), .text(period), cap.map { .count($0) } ?? .missing("none"), .count(used),
            cap.map { .count(max(0, $0 - used)) } ?? .missing("no cap"),
        ]
    }

    private func moneyRow(_ name: String, _ period: String, _ cap: Money?, _ used: Money) -> [DashboardTable.Cell] {
        [
            .heading(name), .text(period), cap.map { .money($0) } ?? .missing("none"), .money(used),
            cap.map { .money(max(.zero, $0 - used)) } ?? .missing("no cap"),
        ]
    }

    private func activity() -> PageSection {
        let rows = input.days.map { ($0.0, VisibleRow($0.1 ?? ReportRow(key: campaign.id), role: viewer.role)) }
        let chart = BarChart(
            id: "campaign-days", title: "Bids and wins by day", labels: rows.map { String($0.0.description.suffix(5)) },
            series: [ChartSeries("Bids", rows.map { Int64($0.1.bids) }), ChartSeries("Wins", rows.map { Int64($0.1.sold) })])
        var days = DashboardTable(
            id: "days", title: "By day (UTC)", columns: ["Day", "Bids#", "Wins#", "Spend#"], csvHref: csvBase + "days")
        for (day, row) in rows.reversed() {
            days.append([.heading(day.description), .count(row.bids), .count(row.sold), .money(row.revenue)])
        }
        var periods = DashboardTable(
            id: "activity", title: "By period",
            columns: [
                "Period", "Pings#", "Bids#", "Wins#", "Win rate#", "Spend#", "Avg price#", "p50#", "p95#", "Timeouts#", "Rejected#",
                "Returned#",
            ],
            csvHref: csvBase + "activity")
        for (label, raw) in input.periods {
            let row = VisibleRow(raw ?? ReportRow(key: campaign.id), role: viewer.role)
            periods.append([
                .heading(label), .count(row.pings), .count(row.bids), .count(row.sold), .percent(row.sold, of: row.bids),
                .money(row.revenue),
                .money(row.averagePrice), .milliseconds(row.p50), .milliseconds(row.p95), .count(row.timeouts), .count(row.rejected),
                .count(row.returned),
            ])
        }
        return PageSection(
            id: "activity", title: "Bids, wins and spend", sectionNote: "From the reports (a campaign's offers, bids, sales and returns).",
            charts: [ChartView(chart, caption: "Bids and wins per UTC day, last 7 days")], tables: [TableView(periods), TableView(days)])
    }

    private var scheduleNote: String {
        guard let schedule = campaign.schedule else { return "Always open." }
        let local = ZoneConverter.shared.localTime(epochSeconds: input.now.seconds, zone: schedule.timezone)
        return "Hours in \(schedule.timezone); \(schedule.isOpen(at: local) ? "open now" : "closed now")."
    }

    /// The weekly hours.
    func schedule() -> DashboardTable {
        var table = DashboardTable(id: "schedule", title: "Weekly hours", columns: ["Day", "Open"], csvHref: csvBase + "schedule")
        for (index, day) in DashboardFormat.weekdays.enumerated() {
            guard let schedule = campaign.schedule else {
                table.append([.heading(day), .text("all day")])
                continue
            }
            let ranges = (schedule.hours[index] ?? []).map {
                "\(DashboardFormat.minuteOfDay($0.start))–\(DashboardFormat.minuteOfDay($0.end))"
            }
            table.append([.heading(day), .text(ranges.isEmpty ? "closed" : ranges.joined(separator: ", "))])
        }
        return table
    }

    /// The caps form's fields, prefilled with the caps (or what was typed).
    static func capFields(_ caps: Campaign.Caps, typed: [String: String]) -> [CampaignPage.CapField] {
        let fields: [(String, String, String?, String)] = [
            ("daily_leads", "Leads per day", caps.dailyLeads.map(String.init), "leads"),
            ("weekly_leads", "Leads per week", caps.weeklyLeads.map(String.init), "leads"),
            ("monthly_leads", "Leads per month", caps.monthlyLeads.map(String.init), "leads"),
            ("daily_spend", "Spend per day", caps.dailySpend?.description, "US dollars"),
            ("monthly_spend", "Spend per month", caps.monthlySpend?.description, "US dollars"),
        ]
        return fields.map { CampaignPage.CapField(name: $0.0, label: $0.1, value: typed[$0.0] ?? $0.2 ?? "", hint: $0.3) }
    }

    /// The caps form as a JSON merge patch of the campaign: an empty field removes that cap.
    static func capsPatch(_ form: FormBody) -> Result<JSONValue, ValidationFailure> {
        var caps: [String: JSONValue] = [:]
        var errors: [FieldError] = []
        for name in ["daily_leads", "weekly_leads", "monthly_leads", "daily_spend", "monthly_spend"] {
            let text = (form[name] ?? "").replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "$", with: "")
            if text.isEmpty {
                caps[name] = .null
            } else if let number = Number(text: text) {
                caps[name] = .number(number)
            } else {
                errors.append(FieldError(field: "caps.\(name)", message: "must be a number, or empty for no cap"))
            }
        }
        guard errors.isEmpty else { return .failure(ValidationFailure(errors)) }
        return .success(.object(["caps": .object(caps)]))
    }
}
