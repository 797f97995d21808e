import GavelCore

/// The operator's privacy page: a form to erase a consumer's personal data by phone and/or
/// email (as `POST /v1/privacy/erasures` does), the retention setting, and the recorded
/// erasures — when, how many leads, and the keyed contact keys, never a phone or an email.
struct PrivacyPage: Sendable {
    /// The page's chrome.
    var chrome: Chrome
    /// The retention setting, in words.
    var retention: String
    /// What was typed, shown again when the form was refused.
    var phone: String
    /// What was typed, shown again when the form was refused.
    var email: String
    /// Why the form was refused.
    var formErrors: [String]
    /// Whether there are errors (stored: templates read stored properties only).
    var hasErrors: Bool
    /// The list of erasures.
    var sections: [PageSection]

    /// How many erasures the page lists.
    static let limit = 100

    /// Builds the page.
    init(
        erasures: [ErasureRecord], viewer: Viewer, config: MarketConfig, notice: String? = nil, phone: String = "", email: String = "",
        errors: [String] = []
    ) {
        chrome = Chrome(title: "Privacy", viewer: viewer, path: DashboardPath.privacy, market: config, notice: notice)
        retention =
            config.settings.piiRetentionDays.map {
                "Personal fields of leads older than \($0) days are erased automatically (setting pii_retention_days)."
            } ?? "Personal fields are kept until erased here (setting pii_retention_days is not set)."
        self.phone = phone
        self.email = email
        formErrors = errors
        hasErrors = !errors.isEmpty
        let note =
            "The \(Self.limit) most recent erasures. A request lists the consumer's contact keys as keyed hashes; "
            + "a retention pass the arrival time before which leads were erased."
        sections = [PageSection(id: "erasures", title: "Erasures", sectionNote: note, tables: [TableView(Self.table(erasures, viewer))])]
    }

    /// The table of erasures.
    static func table(_ erasures: [ErasureRecord], _ viewer: Viewer) -> DashboardTable {
        var table = DashboardTable(
            id: "erasures", title: "Recorded erasures", columns: ["Erasure", "At", "Kind", "Leads#", "Contact keys", "Received before"],
            csvHref: DashboardPath.privacy + ".csv")
        for record in erasures { table.append(row(record, zone: viewer.zone)) }
        table.emptyText = "Nothing was erased yet."
        return table
    }

    private static func row(_ record: ErasureRecord, zone: String) -> [DashboardTable.Cell] {
        let keys = record.contactKeys.joined(separator: " ")
        let before: DashboardTable.Cell = record.receivedBefore.map { .time($0, zone: zone) } ?? .text("—")
        let leads = DashboardTable.Cell.text(String(record.leads))
        return [.heading(record.id), .time(record.at, zone: zone), .text(record.kind.rawValue), leads, .text(keys), before]
    }
}
