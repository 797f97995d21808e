/// Makes the exchange's ids: a one-letter prefix, then 26 Crockford base-32 characters of
/// time (milliseconds) and randomness, so ids sort roughly by creation time and never collide.
public struct IDGenerator: Sendable {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Creates a generator.
    public init() {}

    /// A new id such as `L01J…`.
    public func make(_ prefix: String, at time: Timestamp = SystemWallClock().now()) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 26)
        var ms = UInt64(max(0, time.milliseconds))
        for index in (0..<10).reversed() {
            bytes[index] = Self.alphabet[Int(ms & 31)]
            ms >>= 5
        }
        // 80 random bits from two draws (each draw is a system call).
        var random = (generator.next(), generator.next())
        for index in 10..<26 {
            bytes[index] = Self.alphabet[Int(random.0 & 31)]
            random = (random.0 >> 5 | random.1 << 59, random.1 >> 5)
        }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }

    /// A random secret of `length` base-32 characters (5 bits of entropy each).
    public func secret(length: Int = 40) -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<length).map { _ in Self.alphabet[Int(generator.next() & 31)] }, as: UTF8.self).lowercased()
    }
}

/// Makes the contact keys that identify a consumer without naming it: dedupe, campaign
/// dedupe windows and buyers' suppression lists match on them (the core imports no
/// cryptography; the store support module provides the implementations).
///
/// The exchange's keys are keyed hashes (HMAC-SHA256 with a secret of the database, over the
/// SHA-256 of the normalized text), so a stored key cannot be matched against the plain
/// SHA-256 digests of phone numbers and emails that circulate outside it. Buyers send their
/// suppression lists as those plain digests (the contract says so); ``contactKey(sha256Hex:)``
/// turns each into the key it matches.
public protocol ContactHasher: Sendable {
    /// The contact key of a normalized contact text (a phone as `1` and its 10 digits, an
    /// email lower-cased), as lower-case hex.
    func contactKey(_ text: String) -> String
    /// The contact key matching the SHA-256 digest (64 hex digits, either case) of such a
    /// text; `nil` for anything that is not one.
    func contactKey(sha256Hex: String) -> String?
}

extension ContactHasher {
    /// The contact keys of a lead's normalized fields.
    public func contactKeys(fields: [String: JSONValue], vertical: Vertical) -> ContactKeys {
        let inputs = ContactKeys.hashInputs(fields: fields, vertical: vertical)
        return ContactKeys(phoneHashes: inputs.phones.map(contactKey), emailHashes: inputs.emails.map(contactKey))
    }
}

/// Plain SHA-256 of text, the hash the books' chain is made of (the core imports no
/// cryptography; the store support module's ``SHA256ContactHasher`` is the implementation).
public protocol Digester: Sendable {
    /// The lower-case hex SHA-256 of the text's UTF-8 bytes.
    func sha256Hex(_ text: String) -> String
}

/// Receives what happens in the exchange, for metrics.
public protocol ExchangeObserver: Sendable {
    /// A lead finished with a status after `elapsedMicros` of the exchange's time.
    func leadFinished(status: LeadStatus, elapsedMicros: Int64)
    /// A campaign answered a ping.
    func pinged(campaignID: String, answer: PingAnswer)
    /// A campaign was skipped.
    func skipped(campaignID: String, reason: SkipReason)
    /// A post finished.
    func posted(campaignID: String, outcome: PostAnswer.Outcome)
}

/// An observer that ignores everything.
public struct NoObserver: ExchangeObserver {
    /// Creates the observer.
    public init() {}
    /// Ignored.
    public func leadFinished(status: LeadStatus, elapsedMicros: Int64) {}
    /// Ignored.
    public func pinged(campaignID: String, answer: PingAnswer) {}
    /// Ignored.
    public func skipped(campaignID: String, reason: SkipReason) {}
    /// Ignored.
    public func posted(campaignID: String, outcome: PostAnswer.Outcome) {}
}

/// The configuration the exchange runs on, swapped atomically when an operator changes it, so
/// the hot path reads memory and never queries configuration.
public final class MarketCache: Sendable {
    private let market: Locked<Market>

    /// Creates a cache holding a configuration.
    public init(_ config: MarketConfig) {
        market = Locked(Market(config))
    }

    /// The current market.
    public var current: Market {
        market.withLock { $0 }
    }

    /// Replaces the market.
    public func replace(_ config: MarketConfig) {
        let next = Market(config)
        market.withLock { $0 = next }
    }

    /// Changes the configuration under the lock and returns the new market.
    @discardableResult
    public func update(_ change: (inout MarketConfig) -> Void) -> Market {
        market.withLock { market in
            var config = market.config
            change(&config)
            market = Market(config)
            return market
        }
    }
}

/// A configuration with the indexes the auction needs.
public struct Market: Sendable {
    /// The configuration.
    public let config: MarketConfig
    /// Campaigns by vertical, in id order.
    public let campaignsByVertical: [String: [Campaign]]

    /// Indexes a configuration.
    public init(_ config: MarketConfig) {
        self.config = config
        var index: [String: [Campaign]] = [:]
        for campaign in config.campaigns.values.sorted(by: { $0.id < $1.id }) {
            index[campaign.vertical, default: []].append(campaign)
        }
        campaignsByVertical = index
    }
}
