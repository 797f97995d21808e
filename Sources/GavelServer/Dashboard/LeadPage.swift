import GavelCore

/// A lead's page: its audit trail as a person reads it — eligibility skips with reasons, pings
/// with latency and answer, bids, posts and the outcome, and the ledger entries of its sales.
///
/// The operator and the seller see what `GET /v1/leads/{id}` gives them (``LeadPresenter``: the
/// seller never a bid or what the buyer paid); a buyer sees only its own campaigns' part.
struct LeadPage: Sendable {
    /// The page's chrome.
    var chrome: Chrome
    /// The lead's id.
    var leadID: String
    /// Facts about the lead.
    var facts: [Fact]
    /// Timeline, ledger and fields.
    var sections: [PageSection]

    /// Builds the page (the viewer may open the lead: see ``DashboardScope/mayOpen(_:viewer:)``).
    init(_ detail: LeadDetail, viewer: Viewer, config: MarketConfig) {
        leadID = detail.lead.id
        chrome = Chrome(title: "Lead \(detail.lead.id)", viewer: viewer, path: DashboardPath.lead(detail.lead.id), market: config)
        let builder = LeadPageBuilder(detail: detail, viewer: viewer, config: config)
        facts = builder.facts()
        sections = builder.sections()
    }

    /// The tables of the page by id (for their CSV downloads).
    var tables: [String: DashboardTable] { sections.tablesByID }
}

/// Builds a lead page's parts.
struct LeadPageBuilder {
    let detail: LeadDetail
    let viewer: Viewer
    let config: MarketConfig

    var lead: Lead { detail.lead }
    var zone: String { viewer.zone }
    /// The API's view of the lead for the operator or the seller.
    var presented: JSONValue { LeadPresenter.json(detail, forOperator: viewer.isOperator) }
    var csvBase: String { DashboardPath.lead(lead.id) + "/csv?table=" }

    /// Facts at the top of the page.
    func facts() -> [Fact] {
        viewer.role == .buyer ? buyerFacts() : presentedFacts()
    }

    private func presentedFacts() -> [Fact] {
        let json = presented
        var facts = [Fact("Status", json["status"]?.stringValue ?? "?"), Fact("Vertical", lead.vertical), Fact("Source", lead.source)]
        if viewer.isOperator { facts.append(Fact("Seller", lead.sellerID)) }
        facts.append(Fact("Received", DashboardFormat.time(lead.receivedAt, zone: zone)))
        if let finished = detail.outcome?.finishedAt { facts.append(Fact("Finished", DashboardFormat.time(finished, zone: zone))) }
        facts.append(Fact("Exchange time", "\(json["elapsed_ms"]?.numberValue?.description ?? "0") ms"))
        facts.append(Fact(viewer.isOperator ? "Payout" : "Your payout", money(json["price"])))
        if viewer.isOperator { facts.append(Fact("Revenue", money(json["revenue"]))) }
        for campaign in json["buyers"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            facts.append(Fact("Bought by", campaign, link: campaignLink(campaign)))
        }
        if let reason = json["reason"]?.stringValue { facts.append(Fact("Reason", reason)) }
        if let ping = json["ping_id"]?.stringValue { facts.append(Fact("Ping", ping)) }
        if lead.test { facts.append(Fact("Test lead", "yes: never charged, paid or counted")) }
        if let erased = lead.erasedAt { facts.append(Fact("Personal data", "erased " + DashboardFormat.time(erased, zone: zone))) }
        return facts
    }

    private func buyerFacts() -> [Fact] {
        var facts = [Fact("Vertical", lead.vertical), Fact("Received", DashboardFormat.time(lead.receivedAt, zone: zone))]
        let mine = (detail.outcome?.sales ?? []).filter { $0.buyerID == viewer.subject }
        for sale in mine {
            facts.append(Fact("Bought by", sale.campaignID, link: DashboardPath.campaign(sale.campaignID)))
            facts.append(Fact("Price paid", DashboardFormat.money(sale.price)))
        }
        if mine.isEmpty { facts.append(Fact("Your result", "not bought by your campaigns")) }
        if lead.test { facts.append(Fact("Test lead", "yes: never charged")) }
        if let erased = lead.erasedAt { facts.append(Fact("Personal data", "erased " + DashboardFormat.time(erased, zone: zone))) }
        return facts
    }

    /// Timeline, ledger and (for the operator) fields.
    func sections() -> [PageSection] {
        var sections = [
            PageSection(
                id: "timeline", title: "Timeline",
                sectionNote: "Times in \(zone). Pings and skips happen together when the auction starts.",
                tables: [TableView(timeline())]),
            PageSection(id: "ledger", title: "Ledger entries", sectionNote: ledgerNote, tables: [TableView(ledger())]),
        ]
        if viewer.isOperator {
            sections.append(
                PageSection(
                    id: "fields", title: "Fields", sectionNote: "Personal fields are hidden here; the operator API returns them.",
                    tables: [TableView(fields())]))
        }
        return sections
    }

    private var ledgerNote: String {
        "The entries recorded with each sale (positive: owed by the account; negative: owed to it). "
            + "Returns reverse them; the lead's page does not list reversals yet."
    }

    /// The timeline table.
    func timeline() -> DashboardTable {
        var table = DashboardTable(
            id: "timeline", title: "Events", columns: ["Time", "Event", "Campaign", "Result", "Latency#", "Amount#", "Detail"],
            csvHref: csvBase + "timeline")
        let events = viewer.role == .buyer ? buyerEvents() : (presented["timeline"]?.arrayValue ?? []).map(event)
        for cells in events { table.append(cells) }
        return table
    }

    private func event(_ json: JSONValue) -> [DashboardTable.Cell] {
        let kind = json["event"]?.stringValue ?? "?"
        let campaign = json["campaign"]?.stringValue
        let time = json["at"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }
        let latency = json["latency_ms"]?.numberValue.map { "\($0) ms" } ?? ""
        let timeCell: DashboardTable.Cell = time.map { .time($0, zone: zone) } ?? .text("")
        let campaignCell: DashboardTable.Cell = campaign.map { .text($0, link: campaignLink($0)) } ?? .text("")
        switch kind {
        case "skipped":
            return [
                timeCell, .heading("Eligibility skip"), campaignCell, .text(json["reason"]?.stringValue ?? ""), .text(""), .text(""),
                .text(""),
            ]
        case "ping":
            return [
                timeCell, .heading("Ping"), campaignCell, .text(result(json["answer"], json)), numeric(latency), numeric(bidText(json)),
                .text(pingDetail(json)),
            ]
        case "floor":
            return [
                timeCell, .heading("Floor"), .text(""), .text(json["source"]?.stringValue ?? ""), .text(""),
                numeric(amount("floor", json)), .text(json["explanation"]?.stringValue ?? ""),
            ]
        case "ranking":
            return [
                timeCell, .heading("Ranking"), .text(""), .text(json["ranking"]?.stringValue ?? ""), .text(""), .text(""),
                .text(json["explanation"]?.stringValue ?? ""),
            ]
        case "post":
            let origin = json["origin"]?.stringValue.map { " (\($0))" } ?? ""
            return [
                timeCell, .heading("Post" + origin), campaignCell, .text(result(json["outcome"], json)), numeric(latency),
                numeric(amount("price", json)), .text(postDetail(json)),
            ]
        default:
            return [
                timeCell, .heading(kind.capitalized), .text(""), .text(json["reason"]?.stringValue ?? ""), .text(""),
                numeric(amount("payout", json, key: "price")), .text(""),
            ]
        }
    }

    /// A call's reading with the buyer's HTTP status, e.g. `no_bid · HTTP 200`.
    private func result(_ reading: JSONValue?, _ json: JSONValue) -> String {
        let status = json["http_status"]?.numberValue.map { " · HTTP \($0)" } ?? ""
        return (reading?.stringValue ?? "") + status
    }

    /// What a mapped ping's answer said beside the bid: the buyer's reason and the captures.
    private func pingDetail(_ json: JSONValue) -> String {
        let captures = (json["captures"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
            "captured \($0.key) = \($0.value.plainText)"
        }
        let factor = json["quality_factor"]?.numberValue.map { "quality factor \($0)" }
        return ([json["detail"]?.stringValue, factor].compactMap { $0 } + captures).joined(separator: "; ")
    }

    /// What a post's answer said: the reason, the buyer's lead id, a confirmed price, a redirect.
    private func postDetail(_ json: JSONValue) -> String {
        let parts = [
            json["reason"]?.stringValue, json["buyer_lead_id"]?.stringValue.map { "buyer lead \($0)" },
            json["confirmed_price"]?.numberValue.flatMap(Money.init).map { "confirmed \(DashboardFormat.money($0))" },
            json["redirect_url"]?.stringValue.map { "redirect \($0)" },
        ]
        return parts.compactMap { $0 }.joined(separator: "; ")
    }

    private func bidText(_ json: JSONValue) -> String {
        guard let bid = json["bid"]?.numberValue.flatMap(Money.init) else { return "" }
        let effective = json["effective_bid"]?.numberValue.flatMap(Money.init)
        let adjusted = effective.map { $0 == bid ? "" : " (effective \(DashboardFormat.money($0)))" } ?? ""
        return "bid \(DashboardFormat.money(bid))" + adjusted
    }

    private func amount(_ label: String, _ json: JSONValue, key: String? = nil) -> String {
        json[key ?? label]?.numberValue.flatMap(Money.init).map { "\(label) \(DashboardFormat.money($0))" } ?? ""
    }

    private func numeric(_ text: String) -> DashboardTable.Cell {
        DashboardTable.Cell(text: text, plain: text, link: nil, numeric: true)
    }

    private func buyerEvents() -> [[DashboardTable.Cell]] {
        guard let outcome = detail.outcome, let buyer = viewer.subject else { return [] }
        let own = { (campaign: String) in DashboardTable.Cell.text(campaign, link: DashboardPath.campaign(campaign)) }
        var rows: [[DashboardTable.Cell]] = [
            [.time(lead.receivedAt, zone: zone), .heading("Received"), .text(""), .text(""), .text(""), .text(""), .text("")]
        ]
        for skip in outcome.skips where config.campaigns[skip.campaignID]?.buyerID == buyer {
            rows.append([
                .text(""), .heading("Eligibility skip"), own(skip.campaignID), .text(skip.reason.rawValue), .text(""), .text(""), .text(""),
            ])
        }
        for ping in outcome.pings where ping.buyerID == buyer {
            let bid = ping.answer.bid.map { "your bid \(DashboardFormat.money($0))" } ?? ""
            rows.append([
                .text(""), .heading("Ping"), own(ping.campaignID),
                .text(ping.answer.kind.rawValue + (ping.answer.httpStatus.map { " · HTTP \($0)" } ?? "")),
                numeric(DashboardFormat.latency(micros: ping.answer.latencyMicros)), numeric(bid), .text(""),
            ])
        }
        for post in outcome.posts where post.buyerID == buyer {
            rows.append([
                .time(post.at, zone: zone), .heading("Post"), own(post.campaignID),
                .text(post.outcome.rawValue + (post.httpStatus.map { " · HTTP \($0)" } ?? "")),
                numeric(DashboardFormat.latency(micros: post.latencyMicros)), numeric("price \(DashboardFormat.money(post.price))"),
                .text(post.reason ?? ""),
            ])
        }
        return rows
    }

    /// The ledger entries of the lead's sales the viewer may see: all for the operator, the
    /// seller's own entry, the buyer's own.
    func ledger() -> DashboardTable {
        var table = DashboardTable(
            id: "ledger", title: "Entries", columns: ["Time", "Account", "Kind", "Campaign", "Amount#"], csvHref: csvBase + "ledger")
        table.emptyText = lead.test ? "A test lead has no ledger entries." : "No entries: the lead was not sold."
        guard let outcome = detail.outcome, !lead.test else { return table }
        let entries = outcome.sales.flatMap { LedgerEntry.forSale($0, leadID: lead.id, sellerID: lead.sellerID, at: outcome.finishedAt) }
        for entry in entries where mayRead(entry.account) {
            table.append([
                .time(entry.at, zone: zone), .heading(entry.account), .text(entry.kind.rawValue),
                .text(entry.campaignID, link: campaignLink(entry.campaignID)), .money(entry.amount),
            ])
        }
        return table
    }

    private func mayRead(_ account: String) -> Bool {
        switch viewer.role {
        case .admin: true
        case .seller: account == "seller:\(viewer.subject ?? "")"
        case .buyer: account == "buyer:\(viewer.subject ?? "")"
        }
    }

    /// The lead's fields with personal ones hidden (operator only).
    func fields() -> DashboardTable {
        let personal = config.verticals[lead.vertical]?.piiFieldNames ?? []
        var table = DashboardTable(id: "fields", title: "Values", columns: ["Field", "Value"], csvHref: csvBase + "fields")
        for name in lead.fields.keys.sorted() {
            let value = personal.contains(name) ? "(personal, hidden)" : Self.text(lead.fields[name] ?? .null)
            table.append([.heading(name), .text(value)])
        }
        return table
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .null: ""
        default: JSONWriter.string(value)
        }
    }

    private func money(_ value: JSONValue?) -> String {
        DashboardFormat.money(value?.numberValue.flatMap(Money.init))
    }

    /// A campaign's page when the viewer may open it: the operator any, a seller those that
    /// bought this lead (through the lead), a buyer its own.
    func campaignLink(_ campaign: String) -> String? {
        switch viewer.role {
        case .admin: return DashboardPath.campaign(campaign)
        case .seller:
            return detail.outcome?.sales.contains { $0.campaignID == campaign } == true
                ? DashboardPath.campaign(campaign, lead: lead.id) : nil
        case .buyer: return config.campaigns[campaign]?.buyerID == viewer.subject ? DashboardPath.campaign(campaign) : nil
        }
    }
}
