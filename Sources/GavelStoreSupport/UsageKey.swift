import GavelCore

/// One counter of the `usage` table: a subject (`campaign:<id>` or `buyer:<id>`) in a period
/// (`d:…`, `w:…`, `m:…` from ``CapPeriods``, or `balance` for a buyer's unpaid spend).
package struct UsageKey: Hashable, Sendable {
    package var subject: String
    package var period: String

    /// A counter of a subject in a period.
    package init(subject: String, period: String) {
        self.subject = subject
        self.period = period
    }

    /// A campaign's counter in a period.
    package static func campaign(_ id: String, _ period: String) -> UsageKey {
        UsageKey(subject: "campaign:" + id, period: period)
    }

    /// A buyer's unpaid balance.
    package static func balance(_ buyerID: String) -> UsageKey {
        UsageKey(subject: "buyer:" + buyerID, period: "balance")
    }

    /// A campaign's day, week and month counters.
    package static func periods(campaignID: String, _ periods: CapPeriods) -> [UsageKey] {
        [campaign(campaignID, periods.dayKey), campaign(campaignID, periods.weekKey), campaign(campaignID, periods.monthKey)]
    }

    /// Every counter a hold moves: the campaign's three periods and the buyer's balance.
    package static func all(for hold: CapHold) -> [UsageKey] {
        periods(campaignID: hold.campaignID, hold.periods) + [balance(hold.buyerID)]
    }
}

/// Leads and spend (in cents) counted under one ``UsageKey``.
package struct UsageCount: Hashable, Sendable {
    package var leads: Int
    package var spendCents: Int64

    /// A count of leads and spend.
    package init(leads: Int, spendCents: Int64) {
        self.leads = leads
        self.spendCents = spendCents
    }

    package static let zero = UsageCount(leads: 0, spendCents: 0)
}
