/// A buyer's standing order: which leads it wants, how it prices them, how they are delivered,
/// and the limits (caps, schedule, dedupe) it buys within.
public struct Campaign: Sendable, Hashable, Identifiable {
    /// Whether the campaign takes part in auctions.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Pinged and posted to.
        case active
        /// Skipped.
        case paused
    }

    /// Whether a lead sold to this campaign may also be sold to others.
    public enum LeadType: String, Sendable, Hashable, CaseIterable {
        /// Sold to this campaign alone.
        case exclusive
        /// Sold to up to the vertical's `max_sales` shared campaigns together.
        case shared
    }

    /// How the campaign is priced and delivered to.
    public struct Delivery: Sendable, Hashable {
        /// How the campaign is reached.
        public enum Mode: String, Sendable, Hashable, CaseIterable {
            /// Pinged over HTTP for a bid, posted over HTTP when it wins.
            case remote
            /// Priced in-process from the campaign's rules, only posted to.
            case hosted
            /// Never pinged; posted to at its fixed `price`.
            case direct
        }

        /// How it is reached.
        public var mode: Mode
        /// Where pings go (remote campaigns).
        public var pingURL: String?
        /// Where won leads go; without one, won leads wait in the buyer's inbox
        /// (`GET /v1/buyer/leads`) and count as accepted.
        public var postURL: String?
        /// The ping deadline in milliseconds, capped by the settings' `default_tmax_ms`.
        public var timeoutMS: Int?
        /// The post deadline in milliseconds.
        public var postTimeoutMS: Int
        /// The HMAC secret every call to this campaign is signed with.
        public var secret: String
        /// The buyer's own API, mapped; `nil` speaks the native protocol.
        public var integration: Integration?

        /// Creates a delivery.
        public init(
            mode: Mode, pingURL: String? = nil, postURL: String? = nil, timeoutMS: Int? = nil,
            postTimeoutMS: Int = 5_000, secret: String = "", integration: Integration? = nil
        ) {
            self.mode = mode
            self.pingURL = pingURL
            self.postURL = postURL
            self.timeoutMS = timeoutMS
            self.postTimeoutMS = postTimeoutMS
            self.secret = secret
            self.integration = integration
        }

        /// Whether the campaign is pinged with a mapped call.
        public var mapsPing: Bool { integration?.ping != nil }

        /// Whether won leads are posted over HTTP (native or mapped) rather than left in the
        /// buyer's inbox.
        public var postsOverHTTP: Bool { postURL != nil || integration?.post != nil }

        /// How long a post may take before it counts as a `timeout` rejection (5 s when unset).
        public var effectivePostTimeoutMS: Int { postTimeoutMS > 0 ? postTimeoutMS : 5_000 }
    }

    /// Which sellers the campaign buys from and how their leads are priced.
    public struct SellerPolicy: Sendable, Hashable {
        /// When not empty, only these sellers.
        public var allow: [String]
        /// Never these sellers.
        public var deny: [String]
        /// A factor on the campaign's bid per seller.
        public var bidMultiplier: [String: Rate]
        /// The most the campaign bids per seller.
        public var maxBid: [String: Money]
        /// A factor on the campaign's bid per seller traffic source (the lead's `source`),
        /// applied after the seller's.
        public var sourceMultiplier: [String: Rate]

        /// Creates a policy.
        public init(
            allow: [String] = [], deny: [String] = [], bidMultiplier: [String: Rate] = [:], maxBid: [String: Money] = [:],
            sourceMultiplier: [String: Rate] = [:]
        ) {
            self.allow = allow
            self.deny = deny
            self.bidMultiplier = bidMultiplier
            self.maxBid = maxBid
            self.sourceMultiplier = sourceMultiplier
        }

        /// Whether leads of a seller may go to the campaign.
        public func admits(_ sellerID: String) -> Bool {
            !deny.contains(sellerID) && (allow.isEmpty || allow.contains(sellerID))
        }

        /// A bid adjusted for a seller and its traffic source: multiplied by each, then capped.
        public func adjust(_ bid: Money, seller sellerID: String, source: String = "") -> Money {
            var price = bidMultiplier[sellerID].map { bid.scaled(by: $0) } ?? bid
            if let factor = sourceMultiplier[source] { price = price.scaled(by: factor) }
            if let cap = maxBid[sellerID], price > cap { price = cap }
            return price
        }
    }

    /// Volume and spend limits, counted in the caps' local time zone.
    public struct Caps: Sendable, Hashable {
        /// The IANA zone whose local days, weeks (Monday first) and months the caps count.
        public var timezone: String
        /// Leads per local day.
        public var dailyLeads: Int?
        /// Leads per local week.
        public var weeklyLeads: Int?
        /// Leads per local month.
        public var monthlyLeads: Int?
        /// Spend per local day.
        public var dailySpend: Money?
        /// Spend per local month.
        public var monthlySpend: Money?

        /// Creates caps (none set by default).
        public init(
            timezone: String = "UTC", dailyLeads: Int? = nil, weeklyLeads: Int? = nil, monthlyLeads: Int? = nil,
            dailySpend: Money? = nil, monthlySpend: Money? = nil
        ) {
            self.timezone = timezone
            self.dailyLeads = dailyLeads
            self.weeklyLeads = weeklyLeads
            self.monthlyLeads = monthlyLeads
            self.dailySpend = dailySpend
            self.monthlySpend = monthlySpend
        }

        /// Whether any cap is set.
        public var isEmpty: Bool {
            dailyLeads == nil && weeklyLeads == nil && monthlyLeads == nil && dailySpend == nil && monthlySpend == nil
        }
    }

    /// The campaign's id.
    public var id: String
    /// The buyer that owns it.
    public var buyerID: String
    /// The vertical it buys.
    public var vertical: String
    /// A display name.
    public var name: String
    /// Active or paused.
    public var status: Status
    /// Pricing and delivery.
    public var delivery: Delivery
    /// Bid rules.
    public var bid: BidPolicy
    /// Conditions a lead must meet to be offered at all.
    public var filters: [Condition]
    /// Seller lists, multipliers and per-seller maxima.
    public var sellers: SellerPolicy
    /// Volume and spend caps.
    public var caps: Caps
    /// Weekly opening hours; `nil` means always open.
    public var schedule: Schedule?
    /// The campaign never receives the same consumer twice within this many days.
    public var dedupeDays: Int?
    /// Days after a sale within which the buyer may return the lead.
    public var returnWindowDays: Int
    /// Breaks ties between equal bids (higher first) and orders direct campaigns.
    public var priority: Int
    /// The fixed price of a direct campaign.
    public var price: Money?
    /// The share (0...1) of matching leads sent straight to this direct campaign before any
    /// auction (hybrid routing).
    public var allocation: Rate?
    /// Exclusive or shared.
    public var leadType: LeadType

    /// Creates a campaign.
    public init(
        id: String, buyerID: String, vertical: String, name: String = "", status: Status = .active,
        delivery: Delivery, bid: BidPolicy = BidPolicy(), filters: [Condition] = [], sellers: SellerPolicy = SellerPolicy(),
        caps: Caps = Caps(), schedule: Schedule? = nil, dedupeDays: Int? = nil, returnWindowDays: Int = 7,
        priority: Int = 0, price: Money? = nil, allocation: Rate? = nil, leadType: LeadType = .exclusive
    ) {
        self.id = id
        self.buyerID = buyerID
        self.vertical = vertical
        self.name = name
        self.status = status
        self.delivery = delivery
        self.bid = bid
        self.filters = filters
        self.sellers = sellers
        self.caps = caps
        self.schedule = schedule
        self.dedupeDays = dedupeDays
        self.returnWindowDays = returnWindowDays
        self.priority = priority
        self.price = price
        self.allocation = allocation
        self.leadType = leadType
    }

    /// Whether a lead's fields pass every filter.
    public func accepts(_ fields: [String: JSONValue]) -> Bool {
        filters.allSatisfy { $0.matches(fields) }
    }

    /// The ping deadline for this campaign under the given settings.
    public func timeoutMS(settings: Settings) -> Int {
        min(delivery.timeoutMS ?? settings.defaultTmaxMS, settings.defaultTmaxMS)
    }

    /// The price this campaign offers for a lead before any remote answer: its rules for a
    /// hosted campaign, its fixed price for a direct one; `nil` for remote campaigns or no bid.
    public func hostedPrice(for fields: [String: JSONValue]) -> Money? {
        switch delivery.mode {
        case .hosted: bid.price(for: fields)
        case .direct: price
        case .remote: nil
        }
    }

    /// A bid (from a buyer or from the rules) as it stands in the auction: after the seller's
    /// multiplier and maximum and the campaign's own `bid.max`.
    public func effectiveBid(_ bid: Money, seller sellerID: String, source: String = "") -> Money {
        var price = sellers.adjust(bid, seller: sellerID, source: source)
        if let max = self.bid.max, price > max { price = max }
        return price
    }
}

/// Weekly opening hours in a time zone. A range may cross midnight (`["22:00", "02:00"]` on
/// Monday is open from Monday 22:00 to Tuesday 02:00). A weekday without ranges is closed.
public struct Schedule: Sendable, Hashable {
    /// A time range within one local day, in minutes since midnight.
    public struct Range: Sendable, Hashable {
        /// Opening minute (0..<1440).
        public var start: Int
        /// Closing minute (1...1440); before `start` when the range crosses midnight.
        public var end: Int

        /// Creates a range.
        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        /// Whether the range runs past midnight into the next day.
        public var crossesMidnight: Bool { end <= start }
    }

    /// The weekday names of the wire, Monday first.
    public static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// The IANA time zone of the hours.
    public var timezone: String
    /// Ranges per weekday, 0 = Monday … 6 = Sunday.
    public var hours: [Int: [Range]]

    /// Creates a schedule.
    public init(timezone: String, hours: [Int: [Range]]) {
        self.timezone = timezone
        self.hours = hours.filter { !$0.value.isEmpty }
    }

    /// Whether the schedule is open at a local time.
    public func isOpen(at local: LocalTime) -> Bool {
        let day = local.date.weekday
        let minute = local.minuteOfDay
        let today = hours[day] ?? []
        if today.contains(where: { $0.crossesMidnight ? minute >= $0.start : ($0.start...($0.end - 1)).contains(minute) }) {
            return true
        }
        let yesterday = hours[(day + 6) % 7] ?? []
        return yesterday.contains { $0.crossesMidnight && minute < $0.end }
    }
}
