/// What became of a lead.
public enum LeadStatus: String, Sendable, Hashable, CaseIterable {
    /// Stored, auction not finished.
    case pending
    /// Sold to at least one buyer.
    case sold
    /// No buyer took it.
    case unsold
    /// The same consumer was already submitted within the dedupe window.
    case duplicate
    /// The exchange refused it (`reason` says why).
    case rejected
    /// Interrupted between a post and its recorded outcome; an operator must check with the
    /// buyer. Never resold automatically.
    case review
}

/// The hashed contact identity of a lead's consumer, used for dedupe and suppression lists.
///
/// Phones are keyed from `1` + the 10 NANP digits (E.164 digits without `+`), emails from the
/// lower-cased address, by the exchange's ``ContactHasher`` (a keyed hash, lower-case hex).
/// Keys never leave the exchange.
public struct ContactKeys: Sendable, Hashable {
    /// The keys of the lead's phones.
    public var phoneHashes: [String]
    /// The keys of the lead's emails.
    public var emailHashes: [String]

    /// Creates keys.
    public init(phoneHashes: [String] = [], emailHashes: [String] = []) {
        self.phoneHashes = phoneHashes
        self.emailHashes = emailHashes
    }

    /// Every key, phones first.
    public var all: [String] { phoneHashes + emailHashes }

    /// Whether there is nothing to match on.
    public var isEmpty: Bool { phoneHashes.isEmpty && emailHashes.isEmpty }

    /// The texts whose hashes identify the consumer in a lead's normalized fields.
    public static func hashInputs(fields: [String: JSONValue], vertical: Vertical) -> (phones: [String], emails: [String]) {
        var phones: [String] = []
        var emails: [String] = []
        for spec in vertical.fields {
            guard let text = fields[spec.name]?.stringValue else { continue }
            if spec.kind == .phone { phones.append("1" + text) }
            if spec.kind == .email { emails.append(text) }
        }
        return (phones, emails)
    }
}

/// A lead as stored: who sent it, its normalized fields, and when it arrived.
public struct Lead: Sendable, Hashable, Identifiable {
    /// The lead's id (`L…`).
    public var id: String
    /// The seller that sent it.
    public var sellerID: String
    /// Its vertical.
    public var vertical: String
    /// The seller's traffic source.
    public var source: String
    /// A test lead: auctioned and delivered marked as a test, never charged, paid or counted.
    public var test: Bool
    /// The normalized fields, personal ones included.
    public var fields: [String: JSONValue]
    /// The consent evidence the seller sent.
    public var consent: JSONValue
    /// When it arrived.
    public var receivedAt: Timestamp
    /// The two-step ping it was posted for, if any.
    public var pingID: String?
    /// The consumer's hashed contact keys.
    public var contactKeys: ContactKeys
    /// When its personal data was erased (an erasure request or the retention setting);
    /// `nil` while it is kept.
    public var erasedAt: Timestamp?

    /// Creates a lead.
    public init(
        id: String, sellerID: String, vertical: String, source: String, test: Bool = false,
        fields: [String: JSONValue], consent: JSONValue = .null, receivedAt: Timestamp, pingID: String? = nil,
        contactKeys: ContactKeys = ContactKeys(), erasedAt: Timestamp? = nil
    ) {
        self.erasedAt = erasedAt
        self.id = id
        self.sellerID = sellerID
        self.vertical = vertical
        self.source = source
        self.test = test
        self.fields = fields
        self.consent = consent
        self.receivedAt = receivedAt
        self.pingID = pingID
        self.contactKeys = contactKeys
    }
}
