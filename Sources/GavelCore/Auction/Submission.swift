/// A seller's lead (or partial lead, for a ping) as received.
public struct LeadSubmission: Sendable, Hashable {
    /// The vertical.
    public var vertical: String
    /// The seller's traffic source.
    public var source: String
    /// Whether it is a test.
    public var test: Bool
    /// The raw fields.
    public var fields: [String: JSONValue]
    /// The consent evidence.
    public var consent: JSONValue

    /// Creates a submission.
    public init(vertical: String, source: String = "", test: Bool = false, fields: [String: JSONValue], consent: JSONValue = .null) {
        self.vertical = vertical
        self.source = source
        self.test = test
        self.fields = fields
        self.consent = consent
    }

    /// Reads a `POST /v1/leads` or `/v1/ping` body.
    public static func parse(_ json: JSONValue) -> Result<LeadSubmission, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["vertical", "source", "test", "fields", "consent"])
        let vertical = reader.string("vertical", required: true, maxLength: 64)
        let source = reader.string("source", maxLength: 200) ?? ""
        let test = reader.bool("test") ?? false
        let fields = reader.object("fields", required: true)?.members
        let consent = reader.value("consent").flatMap(consentValue(reader)) ?? .null
        guard let vertical, let fields, log.isEmpty else { return .failure(ValidationFailure(log.errors)) }
        return .success(LeadSubmission(vertical: vertical, source: source, test: test, fields: fields, consent: consent))
    }

    /// The submission as the seller's status makes it: a testing seller's leads are all test
    /// leads, whatever they say.
    public func asSeller(_ seller: Seller) -> LeadSubmission {
        var submission = self
        if seller.testsOnly { submission.test = true }
        return submission
    }

    static func consentValue(_ reader: JSONReader) -> (JSONValue) -> JSONValue? {
        { value in
            guard case .object = value else {
                reader.fail("consent", "must be an object")
                return nil
            }
            return value
        }
    }
}

/// A `POST /v1/post` body: the full lead for a held ping.
public struct PostSubmission: Sendable, Hashable {
    /// The ping.
    public var pingID: String
    /// All fields.
    public var fields: [String: JSONValue]
    /// The consent evidence.
    public var consent: JSONValue

    /// Creates a submission.
    public init(pingID: String, fields: [String: JSONValue], consent: JSONValue = .null) {
        self.pingID = pingID
        self.fields = fields
        self.consent = consent
    }

    /// Reads a `POST /v1/post` body.
    public static func parse(_ json: JSONValue) -> Result<PostSubmission, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["ping_id", "fields", "consent", "vertical", "source", "test"])
        let pingID = reader.string("ping_id", required: true, maxLength: 64)
        let fields = reader.object("fields", required: true)?.members
        let consent = reader.value("consent").flatMap(LeadSubmission.consentValue(reader)) ?? .null
        guard let pingID, let fields, log.isEmpty else { return .failure(ValidationFailure(log.errors)) }
        return .success(PostSubmission(pingID: pingID, fields: fields, consent: consent))
    }
}

/// The answer to a seller for a lead (`/v1/leads`, `/v1/post`).
public struct LeadResult: Sendable, Hashable {
    /// The lead's id.
    public var leadID: String
    /// Its status.
    public var status: LeadStatus
    /// The seller's payout (zero when not sold).
    public var price: Money
    /// The winning campaign, or the first of several shared winners.
    public var buyer: String?
    /// Every winning campaign.
    public var buyers: [String]
    /// Why it was not sold.
    public var reason: String?
    /// The exchange's time for the lead, in milliseconds.
    public var elapsedMS: Int64
    /// Where the seller may send the consumer: the winning buyer's landing page, if it gave one.
    public var redirectURL: String?
    /// Whether it ran as a test lead (asked for, or because the seller is testing): nothing
    /// was charged or paid.
    public var test: Bool

    /// Creates a result.
    public init(
        leadID: String, status: LeadStatus, price: Money, buyers: [String], reason: String?, elapsedMS: Int64, redirectURL: String? = nil,
        test: Bool = false
    ) {
        self.redirectURL = redirectURL
        self.test = test
        self.leadID = leadID
        self.status = status
        self.price = price
        self.buyer = buyers.first
        self.buyers = buyers
        self.reason = reason
        self.elapsedMS = elapsedMS
    }

    /// The wire form of the contract.
    public var json: JSONValue {
        .object([
            "lead_id": .string(leadID), "status": .string(status.rawValue), "price": price.json,
            "buyer": buyer.map(JSONValue.string) ?? .null, "buyers": .array(buyers.map(JSONValue.string)),
            "reason": reason.map(JSONValue.string) ?? .null, "elapsed_ms": .number(Number(Int(elapsedMS))),
            "redirect_url": redirectURL.map(JSONValue.string) ?? .null, "test": .bool(test),
        ])
    }
}

/// The answer to a seller's two-step ping.
public struct PingResult: Sendable, Hashable {
    /// The ping's id, to post with.
    public var pingID: String
    /// Whether anyone bid.
    public var hasBid: Bool
    /// The seller's payout at the top bid.
    public var price: Money
    /// When the bids lapse.
    public var expiresAt: Timestamp
    /// Whether it is a test ping (asked for, or because the seller is testing).
    public var test: Bool

    /// Creates a result.
    public init(pingID: String, hasBid: Bool, price: Money, expiresAt: Timestamp, test: Bool = false) {
        self.pingID = pingID
        self.hasBid = hasBid
        self.price = price
        self.expiresAt = expiresAt
        self.test = test
    }

    /// The wire form of the contract.
    public var json: JSONValue {
        .object([
            "ping_id": .string(pingID), "status": .string(hasBid ? "bid" : "no_bid"), "price": price.json,
            "expires_at": expiresAt.json, "test": .bool(test),
        ])
    }
}

/// Why the exchange refused a seller's request.
public enum ExchangeError: Error, Sendable, Equatable {
    /// Invalid input (422).
    case invalid(ValidationFailure)
    /// The seller is unknown or deactivated (403).
    case sellerInactive
    /// The operator paused the seller (403).
    case sellerPaused
    /// No such ping for this seller (404).
    case pingNotFound
    /// The ping's bids lapsed (410).
    case pingExpired
    /// The ping was already posted (409).
    case pingAlreadyPosted
    /// The exchange is shutting down (503).
    case unavailable
}
