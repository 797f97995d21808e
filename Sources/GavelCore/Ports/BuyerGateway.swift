/// The non-personal view of a lead a buyer is pinged with.
public struct PingRequest: Sendable, Hashable {
    /// The ping's id.
    public var pingID: String
    /// The vertical.
    public var vertical: String
    /// How long the buyer has, in milliseconds.
    public var tmaxMS: Int
    /// Whether it is a test.
    public var test: Bool
    /// The seller's alias.
    public var sellerAlias: String
    /// The seller's source.
    public var source: String
    /// The non-personal fields only.
    public var fields: [String: JSONValue]
    /// The body's bytes, encoded once and shared by every campaign pinged with the same deadline.
    public let body: [UInt8]

    /// Creates a request.
    public init(pingID: String, vertical: String, tmaxMS: Int, test: Bool, sellerAlias: String, source: String, fields: [String: JSONValue])
    {
        self.pingID = pingID
        self.vertical = vertical
        self.tmaxMS = tmaxMS
        self.test = test
        self.sellerAlias = sellerAlias
        self.source = source
        self.fields = fields
        body = JSONWriter.bytes(
            Self.json(
                pingID: pingID, vertical: vertical, tmaxMS: tmaxMS, test: test, sellerAlias: sellerAlias, source: source, fields: fields))
    }

    /// The wire body of the contract.
    public var json: JSONValue {
        Self.json(pingID: pingID, vertical: vertical, tmaxMS: tmaxMS, test: test, sellerAlias: sellerAlias, source: source, fields: fields)
    }

    private static func json(
        pingID: String, vertical: String, tmaxMS: Int, test: Bool, sellerAlias: String, source: String, fields: [String: JSONValue]
    ) -> JSONValue {
        .object([
            "ping_id": .string(pingID), "vertical": .string(vertical), "tmax_ms": .number(Number(tmaxMS)),
            "test": .bool(test), "seller": .string(sellerAlias), "source": .string(source), "fields": .object(fields),
        ])
    }
}

/// The full lead as posted to a winner.
public struct PostRequest: Sendable, Hashable {
    /// The ping the bid answered.
    public var pingID: String
    /// The buyer's bid id.
    public var bidID: String?
    /// The lead's id.
    public var leadID: String
    /// The price the buyer pays.
    public var price: Money
    /// The vertical.
    public var vertical: String
    /// Whether it is a test.
    public var test: Bool
    /// All fields, personal ones included.
    public var fields: [String: JSONValue]
    /// The consent evidence.
    public var consent: JSONValue
    /// What the buyer's ping answer carried for this post (mapped buyers).
    public var captures: [String: JSONValue]
    /// The seller's traffic source.
    public var source: String
    /// The seller's alias.
    public var sellerAlias: String

    /// Creates a request.
    public init(
        pingID: String, bidID: String?, leadID: String, price: Money, vertical: String, test: Bool, fields: [String: JSONValue],
        consent: JSONValue, captures: [String: JSONValue] = [:], source: String = "", sellerAlias: String = ""
    ) {
        self.captures = captures
        self.source = source
        self.sellerAlias = sellerAlias
        self.pingID = pingID
        self.bidID = bidID
        self.leadID = leadID
        self.price = price
        self.vertical = vertical
        self.test = test
        self.fields = fields
        self.consent = consent
    }

    /// The wire body of the contract.
    public var json: JSONValue {
        .object([
            "ping_id": .string(pingID), "bid_id": bidID.map(JSONValue.string) ?? .null, "lead_id": .string(leadID),
            "price": price.json, "vertical": .string(vertical), "test": .bool(test), "fields": .object(fields),
            "consent": consent, "source": .string(source),
        ])
    }
}

/// The port through which the exchange calls buyers over the network. Implementations never
/// throw: every failure is a typed no-bid or rejection. They keep no deadlines of their own:
/// the caller bounds every call (``Deadline``), and a cancelled call ends at once as a
/// `timeout`.
public protocol BuyerGateway: Sendable {
    /// Pings a remote campaign.
    func ping(_ request: PingRequest, campaign: Campaign) async -> PingAnswer
    /// Posts the full lead to a campaign with a post URL.
    func post(_ request: PostRequest, campaign: Campaign) async -> PostAnswer
    /// Pings like ``ping(_:campaign:)`` and also returns what went over the wire (the test
    /// console); `nil` when the gateway cannot tell.
    func tracedPing(_ request: PingRequest, campaign: Campaign) async -> (PingAnswer, CallTrace?)
    /// Posts like ``post(_:campaign:)`` and also returns what went over the wire.
    func tracedPost(_ request: PostRequest, campaign: Campaign) async -> (PostAnswer, CallTrace?)
}

extension BuyerGateway {
    /// The answer without a trace.
    public func tracedPing(_ request: PingRequest, campaign: Campaign) async -> (PingAnswer, CallTrace?) {
        (await ping(request, campaign: campaign), nil)
    }

    /// The answer without a trace.
    public func tracedPost(_ request: PostRequest, campaign: Campaign) async -> (PostAnswer, CallTrace?) {
        (await post(request, campaign: campaign), nil)
    }
}

extension CallValues {
    /// The values of a ping to a campaign: the non-personal fields and the ping's own values.
    public init(ping request: PingRequest, campaign: Campaign) {
        self.init(
            fields: request.fields, pingID: request.pingID, test: request.test, source: request.source, seller: request.sellerAlias,
            vertical: request.vertical, campaignID: campaign.id, tmaxMS: request.tmaxMS,
            secrets: campaign.delivery.integration?.secrets ?? [:])
    }

    /// The values of a post to a campaign: every field, the price, ids, consent and captures.
    public init(post request: PostRequest, campaign: Campaign) {
        self.init(
            fields: request.fields, pingID: request.pingID, leadID: request.leadID, bidID: request.bidID, price: request.price,
            test: request.test, source: request.source, seller: request.sellerAlias, vertical: request.vertical,
            campaignID: campaign.id, consent: request.consent, captures: request.captures,
            secrets: campaign.delivery.integration?.secrets ?? [:])
    }
}
