/// The local day, week (starting Monday) and month a moment falls in, in a campaign's cap zone.
public struct CapPeriods: Sendable, Hashable {
    /// The local day.
    public var day: CivilDate
    /// The Monday starting the local week.
    public var week: CivilDate
    /// The first day of the local month.
    public var month: CivilDate

    /// The periods of a local date.
    public init(date: CivilDate) {
        day = date
        week = date.startOfWeek
        month = CivilDate(year: date.year, month: date.month, day: 1)
    }

    /// Storage keys for the three periods: `d:YYYY-MM-DD`, `w:YYYY-MM-DD`, `m:YYYY-MM`.
    public var dayKey: String { "d:\(day)" }
    /// The week's storage key.
    public var weekKey: String { "w:\(week)" }
    /// The month's storage key.
    public var monthKey: String { "m:" + String(month.description.prefix(7)) }
}

/// What a campaign has used of its caps in the current periods (sold plus reserved).
public struct CapUsage: Sendable, Hashable {
    /// Leads today.
    public var dayLeads: Int
    /// Leads this week.
    public var weekLeads: Int
    /// Leads this month.
    public var monthLeads: Int
    /// Spend today.
    public var daySpend: Money
    /// Spend this month.
    public var monthSpend: Money

    /// Creates usage (zero by default).
    public init(dayLeads: Int = 0, weekLeads: Int = 0, monthLeads: Int = 0, daySpend: Money = .zero, monthSpend: Money = .zero) {
        self.dayLeads = dayLeads
        self.weekLeads = weekLeads
        self.monthLeads = monthLeads
        self.daySpend = daySpend
        self.monthSpend = monthSpend
    }

    /// Nothing used.
    public static let zero = CapUsage()

    /// Usage after one more lead at `price`.
    public func adding(price: Money) -> CapUsage {
        CapUsage(
            dayLeads: dayLeads + 1, weekLeads: weekLeads + 1, monthLeads: monthLeads + 1, daySpend: daySpend + price,
            monthSpend: monthSpend + price)
    }
}

extension Campaign.Caps {
    /// The periods a moment falls in, in the caps' time zone (DST-correct).
    public func periods(at time: Timestamp, converter: ZoneConverter = .shared) -> CapPeriods {
        CapPeriods(date: converter.localTime(epochSeconds: time.seconds, zone: timezone).date)
    }

    /// Whether usage has reached a cap, so the campaign cannot take another lead at any price.
    public func isExhausted(_ usage: CapUsage) -> Bool {
        reached(usage.dayLeads, dailyLeads) || reached(usage.weekLeads, weeklyLeads) || reached(usage.monthLeads, monthlyLeads)
            || reached(usage.daySpend.cents, dailySpend?.cents) || reached(usage.monthSpend.cents, monthlySpend?.cents)
    }

    /// Whether one more lead at `price` stays within every cap.
    public func admits(_ usage: CapUsage, price: Money) -> Bool {
        let after = usage.adding(price: price)
        return within(after.dayLeads, dailyLeads) && within(after.weekLeads, weeklyLeads)
            && within(after.monthLeads, monthlyLeads) && within(after.daySpend.cents, dailySpend?.cents)
            && within(after.monthSpend.cents, monthlySpend?.cents)
    }

    private func reached<T: Comparable>(_ used: T, _ cap: T?) -> Bool {
        cap.map { used >= $0 } ?? false
    }

    private func within<T: Comparable>(_ used: T, _ cap: T?) -> Bool {
        cap.map { used <= $0 } ?? true
    }
}

/// A request to hold a slot of a campaign's caps (and its buyer's credit) for one post, so that
/// concurrent leads can never together exceed a cap. Released if the post fails, kept (and
/// persisted) when it sells.
public struct CapHold: Sendable, Hashable {
    /// The campaign.
    public var campaignID: String
    /// Its buyer.
    public var buyerID: String
    /// The campaign's caps.
    public var caps: Campaign.Caps
    /// The periods the sale counts in.
    public var periods: CapPeriods
    /// The price the buyer would pay.
    public var price: Money
    /// The buyer's credit limit, if any.
    public var balanceLimit: Money?
    /// Whether the hold counts against caps (test leads do not).
    public var counts: Bool

    /// Creates a hold.
    public init(
        campaignID: String, buyerID: String, caps: Campaign.Caps, periods: CapPeriods, price: Money, balanceLimit: Money?,
        counts: Bool = true
    ) {
        self.campaignID = campaignID
        self.buyerID = buyerID
        self.caps = caps
        self.periods = periods
        self.price = price
        self.balanceLimit = balanceLimit
        self.counts = counts
    }
}

/// The answer to a ``CapHold`` request.
public enum CapHoldResult: Sendable, Hashable {
    /// The slot is held.
    case held
    /// A cap would be exceeded.
    case capReached
    /// The buyer's credit limit would be exceeded.
    case creditExceeded
}
