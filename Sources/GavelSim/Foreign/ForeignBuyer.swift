import GavelCore

/// The API shapes of real buyers that the sandbox can imitate, each at
/// `/foreign/<shape>/<name>/ping` and `/foreign/<shape>/<name>/post` (see ``ForeignShapes``).
public enum ForeignShape: String, Sendable, Hashable, CaseIterable {
    /// JSON both ways, a bearer token, an auction id to post back (`leadAuctionId`).
    case medicare
    /// Form-encoded requests with the key in the body, JSON answers with a status word.
    case leadProsper = "leadprosper"
    /// A GET ping with query parameters and Basic auth, XML answers, a redirect URL on the post.
    case xmlGet = "xmlget"
    /// XML requests with the key inside, nested XML answers where only `Matched` is a bid.
    case nestedXML = "nestedxml"
}

/// One buyer with its own (non-Gavel) API, hosted by ``SandboxBuyers``: a handle to change how it
/// answers and read what it received.
public struct ForeignBuyer: Sendable {
    /// How the buyer answers.
    public struct Behavior: Sendable, Hashable {
        /// The verdict on a post.
        public enum PostOutcome: Sendable, Hashable {
            /// Accepted.
            case accept
            /// Refused as a duplicate.
            case duplicate
            /// Refused with a reason.
            case reject(String)
        }

        /// The bid on every ping; `nil` answers the shape's no-bid (e.g. "Quota Reached").
        public var bid: Money?
        /// The verdict on posts.
        public var postOutcome: PostOutcome
        /// The price the post answer confirms (shapes 2 and 3); `nil` confirms the bid.
        public var confirmed: Money?
        /// The consumer's landing page in the post answer (shape 3).
        public var redirectURL: String
        /// How long each answer takes.
        public var latency: Duration
        /// The credentials the buyer expects.
        public var credentials: Credentials

        /// Creates a behavior: by default the buyer bids nothing and accepts posts.
        public init(
            bid: Money? = nil, postOutcome: PostOutcome = .accept, confirmed: Money? = nil,
            redirectURL: String = "https://buyer.example/thanks?ref=gavel&step=2", latency: Duration = .zero,
            credentials: Credentials = Credentials()
        ) {
            self.bid = bid
            self.postOutcome = postOutcome
            self.confirmed = confirmed
            self.redirectURL = redirectURL
            self.latency = latency
            self.credentials = credentials
        }

        /// A buyer bidding `price` on every ping.
        public static func bidding(_ price: Money) -> Behavior { Behavior(bid: price) }
    }

    /// What each shape checks in requests.
    public struct Credentials: Sendable, Hashable {
        /// Shape 1's bearer token.
        public var token = "medicare-token"
        /// Shape 1's `vendorId`.
        public var vendorID = "gavel"
        /// Shape 2's `lp_campaign_id`.
        public var campaignID = "4242"
        /// Shape 2's `lp_key`.
        public var key = "lp-secret-key"
        /// Shape 3's Basic user name.
        public var username = "gavel"
        /// Shape 3's Basic password.
        public var password = "xml-pass"
        /// Shape 4's `api_key` element.
        public var apiKey = "nested-key"

        /// The defaults the worked examples of docs/INTEGRATIONS.md use.
        public init() {}
    }

    /// The buyer's name.
    public let name: String
    /// Its API shape.
    public let shape: ForeignShape
    let buyers: SandboxBuyers

    /// The base of its URLs: `http://127.0.0.1:<port>/foreign/<shape>/<name>`.
    public var baseURL: String { "\(buyers.baseURL)/foreign/\(shape.rawValue)/\(name)" }
    /// Its ping URL.
    public var pingURL: String { baseURL + "/ping" }
    /// Its post URL.
    public var postURL: String { baseURL + "/post" }

    /// Changes the behavior in place.
    public func update(_ change: (inout Behavior) -> Void) {
        buyers.foreign.update(name, change)
    }

    /// The pings received, oldest first.
    public var pings: [Received] { buyers.foreign.received(by: name, .ping) }
    /// The posts received, oldest first.
    public var posts: [Received] { buyers.foreign.received(by: name, .post) }
}

extension ForeignBuyer {
    /// One call the buyer received, as it came, with what it answered.
    public struct Received: Sendable {
        /// Ping or post.
        public enum Kind: String, Sendable, Hashable {
            /// A ping.
            case ping
            /// A post.
            case post
        }

        /// The buyer.
        public var buyer: String
        /// Its shape.
        public var shape: ForeignShape
        /// Ping or post.
        public var kind: Kind
        /// The method.
        public var method: String
        /// The query parameters, in order.
        public var query: [(name: String, value: String)]
        /// The headers, names lower-cased.
        public var headers: [String: String]
        /// The raw body.
        public var body: [UInt8]
        /// The decoded form body (empty unless form-encoded).
        public var form: [(name: String, value: String)]
        /// The HTTP status answered.
        public var answerStatus: Int
        /// The body answered.
        public var answerBody: String

        /// The body as text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }

        /// The body as JSON, when it is.
        public var json: JSONValue? { try? JSONParser.parse(body) }

        /// The body as XML, when it is.
        public var xml: XMLElement? { try? XMLDocumentParser.parse(body) }

        /// A value by name: a query parameter, a form member, a top-level JSON member, or the
        /// text of the first XML element of that name anywhere.
        public func value(_ name: String) -> String? {
            if let found = query.first(where: { $0.name == name }) { return found.value }
            if let found = form.first(where: { $0.name == name }) { return found.value }
            if let member = json?[name] { return member.plainText }
            return xml.flatMap { ForeignShapes.find(name, in: $0) }
        }
    }
}
