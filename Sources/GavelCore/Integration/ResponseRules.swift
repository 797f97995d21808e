/// How a buyer's answer is read: which HTTP statuses carry a readable body, what some
/// statuses mean by themselves, the conditions for a bid (or an accepted post), a duplicate
/// and an explicit refusal, and where the price, ids, reason, redirect URL and captured values
/// are found.
///
/// Reading is strict: an answer is a bid or an accepted post only when the `accept`
/// condition matches; anything else is a typed no-bid or rejection, so an error answer that
/// also carries an id is still an error.
public struct ResponseRules: Sendable, Hashable {
    /// How the body is parsed.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// By the `Content-Type` (JSON, XML, else text), or by the first character without one.
        case auto
        /// JSON.
        case json
        /// XML.
        case xml
        /// Plain text, read with regular expressions.
        case text
    }

    /// What a status means without reading the body.
    public enum StatusOutcome: String, Sendable, Hashable, CaseIterable {
        /// Read the body with the rules (like a 2xx).
        case read
        /// No bid (pings).
        case noBid = "no_bid"
        /// Accepted (posts).
        case accepted
        /// Rejected.
        case rejected
        /// A duplicate.
        case duplicate
    }

    /// Whether a price is in dollars or cents.
    public enum PriceUnit: String, Sendable, Hashable, CaseIterable {
        /// `12.5` is $12.50.
        case dollars
        /// `1250` is $12.50.
        case cents
    }

    /// How the body is parsed.
    public var format: Format
    /// Statuses whose body is read; `nil` means every 2xx. Other statuses are failures
    /// (`http_status`) unless `statusOutcomes` names them.
    public var readStatuses: [Int]?
    /// Statuses that decide by themselves.
    public var statusOutcomes: [Int: StatusOutcome]
    /// The answer is a bid (pings) or accepts the lead (posts) when any of these matches.
    /// Without any, a ping with a positive price is a bid; a post must have one.
    public var accept: [Matcher]
    /// The answer refuses (no bid, or a rejected post) when any of these matches, checked before `accept`.
    public var reject: [Matcher]
    /// The answer is a duplicate when any of these matches, checked first.
    public var duplicate: [Matcher]
    /// Where the price is: the bid (pings) or the price the buyer confirms (posts).
    public var price: Selector?
    /// The unit of `price`.
    public var priceUnit: PriceUnit
    /// Where the buyer's bid id is (pings), echoed as `$bid_id`.
    public var bidID: Selector?
    /// Where the buyer's reason is.
    public var reason: Selector?
    /// Where the buyer's lead id is (posts).
    public var leadID: Selector?
    /// Where the consumer's landing page is (posts).
    public var redirectURL: Selector?
    /// Values kept from a ping's answer for the post, by name (`$capture.<name>`).
    public var captures: [String: Selector]

    /// Creates rules (by default: 2xx bodies, parsed by content type, nothing extracted).
    public init(
        format: Format = .auto, readStatuses: [Int]? = nil, statusOutcomes: [Int: StatusOutcome] = [:], accept: [Matcher] = [],
        reject: [Matcher] = [], duplicate: [Matcher] = [], price: Selector? = nil, priceUnit: PriceUnit = .dollars,
        bidID: Selector? = nil, reason: Selector? = nil, leadID: Selector? = nil, redirectURL: Selector? = nil,
        captures: [String: Selector] = [:]
    ) {
        self.format = format
        self.readStatuses = readStatuses
        self.statusOutcomes = statusOutcomes
        self.accept = accept
        self.reject = reject
        self.duplicate = duplicate
        self.price = price
        self.priceUnit = priceUnit
        self.bidID = bidID
        self.reason = reason
        self.leadID = leadID
        self.redirectURL = redirectURL
        self.captures = captures
    }

    /// Whether a status's body is read by the rules.
    public func reads(status: Int) -> Bool {
        if let outcome = statusOutcomes[status] { return outcome == .read }
        return readStatuses.map { $0.contains(status) } ?? (200..<300).contains(status)
    }
}

/// Where one value is in an answer: a path (JSON members and indices, XML elements and
/// attributes), a regular expression (its first capture group, else the whole match) applied
/// to the value at the path or to the whole body, or both.
public struct Selector: Sendable, Hashable {
    /// The path, if any.
    public var path: ValuePath?
    /// The regular expression, if any.
    public var regex: String?

    /// Creates a selector; at least one of the two must be given.
    public init(path: ValuePath? = nil, regex: String? = nil) {
        self.path = path
        self.regex = regex
    }
}

/// A condition on an answer: the value at a selector equals one of some values, exists (or
/// not), or matches a regular expression.
public struct Matcher: Sendable, Hashable {
    /// The test applied to the selected value.
    public enum Test: Sendable, Hashable {
        /// The value's text is one of these.
        case equals([String])
        /// The value is present (`true`) or absent (`false`).
        case exists(Bool)
        /// The value's text matches the regular expression.
        case matches(String)
    }

    /// What is tested.
    public var selector: Selector
    /// The test.
    public var test: Test
    /// Whether `equals` ignores letter case.
    public var ignoreCase: Bool

    /// Creates a matcher.
    public init(selector: Selector, test: Test, ignoreCase: Bool = false) {
        self.selector = selector
        self.test = test
        self.ignoreCase = ignoreCase
    }
}
