import GavelCore

extension Viewer {
    /// The viewer as a webhook owner: the operator, or its seller or buyer.
    var webhookOwner: WebhookOwner {
        WebhookOwner(role: role, subjectID: subject)
    }
}

extension DashboardPath {
    /// A webhook's page.
    static func webhook(_ id: String) -> String {
        "/webhooks/\(segment(id))"
    }
}

/// The webhooks page: the viewer's webhooks (every one for the operator) and the form that
/// registers one — after which, once, the new webhook's signing secret.
struct WebhooksPage: Sendable {
    /// One webhook in the list.
    struct Item: Sendable {
        /// Its id.
        var id: String
        /// Its page.
        var href: String
        /// Its URL.
        var url: String
        /// Its events, comma-separated.
        var events: String
        /// Its note.
        var note: String
        /// Whose it is (the operator's list only).
        var ownerName: String
        /// When it was created.
        var created: String
    }

    /// An event the viewer's role can subscribe to, as a checkbox.
    struct EventChoice: Sendable {
        /// The event's name.
        var name: String
        /// The checkbox's id.
        var inputID: String
        /// What it means.
        var meaning: String
        /// Whether it is checked.
        var checked: Bool
    }

    /// A webhook just created, with its secret shown this once.
    struct Created: Sendable {
        /// Its id.
        var createdID: String
        /// Its page.
        var createdHref: String
        /// The secret.
        var secret: String
    }

    /// The chrome.
    var chrome: Chrome
    /// The webhooks.
    var items: [Item]
    /// Whether there are none.
    var noItems: Bool
    /// Whether the owner column shows (the operator).
    var showsOwner: Bool
    /// The events to choose from.
    var choices: [EventChoice]
    /// The URL typed (after a refused form).
    var typedURL: String
    /// The description typed.
    var typedDescription: String
    /// Why the form was refused.
    var formErrors: [String]
    /// Whether it was.
    var hasErrors: Bool
    /// The webhook just created.
    var created: Created?

    /// Builds the page.
    init(
        _ webhooks: [Webhook], viewer: Viewer, config: MarketConfig, form: FormBody? = nil, errors: [String] = [], created: Webhook? = nil,
        notice: String? = nil
    ) {
        chrome = Chrome(title: "Webhooks", viewer: viewer, path: "/webhooks", market: config, notice: notice)
        items = webhooks.map { webhook in
            Item(
                id: webhook.id, href: DashboardPath.webhook(webhook.id), url: webhook.url,
                events: webhook.events.map(\.rawValue).joined(separator: ", "),
                note: webhook.description, ownerName: Self.ownerName(webhook.owner),
                created: DashboardFormat.time(webhook.createdAt, zone: viewer.zone))
        }
        noItems = webhooks.isEmpty
        showsOwner = viewer.isOperator
        choices = WebhookEventType.allCases.filter { $0.audience.contains(viewer.role) }.map { event in
            EventChoice(
                name: event.rawValue, inputID: "event-" + event.rawValue.replacingOccurrences(of: ".", with: "-"),
                meaning: Self.meaning(event), checked: form?["event:" + event.rawValue] == "on")
        }
        typedURL = errors.isEmpty ? "" : form?["url"] ?? ""
        typedDescription = errors.isEmpty ? "" : form?["description"] ?? ""
        formErrors = errors
        hasErrors = !errors.isEmpty
        self.created = created.map { Created(createdID: $0.id, createdHref: DashboardPath.webhook($0.id), secret: $0.secret) }
    }

    /// The API document a form stands for: `url`, the checked `event:<name>` boxes and
    /// `description`.
    static func document(_ form: FormBody) -> JSONValue {
        var members: [String: JSONValue] = [
            "url": .string(form["url"] ?? ""),
            "events": .array(WebhookEventType.allCases.filter { form["event:" + $0.rawValue] == "on" }.map { .string($0.rawValue) }),
        ]
        if let description = form["description"], !description.isEmpty { members["description"] = .string(description) }
        return .object(members)
    }

    /// `Operator`, `Seller S1`, `Buyer acme`.
    static func ownerName(_ owner: WebhookOwner) -> String {
        switch owner.role {
        case .admin: "Operator"
        case .seller: "Seller \(owner.subjectID ?? "?")"
        case .buyer: "Buyer \(owner.subjectID ?? "?")"
        }
    }

    /// What an event means, in a few words.
    static func meaning(_ event: WebhookEventType) -> String {
        switch event {
        case .leadSold: "a lead was sold"
        case .leadUnsold: "a lead's auction ended unsold"
        case .leadReturned: "a return was approved"
        case .returnDecided: "a return request was approved or denied"
        case .conversionRecorded: "a bought lead converted"
        case .campaignPaused: "a campaign's circuit opened or a cap was reached"
        case .balanceLow: "a buyer's balance reached 80% of its limit"
        }
    }
}

/// A webhook's page: what it receives, its deliveries with their state (a redeliver button on
/// each), and the form that deletes it.
struct WebhookPage: Sendable {
    /// One delivery.
    struct Row: Sendable {
        /// Its id.
        var deliveryID: String
        /// The event's id.
        var eventID: String
        /// The event.
        var event: String
        /// Its status.
        var status: String
        /// Attempts made.
        var attempts: String
        /// The last answer or failure.
        var last: String
        /// When next tried, or when delivered.
        var when: String
        /// When the event happened.
        var createdAt: String
        /// Where the redeliver form posts.
        var redeliverAction: String
    }

    /// A status filter link.
    struct Filter: Sendable {
        /// The text.
        var label: String
        /// The link.
        var href: String
        /// Whether it is the current filter.
        var current: Bool
    }

    /// The chrome.
    var chrome: Chrome
    /// The webhook's id.
    var webhookID: String
    /// Its facts.
    var facts: [Fact]
    /// Where the delete form posts.
    var deleteAction: String
    /// The deliveries.
    var deliveries: [Row]
    /// Whether there are none.
    var noDeliveries: Bool
    /// The status filters.
    var filters: [Filter]

    /// Builds the page.
    init(
        _ webhook: Webhook, deliveries: [WebhookDelivery], status: WebhookDeliveryStatus?, viewer: Viewer, config: MarketConfig,
        notice: String?
    ) {
        let path = DashboardPath.webhook(webhook.id)
        chrome = Chrome(title: "Webhook \(webhook.id)", viewer: viewer, path: "/webhooks", market: config, notice: notice)
        webhookID = webhook.id
        facts = [
            Fact("URL", webhook.url), Fact("Events", webhook.events.map(\.rawValue).joined(separator: ", ")),
            Fact("Owner", WebhooksPage.ownerName(webhook.owner)),
            Fact("Description", webhook.description.isEmpty ? "—" : webhook.description),
            Fact("Created", DashboardFormat.time(webhook.createdAt, zone: viewer.zone)), Fact("Secret", Webhook.maskedSecret),
        ]
        deleteAction = path + "/delete"
        self.deliveries = deliveries.map { Self.row($0, webhookPath: path, zone: viewer.zone) }
        noDeliveries = deliveries.isEmpty
        let choices: [(String, WebhookDeliveryStatus?)] =
            [("All", nil)] + WebhookDeliveryStatus.allCases.map { ($0.rawValue.capitalized, $0) }
        filters = choices.map { label, value in
            let query = value.map { "?status=" + $0.rawValue } ?? ""
            return Filter(label: label, href: path + query, current: value == status)
        }
    }

    private static func row(_ delivery: WebhookDelivery, webhookPath: String, zone: String) -> Row {
        let when: String
        switch delivery.status {
        case .pending: when = delivery.nextAttemptAt.map { "next " + DashboardFormat.time($0, zone: zone) } ?? "—"
        case .delivered: when = delivery.deliveredAt.map { "delivered " + DashboardFormat.time($0, zone: zone) } ?? "—"
        case .failed: when = delivery.lastAttemptAt.map { "gave up " + DashboardFormat.time($0, zone: zone) } ?? "—"
        }
        return Row(
            deliveryID: delivery.id, eventID: delivery.message.eventID, event: delivery.message.type.rawValue,
            status: delivery.status.rawValue, attempts: String(delivery.attempts),
            last: delivery.lastStatus.map { "HTTP \($0)" } ?? delivery.lastError ?? "—", when: when,
            createdAt: DashboardFormat.time(delivery.message.createdAt, zone: zone),
            redeliverAction: "\(webhookPath)/deliveries/\(DashboardPath.segment(delivery.id))/redeliver")
    }
}
