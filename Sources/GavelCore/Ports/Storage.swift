/// The kinds of things the operator configures.
public enum ConfigKind: String, Sendable, Hashable, CaseIterable {
    /// Lead schemas.
    case vertical
    /// Lead generators.
    case seller
    /// Lead buyers.
    case buyer
    /// Buyers' campaigns.
    case campaign
}

/// One piece of configuration, as stored.
public enum ConfigRecord: Sendable, Hashable {
    /// A vertical.
    case vertical(Vertical)
    /// A seller.
    case seller(Seller)
    /// A buyer.
    case buyer(Buyer)
    /// A campaign.
    case campaign(Campaign)

    /// Its kind.
    public var kind: ConfigKind {
        switch self {
        case .vertical: .vertical
        case .seller: .seller
        case .buyer: .buyer
        case .campaign: .campaign
        }
    }

    /// Its id.
    public var id: String {
        switch self {
        case .vertical(let value): value.id
        case .seller(let value): value.id
        case .buyer(let value): value.id
        case .campaign(let value): value.id
        }
    }
}

/// All configuration at one moment: what the hot path reads instead of querying the store.
public struct MarketConfig: Sendable, Hashable {
    /// Verticals by id.
    public var verticals: [String: Vertical]
    /// Sellers by id.
    public var sellers: [String: Seller]
    /// Buyers by id.
    public var buyers: [String: Buyer]
    /// Campaigns by id.
    public var campaigns: [String: Campaign]
    /// The settings.
    public var settings: Settings

    /// Creates a configuration.
    public init(
        verticals: [String: Vertical] = [:], sellers: [String: Seller] = [:], buyers: [String: Buyer] = [:],
        campaigns: [String: Campaign] = [:], settings: Settings = Settings()
    ) {
        self.verticals = verticals
        self.sellers = sellers
        self.buyers = buyers
        self.campaigns = campaigns
        self.settings = settings
    }

    /// Adds or replaces a record.
    public mutating func apply(_ record: ConfigRecord) {
        switch record {
        case .vertical(let value): verticals[value.id] = value
        case .seller(let value): sellers[value.id] = value
        case .buyer(let value): buyers[value.id] = value
        case .campaign(let value): campaigns[value.id] = value
        }
    }

    /// Removes a record.
    public mutating func remove(_ kind: ConfigKind, id: String) {
        switch kind {
        case .vertical: verticals[id] = nil
        case .seller: sellers[id] = nil
        case .buyer: buyers[id] = nil
        case .campaign: campaigns[id] = nil
        }
    }

    /// Whether a record exists.
    public func contains(_ kind: ConfigKind, id: String) -> Bool {
        switch kind {
        case .vertical: verticals[id] != nil
        case .seller: sellers[id] != nil
        case .buyer: buyers[id] != nil
        case .campaign: campaigns[id] != nil
        }
    }
}

/// Who an API key belongs to.
public enum Role: String, Sendable, Hashable, CaseIterable {
    /// The operator: everything.
    case admin
    /// One seller.
    case seller
    /// One buyer.
    case buyer
}

/// An API key as stored: never the key, only its SHA-256.
public struct APIKeyRecord: Sendable, Hashable, Identifiable {
    /// The key's id (`K…`), used to revoke it.
    public var id: String
    /// Its role.
    public var role: Role
    /// The seller or buyer it is bound to (`nil` for admin keys).
    public var subjectID: String?
    /// The lower-case hex SHA-256 of the key.
    public var hash: String
    /// The key's first characters, to tell keys apart in lists.
    public var prefix: String
    /// A note from the operator.
    public var label: String
    /// When it was created.
    public var createdAt: Timestamp

    /// Creates a record.
    public init(id: String, role: Role, subjectID: String?, hash: String, prefix: String, label: String = "", createdAt: Timestamp) {
        self.id = id
        self.role = role
        self.subjectID = subjectID
        self.hash = hash
        self.prefix = prefix
        self.label = label
        self.createdAt = createdAt
    }
}

/// A two-step ping's auction result, held until the seller posts or it expires.
public struct HeldPing: Sendable, Hashable, Identifiable {
    /// The ping's id (`P…`).
    public var id: String
    /// The seller that sent it.
    public var sellerID: String
    /// Its vertical.
    public var vertical: String
    /// The seller's source.
    public var source: String
    /// Whether it is a test.
    public var test: Bool
    /// The non-personal fields it was auctioned with.
    public var fields: [String: JSONValue]
    /// The ranked bids.
    public var bids: [Bid]
    /// What each ranked bid pays.
    public var prices: [Money]
    /// The direct campaign the allocation draw picked, if any.
    public var allocated: Offer?
    /// The pings sent.
    public var pings: [PingRecord]
    /// The campaigns skipped.
    public var skips: [SkipRecord]
    /// When it was made.
    public var createdAt: Timestamp
    /// When its bids lapse.
    public var expiresAt: Timestamp
    /// The floor and order its auction ran with.
    public var note: AuctionNote?

    /// Creates a held ping.
    public init(
        id: String, sellerID: String, vertical: String, source: String, test: Bool, fields: [String: JSONValue], bids: [Bid],
        prices: [Money], allocated: Offer?, pings: [PingRecord], skips: [SkipRecord], createdAt: Timestamp, expiresAt: Timestamp,
        note: AuctionNote? = nil
    ) {
        self.note = note
        self.id = id
        self.sellerID = sellerID
        self.vertical = vertical
        self.source = source
        self.test = test
        self.fields = fields
        self.bids = bids
        self.prices = prices
        self.allocated = allocated
        self.pings = pings
        self.skips = skips
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The result of claiming a held ping for its post.
public enum PingClaim: Sendable, Hashable {
    /// The ping is now claimed by this post.
    case claimed(HeldPing)
    /// No such ping for this seller.
    case notFound
    /// Its bids have lapsed.
    case expired
    /// It was already posted.
    case alreadyPosted
}

/// The result of storing a new lead.
public enum LeadInsertResult: Sendable, Hashable {
    /// Stored as pending.
    case inserted
    /// Stored as a duplicate of an earlier lead of the same consumer.
    case duplicate(of: String)
}

/// Why a store operation failed.
public enum StorageError: Error, Sendable, Hashable {
    /// Something with that id already exists.
    case conflict(String)
    /// Nothing with that id exists.
    case notFound(String)
    /// The database could not be used.
    case unavailable(String)
}
