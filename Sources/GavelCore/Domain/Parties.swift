/// A lead generator that sells leads through the exchange.
public struct Seller: Sendable, Hashable, Identifiable {
    /// Where a seller is in its life with the exchange.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Integrating: every lead is a test lead, whatever it says (nothing is charged, paid,
        /// counted in caps or reports, or deduped against).
        case testing
        /// Selling for real: the v1 contract's behaviour, and the default.
        case active
        /// Stopped by the operator: leads, pings and posts are refused with 403.
        case paused
    }

    /// The seller's id.
    public var id: String
    /// A display name.
    public var name: String
    /// The name buyers see in pings instead of the id, so sellers stay anonymous.
    public var alias: String
    /// The share of the sale price paid to the seller (the rest is the exchange's margin).
    public var revenueShare: Rate
    /// Whether the seller may submit leads at all (`false` switches it off, as in v1).
    public var active: Bool
    /// Its lifecycle status: testing, active or paused.
    public var status: Status

    /// Creates a seller.
    public init(
        id: String, name: String, alias: String, revenueShare: Rate = Rate("0.85"), active: Bool = true, status: Status = .active
    ) {
        self.id = id
        self.name = name
        self.alias = alias
        self.revenueShare = revenueShare
        self.active = active
        self.status = status
    }

    /// Whether every lead of this seller is a test lead, whatever it says.
    public var testsOnly: Bool { status == .testing }

    /// What the seller earns for a sale at `price`: rounded once to cents.
    public func payout(for price: Money) -> Money {
        price.scaled(by: revenueShare)
    }
}

/// A company that buys leads through one or more campaigns.
public struct Buyer: Sendable, Hashable, Identifiable {
    /// The buyer's id.
    public var id: String
    /// A display name.
    public var name: String
    /// The most unpaid spend the buyer may run up; `nil` for no limit.
    public var balanceLimit: Money?

    /// Creates a buyer.
    public init(id: String, name: String, balanceLimit: Money? = nil) {
        self.id = id
        self.name = name
        self.balanceLimit = balanceLimit
    }
}

/// Exchange-wide settings.
public struct Settings: Sendable, Hashable {
    /// How the winner's price is set.
    public enum AuctionKind: String, Sendable, Hashable, CaseIterable {
        /// The winner pays its bid.
        case firstPrice = "first_price"
        /// The winner pays the next bid (or the floor) plus one cent, never above its bid.
        case secondPrice = "second_price"
        /// A sequential ping tree, as closed platforms run it: campaigns are tried one at a time
        /// in priority order (then by tier price), each sold at its fixed tier `price` if its bid
        /// reaches it (or at its bid when it has no tier price). Kept to compare with the
        /// auction; applies to one-call leads (`/v1/leads`).
        case waterfall
    }

    /// The auction kind.
    public var auction: AuctionKind
    /// The longest any buyer is waited for, in milliseconds.
    public var defaultTmaxMS: Int
    /// How long the bids of a two-step ping are held, in seconds.
    public var pingTTLSeconds: Int
    /// Floor prices per vertical, overriding the vertical's own floor when higher.
    public var floors: [String: Money]
    /// How long the same consumer counts as a duplicate, in days (0 turns dedupe off).
    public var dedupeDays: Int
    /// The most any buyer may return: returned ÷ sold over 30 days; `nil` for no limit.
    public var maxReturnRate: Rate?
    /// Learned floors (`floor_learning` and its options).
    public var floorLearning: FloorLearning
    /// How bids are ordered (`ranking`).
    public var ranking: RankingMode
    /// Under quality ranking, the share of the rest of the post cascade's value one rejected post
    /// is taken to lose (`ranking_options.rejection_cost`, 0–1; see ``QualityEstimate``).
    public var rejectionCost: Rate
    /// The status of a seller created without one: `active` (the v1 contract's behaviour) or
    /// `testing` (every new supplier starts in test mode until the operator activates it).
    public var newSellerStatus: Seller.Status
    /// How many days a lead's personal fields are kept: older leads are erased automatically
    /// (see ``Redaction``); `nil` keeps them.
    public var piiRetentionDays: Int?

    /// Creates settings with the contract's defaults.
    public init(
        auction: AuctionKind = .firstPrice, defaultTmaxMS: Int = 250, pingTTLSeconds: Int = 120,
        floors: [String: Money] = ["auto_insurance": Money(cents: 200)], dedupeDays: Int = 30, maxReturnRate: Rate? = nil,
        floorLearning: FloorLearning = FloorLearning(), ranking: RankingMode = .price,
        rejectionCost: Rate = Settings.defaultRejectionCost, newSellerStatus: Seller.Status = .active, piiRetentionDays: Int? = nil
    ) {
        self.floorLearning = floorLearning
        self.ranking = ranking
        self.rejectionCost = rejectionCost
        self.piiRetentionDays = piiRetentionDays
        self.auction = auction
        self.defaultTmaxMS = defaultTmaxMS
        self.pingTTLSeconds = pingTTLSeconds
        self.floors = floors
        self.dedupeDays = dedupeDays
        self.maxReturnRate = maxReturnRate
        self.newSellerStatus = newSellerStatus
    }

    /// The default rejection cost, 0.25: the cascade offers a rejected lead to the next bid at
    /// once and loses no price, but the seller waits for every post and the consumer cools off.
    public static let defaultRejectionCost = Rate(micros: 250_000)

    /// The floor for a vertical: the higher of the vertical's own and the settings' floor.
    public func floor(for vertical: Vertical) -> Money {
        max(vertical.floor, floors[vertical.id] ?? .zero)
    }
}
