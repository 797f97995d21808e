/// Where a mapped value comes from: a field of the lead, or one of the exchange's own values
/// (`$ping_id`, `$test`, `$secret.api_key`, `$capture.auction_id`, …).
///
/// Lead field names never start with `$`, so the two never collide.
public enum SourceRef: Sendable, Hashable {
    /// A field of the lead by its name in the vertical.
    case field(String)
    /// The lead's id (posts only: a two-step lead has none before its post).
    case leadID
    /// The ping's id.
    case pingID
    /// The buyer's own bid id from its ping answer (posts only).
    case bidID
    /// The price the buyer pays, in dollars (posts only).
    case price
    /// The price the buyer pays, in cents (posts only).
    case priceCents
    /// Whether the lead is a test.
    case test
    /// The seller's traffic source.
    case source
    /// The seller's alias (never its id).
    case seller
    /// The vertical's id.
    case vertical
    /// The campaign's id.
    case campaignID
    /// The ping's deadline in milliseconds.
    case tmaxMS
    /// A member of the lead's consent evidence, e.g. `$consent.trustedform_cert_url` (posts only).
    case consent(String)
    /// A value captured from the ping's answer, e.g. `$capture.auction_id` (posts only).
    case capture(String)
    /// A write-only secret of the integration, e.g. `$secret.api_key`.
    case secret(String)

    private static let plain: [String: SourceRef] = [
        "$lead_id": .leadID, "$ping_id": .pingID, "$bid_id": .bidID, "$price": .price, "$price_cents": .priceCents,
        "$test": .test, "$source": .source, "$seller": .seller, "$vertical": .vertical, "$campaign_id": .campaignID,
        "$tmax_ms": .tmaxMS,
    ]

    /// The exchange's own value names, for documentation and error messages.
    public static let exchangeNames = plain.keys.sorted() + ["$consent.<name>", "$capture.<name>", "$secret.<name>"]

    /// Reads a reference; `nil` when a `$` name is unknown or a name is malformed.
    public init?(_ text: String) {
        if let known = Self.plain[text] {
            self = known
        } else if let name = Self.suffix(text, after: "$consent.") {
            self = .consent(name)
        } else if let name = Self.suffix(text, after: "$capture.") {
            self = .capture(name)
        } else if let name = Self.suffix(text, after: "$secret.") {
            self = .secret(name)
        } else if !text.hasPrefix("$"), Identifier.isValid(text) {
            self = .field(text)
        } else {
            return nil
        }
    }

    private static func suffix(_ text: String, after prefix: String) -> String? {
        guard text.hasPrefix(prefix) else { return nil }
        let name = String(text.dropFirst(prefix.count))
        return Identifier.isValid(name) ? name : nil
    }

    /// The reference as written.
    public var text: String {
        switch self {
        case .field(let name): name
        case .consent(let name): "$consent." + name
        case .capture(let name): "$capture." + name
        case .secret(let name): "$secret." + name
        default: Self.plain.first { $0.value == self }?.key ?? ""
        }
    }

    /// Whether a ping may carry the value: everything but the lead id, the post's price and bid
    /// id, consent evidence and captures (which only exist once a ping was answered). Whether a
    /// field is personal is decided by the vertical, see ``Integration/problems(vertical:mode:)``.
    public var isKnownBeforePost: Bool {
        switch self {
        case .leadID, .bidID, .price, .priceCents, .consent, .capture: false
        default: true
        }
    }
}

/// The values a mapped request is built from: the lead's fields (only the non-personal ones for
/// a ping) and the exchange's own values.
public struct CallValues: Sendable, Hashable {
    /// The lead's fields; for a ping, only the non-personal ones.
    public var fields: [String: JSONValue]
    /// The ping's id.
    public var pingID: String
    /// The lead's id (posts).
    public var leadID: String?
    /// The buyer's bid id (posts).
    public var bidID: String?
    /// The price the buyer pays (posts).
    public var price: Money?
    /// Whether the lead is a test.
    public var test: Bool
    /// The seller's source.
    public var source: String
    /// The seller's alias.
    public var seller: String
    /// The vertical.
    public var vertical: String
    /// The campaign.
    public var campaignID: String
    /// The ping's deadline (pings).
    public var tmaxMS: Int?
    /// The consent evidence (posts).
    public var consent: JSONValue
    /// Values captured from the ping's answer (posts).
    public var captures: [String: JSONValue]
    /// The integration's secrets.
    public var secrets: [String: String]

    /// Creates values.
    public init(
        fields: [String: JSONValue], pingID: String, leadID: String? = nil, bidID: String? = nil, price: Money? = nil,
        test: Bool, source: String, seller: String, vertical: String, campaignID: String, tmaxMS: Int? = nil,
        consent: JSONValue = .null, captures: [String: JSONValue] = [:], secrets: [String: String] = [:]
    ) {
        self.fields = fields
        self.pingID = pingID
        self.leadID = leadID
        self.bidID = bidID
        self.price = price
        self.test = test
        self.source = source
        self.seller = seller
        self.vertical = vertical
        self.campaignID = campaignID
        self.tmaxMS = tmaxMS
        self.consent = consent
        self.captures = captures
        self.secrets = secrets
    }

    /// The value a reference names; `nil` when the lead has none (a `null` field counts as none).
    public func value(_ reference: SourceRef) -> JSONValue? {
        switch reference {
        case .field(let name): fields[name].flatMap { $0.isNull ? nil : $0 }
        case .leadID: leadID.map(JSONValue.string)
        case .pingID: .string(pingID)
        case .bidID: bidID.map(JSONValue.string)
        case .price: price?.json
        case .priceCents: price.map { .number(Number(significand: $0.cents)) }
        case .test: .bool(test)
        case .source: .string(source)
        case .seller: .string(seller)
        case .vertical: .string(vertical)
        case .campaignID: .string(campaignID)
        case .tmaxMS: tmaxMS.map { .number(Number($0)) }
        case .consent(let name): consent[name].flatMap { $0.isNull ? nil : $0 }
        case .capture(let name): captures[name]
        case .secret(let name): secrets[name].map(JSONValue.string)
        }
    }
}

extension JSONValue {
    /// The value as plain text for a template, a form or XML: strings as they are, numbers in
    /// their exact decimal form, booleans as `true`/`false`, `null` as empty, containers as JSON.
    public var plainText: String {
        switch self {
        case .string(let text): text
        case .number(let number): number.description
        case .bool(let flag): flag ? "true" : "false"
        case .null: ""
        case .array, .object: JSONWriter.string(self)
        }
    }
}
