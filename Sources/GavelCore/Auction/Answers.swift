/// What one buyer answered to a ping.
public struct PingAnswer: Sendable, Hashable {
    /// The kind of answer: a bid, a plain no-bid, or a typed failure that counts as a no-bid.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A positive bid.
        case bid
        /// An explicit no-bid (`{"bid": null}`, `{"bid": 0}` or 204).
        case noBid = "no_bid"
        /// No answer before the deadline.
        case timeout
        /// A non-2xx status.
        case httpStatus = "http_status"
        /// Not the protocol's JSON.
        case malformed
        /// A negative, non-numeric or over-precise price.
        case invalidPrice = "invalid_price"
        /// A body over 64 KiB.
        case tooLarge = "too_large"
        /// The connection failed (refused, DNS, TLS, reset).
        case connectError = "connect_error"
        /// Priced in-process from the campaign's rules.
        case hosted
        /// Skipped by the campaign's open circuit breaker.
        case circuitOpen = "circuit_open"
    }

    /// The kind of answer.
    public var kind: Kind
    /// The price bid, for `bid` and `hosted`.
    public var bid: Money?
    /// The buyer's own id for the bid, echoed in the post.
    public var bidID: String?
    /// How long the answer took, in microseconds.
    public var latencyMicros: Int64
    /// A short explanation for failures (e.g. `HTTP 500`), or the buyer's reason for no bid.
    public var detail: String?
    /// The HTTP status of the answer, when one came.
    public var httpStatus: Int?
    /// Values a mapped buyer's answer carried for its post (`$capture.<name>`), such as a ping
    /// token or an auction id.
    public var captures: [String: JSONValue]

    /// Creates an answer.
    public init(
        kind: Kind, bid: Money? = nil, bidID: String? = nil, latencyMicros: Int64 = 0, detail: String? = nil, httpStatus: Int? = nil,
        captures: [String: JSONValue] = [:]
    ) {
        self.kind = kind
        self.bid = bid
        self.bidID = bidID
        self.latencyMicros = latencyMicros
        self.detail = detail
        self.httpStatus = httpStatus
        self.captures = captures
    }

    /// Whether the answer is a usable bid.
    public var isBid: Bool { (kind == .bid || kind == .hosted) && (bid?.cents ?? 0) > 0 }

    /// Whether the buyer failed to answer properly (counts against its circuit breaker).
    public var isFault: Bool {
        switch kind {
        case .bid, .noBid, .hosted, .circuitOpen: false
        default: true
        }
    }
}

/// What a buyer answered to a post of the full lead.
public struct PostAnswer: Sendable, Hashable {
    /// The buyer's verdict.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Taken and paid for.
        case accepted
        /// Refused.
        case rejected
        /// Refused because the buyer already has this consumer.
        case duplicate
    }

    /// The verdict; anything but a clear `accepted` counts as a rejection.
    public var outcome: Outcome
    /// Why it was refused (the buyer's reason, or `timeout`, `http_status`, `malformed`, …).
    public var reason: String?
    /// The buyer's own id for the lead.
    public var buyerLeadID: String?
    /// How long the post took, in microseconds.
    public var latencyMicros: Int64
    /// The page the buyer wants the consumer sent to (an http or https URL).
    public var redirectURL: String?
    /// The price the buyer confirmed in its answer, when it stated one.
    public var confirmedPrice: Money?
    /// The HTTP status of the answer, when one came.
    public var httpStatus: Int?

    /// Creates an answer.
    public init(
        outcome: Outcome, reason: String? = nil, buyerLeadID: String? = nil, latencyMicros: Int64 = 0, redirectURL: String? = nil,
        confirmedPrice: Money? = nil, httpStatus: Int? = nil
    ) {
        self.outcome = outcome
        self.reason = reason
        self.buyerLeadID = buyerLeadID
        self.latencyMicros = latencyMicros
        self.redirectURL = redirectURL
        self.confirmedPrice = confirmedPrice
        self.httpStatus = httpStatus
    }

    /// An accepted post.
    public static let accepted = PostAnswer(outcome: .accepted)
}
