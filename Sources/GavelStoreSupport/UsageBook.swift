import GavelCore

/// The cap and credit book: persisted usage plus outstanding holds, per counter. A value type
/// with no I/O; the store guards it with a lock and seeds counters from the database the first
/// time each is touched.
///
/// It also counts the outstanding holds themselves (by campaign, buyer, periods and price), so
/// that releasing a hold that is not outstanding — never taken, already released or sold —
/// changes nothing, and a release can safely be repeated after a failure.
package struct UsageBook: Sendable {
    private(set) var counts: [UsageKey: UsageCount] = [:]
    private var outstanding: [HoldKey: Int] = [:]

    /// What makes holds interchangeable: the counters they take from and the price.
    private struct HoldKey: Hashable, Sendable {
        var campaignID: String
        var buyerID: String
        var periods: CapPeriods
        var cents: Int64

        init(_ hold: CapHold) {
            campaignID = hold.campaignID
            buyerID = hold.buyerID
            periods = hold.periods
            cents = hold.price.cents
        }
    }

    /// An empty book.
    package init() {}

    /// The keys not yet seeded from the database.
    package func missing(_ keys: [UsageKey]) -> [UsageKey] {
        keys.filter { counts[$0] == nil }
    }

    /// Seeds counters from what the database holds (absent rows are zero). A counter already
    /// in the book is never overwritten: the book is ahead of the database.
    package mutating func seed(_ keys: [UsageKey], persisted: [UsageKey: UsageCount]) {
        for key in keys where counts[key] == nil {
            counts[key] = persisted[key] ?? .zero
        }
    }

    /// A campaign's usage in its current periods.
    package func usage(campaignID: String, periods: CapPeriods) -> CapUsage {
        let keys = UsageKey.periods(campaignID: campaignID, periods)
        let (day, week, month) = (count(keys[0]), count(keys[1]), count(keys[2]))
        return CapUsage(
            dayLeads: day.leads, weekLeads: week.leads, monthLeads: month.leads, daySpend: Money(cents: day.spendCents),
            monthSpend: Money(cents: month.spendCents))
    }

    /// A buyer's unpaid spend.
    package func balance(buyerID: String) -> Money {
        Money(cents: count(.balance(buyerID)).spendCents)
    }

    /// Takes a slot when every cap and the credit limit admit one more lead at the price.
    package mutating func hold(_ hold: CapHold) -> CapHoldResult {
        guard hold.counts else { return .held }
        guard hold.caps.admits(usage(campaignID: hold.campaignID, periods: hold.periods), price: hold.price) else {
            return .capReached
        }
        if let limit = hold.balanceLimit, balance(buyerID: hold.buyerID) + hold.price > limit {
            return .creditExceeded
        }
        add(hold, leads: 1, cents: hold.price.cents)
        outstanding[HoldKey(hold), default: 0] += 1
        return .held
    }

    /// Settles a sale against its hold: the hold is no longer outstanding (the sale keeps its
    /// slot), and when the sale was charged another price than the hold reserved the spend
    /// moves by the difference.
    package mutating func settle(_ hold: CapHold, price: Money) {
        guard hold.counts else { return }
        _ = takeOutstanding(hold)
        guard price != hold.price else { return }
        add(hold, leads: 0, cents: price.cents - hold.price.cents)
    }

    /// Gives a slot back, if a matching hold is outstanding.
    package mutating func release(_ hold: CapHold) {
        guard hold.counts, takeOutstanding(hold) else { return }
        add(hold, leads: -1, cents: -hold.price.cents)
    }

    /// Forgets one outstanding hold matching `hold`; `false` when there is none.
    private mutating func takeOutstanding(_ hold: CapHold) -> Bool {
        let key = HoldKey(hold)
        guard let count = outstanding[key], count > 0 else { return false }
        outstanding[key] = count == 1 ? nil : count - 1
        return true
    }

    /// Moves a buyer's unpaid balance (a return or a payment reduces it) when the book holds
    /// it; like the persisted balance it never goes below zero (paying ahead buys no credit).
    package mutating func adjustBalance(buyerID: String, by amount: Money) {
        let key = UsageKey.balance(buyerID)
        guard var value = counts[key] else { return }
        value.spendCents = max(0, value.spendCents + amount.cents)
        counts[key] = value
    }

    /// Adds persisted increments (a bulk import) to the counters the book holds; the others
    /// will be read from the database when first needed.
    package mutating func addPersisted(_ increments: [UsageKey: UsageCount]) {
        for (key, increment) in increments {
            guard var value = counts[key] else { continue }
            value.leads += increment.leads
            value.spendCents += increment.spendCents
            counts[key] = value
        }
    }

    private func count(_ key: UsageKey) -> UsageCount {
        counts[key] ?? .zero
    }

    private mutating func add(_ hold: CapHold, leads: Int, cents: Int64) {
        for key in UsageKey.all(for: hold) {
            var value = count(key)
            value.leads = max(0, value.leads + leads)
            value.spendCents = max(0, value.spendCents + cents)
            counts[key] = value
        }
    }
}
