/// The kinds of events a webhook may subscribe to (docs/WEBHOOKS.md shows each payload).
public enum WebhookEventType: String, Sendable, Hashable, CaseIterable, Comparable {
    /// A lead was sold (its outcome, recorded).
    case leadSold = "lead.sold"
    /// A lead's auction ended without a sale.
    case leadUnsold = "lead.unsold"
    /// A buyer's return of a lead was approved.
    case leadReturned = "lead.returned"
    /// A buyer's return request was decided, approved or denied.
    case returnDecided = "return.decided"
    /// A buyer reported that a lead it bought converted.
    case conversionRecorded = "conversion.recorded"
    /// A campaign stopped getting leads: its circuit breaker opened, or a cap was reached.
    case campaignPaused = "campaign.paused"
    /// A buyer's unpaid balance crossed the alert threshold of its balance limit.
    case balanceLow = "balance.low"

    /// The roles whose webhooks can receive the event: sellers only hear about their own leads,
    /// buyers only about their own campaigns, money and returns.
    public var audience: Set<Role> {
        switch self {
        case .leadSold, .leadReturned, .conversionRecorded: [.admin, .seller, .buyer]
        case .leadUnsold: [.admin, .seller]
        case .returnDecided, .campaignPaused, .balanceLow: [.admin, .buyer]
        }
    }

    /// Orders by name.
    public static func < (lhs: WebhookEventType, rhs: WebhookEventType) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Whose a webhook is: the operator's (every event), a seller's or a buyer's (scoped like
/// their reports).
public struct WebhookOwner: Sendable, Hashable {
    /// The role of the key that created it.
    public var role: Role
    /// The seller or buyer, `nil` for the operator.
    public var subjectID: String?

    /// Creates an owner.
    public init(role: Role, subjectID: String?) {
        self.role = role
        self.subjectID = role == .admin ? nil : subjectID
    }

    /// The operator.
    public static let admin = WebhookOwner(role: .admin, subjectID: nil)

    /// A seller.
    public static func seller(_ id: String) -> WebhookOwner { WebhookOwner(role: .seller, subjectID: id) }

    /// A buyer.
    public static func buyer(_ id: String) -> WebhookOwner { WebhookOwner(role: .buyer, subjectID: id) }

    /// Whether a caller with this identity may see and change the webhook: the operator any,
    /// others their own.
    public func isVisible(to viewer: WebhookOwner) -> Bool {
        viewer.role == .admin || viewer == self
    }
}

/// An endpoint that receives events: where, which, and the secret that signs each delivery.
public struct Webhook: Sendable, Hashable, Identifiable {
    /// The webhook's id (`W…`).
    public var id: String
    /// Whose it is.
    public var owner: WebhookOwner
    /// The `http` or `https` URL each event is POSTed to.
    public var url: String
    /// The events it receives, sorted, without repeats.
    public var events: [WebhookEventType]
    /// A note from its owner.
    public var description: String
    /// The HMAC-SHA256 key of its deliveries' signatures: shown once, when created.
    public var secret: String
    /// When it was created.
    public var createdAt: Timestamp

    /// Creates a webhook.
    public init(
        id: String, owner: WebhookOwner, url: String, events: [WebhookEventType], description: String = "", secret: String,
        createdAt: Timestamp
    ) {
        self.id = id
        self.owner = owner
        self.url = url
        self.events = Array(Set(events)).sorted()
        self.description = description
        self.secret = secret
        self.createdAt = createdAt
    }

    /// The most webhooks one owner may have.
    public static let maxPerOwner = 20

    /// The mask shown instead of the secret after creation.
    public static let maskedSecret = "********"

    /// The wire form; the secret only when `revealSecret` (the create response).
    public func json(revealSecret: Bool = false) -> JSONValue {
        .object([
            "id": .string(id), "url": .string(url), "events": .array(events.map { .string($0.rawValue) }),
            "description": .string(description), "secret": .string(revealSecret ? secret : Self.maskedSecret),
            "owner": .object(["role": .string(owner.role.rawValue), "id": owner.subjectID.map(JSONValue.string) ?? .null]),
            "created_at": createdAt.json,
        ])
    }
}

/// What a caller asks for when it registers a webhook, read from `POST /v1/webhooks`.
public struct WebhookInput: Sendable, Hashable {
    /// The URL.
    public var url: String
    /// The events.
    public var events: [WebhookEventType]
    /// The note.
    public var description: String

    /// The longest URL accepted.
    public static let maxURLBytes = 2_000

    /// Reads `{"url", "events": [...], "description"?}` for an owner, with every problem at once:
    /// an absolute `http`/`https` URL without credentials, known events the owner's role can
    /// receive (at least one), a description of at most 200 bytes, nothing else.
    public static func parse(_ json: JSONValue, owner: WebhookOwner) -> Result<WebhookInput, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["url", "events", "description"])
        let url = reader.string("url", required: true, maxLength: maxURLBytes)
        if let url { checkURL(url, reader: reader) }
        let events = readEvents(reader, owner: owner)
        let description = reader.string("description", maxLength: 200) ?? ""
        guard log.isEmpty, let url else { return .failure(ValidationFailure(log.errors)) }
        return .success(WebhookInput(url: url, events: events, description: description))
    }

    private static func checkURL(_ url: String, reader: JSONReader) {
        guard Identifier.isHTTPURL(url) else { return reader.fail("url", "must be an absolute http or https URL") }
        let afterScheme = url.drop { $0 != "/" }.dropFirst(2)
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") { reader.fail("url", "must not carry credentials; deliveries are signed instead") }
        if url.contains("#") { reader.fail("url", "must not have a fragment") }
    }

    private static func readEvents(_ reader: JSONReader, owner: WebhookOwner) -> [WebhookEventType] {
        guard let names = reader.array("events", required: true) else { return [] }
        if names.isEmpty { reader.fail("events", "must name at least one event") }
        var events: [WebhookEventType] = []
        for (offset, value) in names.enumerated() {
            let path = "events[\(offset)]"
            guard let name = value.stringValue, let event = WebhookEventType(rawValue: name) else {
                let known = WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
                reader.log.add(reader.path(path), "must be one of \(known)")
                continue
            }
            guard event.audience.contains(owner.role) else {
                reader.log.add(reader.path(path), "'\(name)' is not sent to \(owner.role.rawValue) webhooks")
                continue
            }
            events.append(event)
        }
        return Array(Set(events)).sorted()
    }
}
