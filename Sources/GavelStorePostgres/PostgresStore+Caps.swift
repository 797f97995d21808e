import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// Current cap usage of campaigns (sold plus outstanding holds, on every node) in the given
    /// periods, read from the `usage` table.
    public func capUsage(_ periods: [String: CapPeriods]) async throws -> [String: CapUsage] {
        let keys = periods.flatMap { UsageKey.periods(campaignID: $0.key, $0.value) }
        let counts = try await usageCounts(keys)
        return periods.reduce(into: [:]) { result, entry in
            let (day, week, month) = (
                counts[.campaign(entry.key, entry.value.dayKey)] ?? .zero, counts[.campaign(entry.key, entry.value.weekKey)] ?? .zero,
                counts[.campaign(entry.key, entry.value.monthKey)] ?? .zero
            )
            result[entry.key] = CapUsage(
                dayLeads: day.leads, weekLeads: week.leads, monthLeads: month.leads, daySpend: Money(cents: day.spendCents),
                monthSpend: Money(cents: month.spendCents))
        }
    }

    /// Unpaid spend per buyer (sold plus outstanding holds, net of returns and payments).
    public func balances(buyerIDs: [String]) async throws -> [String: Money] {
        let counts = try await usageCounts(buyerIDs.map(UsageKey.balance))
        return Dictionary(
            buyerIDs.map { ($0, Money(cents: counts[.balance($0)]?.spendCents ?? 0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Atomically holds a cap slot and buyer credit for a post, in one statement
    /// (`gavel_hold`): the campaign's period rows and the buyer's balance row are locked in a
    /// fixed order and every cap and the credit limit checked under those locks, so concurrent
    /// holds on any number of nodes can never together exceed a cap. Test holds count nothing.
    public func hold(_ hold: CapHold) async throws -> CapHoldResult {
        guard hold.counts else { return .held }
        return try await holdStatement(hold, markingPostingOf: nil).result
    }

    /// Holds (as ``hold(_:)``) and, when held, inserts the lead's posting marker, in one
    /// statement: one round trip where the two writes took two.
    public func hold(_ hold: CapHold, markingPostingOf leadID: String) async throws -> CapHoldResult {
        guard hold.counts else {
            try await markPosting(leadID: leadID, campaignID: hold.campaignID)
            return .held
        }
        let (result, leadExists) = try await holdStatement(hold, markingPostingOf: leadID)
        if result == .held, !leadExists { throw StorageError.notFound(leadID) }
        return result
    }

    /// `gavel_hold`, and with a lead the insert of its posting marker when held; whether the
    /// lead exists.
    private func holdStatement(_ hold: CapHold, markingPostingOf leadID: String?) async throws -> (result: CapHoldResult, leadExists: Bool)
    {
        let rows = try await rows(Hold.prepared((hold, leadID, nodeID, clock.now())))
        let (answer, exists) = try rows.first?.decode((String, Bool).self) ?? ("", false)
        switch answer {
        case "held": return (.held, exists)
        case "cap_reached": return (.capReached, exists)
        case "credit_exceeded": return (.creditExceeded, exists)
        default: throw StorageError.unavailable("gavel_hold gave an unknown answer")
        }
    }

    /// `gavel_hold` with the insert of the lead's posting marker (none without a lead: a `NULL`
    /// id).
    enum Hold: FixedStatement {
        static let name = "gavel_hold"
        static let sql = template((placeholder, nil, "", Timestamp(milliseconds: 0)))

        /// A hold to build the statement's text with.
        static let placeholder = CapHold(
            campaignID: "", buyerID: "", caps: Campaign.Caps(), periods: CapPeriods(date: CivilDate(year: 2000, month: 1, day: 1)),
            price: .zero, balanceLimit: nil)

        static func query(_ arguments: (CapHold, markingPostingOf: String?, nodeID: String, at: Timestamp)) -> PostgresQuery {
            let (hold, leadID, nodeID) = (arguments.0, arguments.markingPostingOf, arguments.nodeID)
            let (caps, periods, at) = (hold.caps, hold.periods, arguments.at.milliseconds)
            return """
                WITH h AS (
                    SELECT gavel_hold(\(nodeID), \(hold.campaignID), \(hold.buyerID), \(periods.dayKey), \(periods.weekKey),
                        \(periods.monthKey), \(hold.price.cents), \(caps.dailyLeads.map(Int64.init)), \(caps.weeklyLeads.map(Int64.init)),
                        \(caps.monthlyLeads.map(Int64.init)), \(caps.dailySpend?.cents), \(caps.monthlySpend?.cents),
                        \(hold.balanceLimit?.cents)) AS answer
                ), marked AS (
                    INSERT INTO postings (lead_id, campaign_id, at)
                    SELECT l.id, \(hold.campaignID), \(at) FROM leads l, h WHERE l.id = \(leadID) AND h.answer = 'held'
                    ON CONFLICT DO NOTHING RETURNING 1
                )
                SELECT h.answer, EXISTS (SELECT 1 FROM leads WHERE id = \(leadID)) FROM h
                """
        }
    }

    /// Gives back a hold whose post did not sell: forgets one matching hold of this node and
    /// gives back its lead and price; without a matching hold nothing changes (`gavel_release`).
    public func release(_ hold: CapHold) async throws {
        guard hold.counts else { return }
        _ = try await rows(Release.prepared((hold, nodeID)))
    }

    /// `gavel_release`.
    enum Release: FixedStatement {
        static let name = "gavel_release"
        static let sql = template((Hold.placeholder, ""))

        static func query(_ arguments: (CapHold, nodeID: String)) -> PostgresQuery {
            let (hold, periods) = (arguments.0, arguments.0.periods)
            return """
                SELECT gavel_release(\(arguments.nodeID), \(hold.campaignID), \(hold.buyerID), \(periods.dayKey), \(periods.weekKey),
                    \(periods.monthKey), \(hold.price.cents))
                """
        }
    }

    /// The persisted counters of some usage keys (absent rows are missing from the result).
    private func usageCounts(_ keys: [UsageKey]) async throws -> [UsageKey: UsageCount] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await rows(UsageCounts.prepared(keys))
        var result: [UsageKey: UsageCount] = [:]
        for row in rows {
            let (subject, period, leads, cents) = try row.decode((String, String, Int64, Int64).self)
            result[UsageKey(subject: subject, period: period)] = UsageCount(leads: Int(leads), spendCents: cents)
        }
        return result
    }

    /// The `usage` rows of some keys.
    enum UsageCounts: FixedStatement {
        static let name = "gavel_usage_counts"
        static let sql = template([])

        static func query(_ keys: [UsageKey]) -> PostgresQuery {
            """
            SELECT u.subject, u.period, u.leads, u.spend_cents
            FROM usage u JOIN unnest(\(keys.map { $0.subject }), \(keys.map { $0.period })) AS k (subject, period)
                ON u.subject = k.subject AND u.period = k.period
            """
        }
    }
}

extension PostgresStore {
    /// The ledger entries of a lead, in the order they were written.
    public func ledgerEntries(leadID: String) async throws -> [LedgerEntry] {
        let rows = try await rows(
            "SELECT lead_id, campaign_id, account, amount_cents, kind, at FROM ledger WHERE lead_id = \(leadID) ORDER BY id")
        return try rows.map(Self.ledgerEntry)
    }

    /// The balance of every ledger account (the sum of its entries), e.g. `buyer:acme`.
    public func ledgerBalances() async throws -> [String: Money] {
        let rows = try await rows("SELECT account, sum(amount_cents)::BIGINT FROM ledger GROUP BY account")
        return Dictionary(
            uniqueKeysWithValues: try rows.map { row in
                let (account, cents) = try row.decode((String, Int64).self)
                return (account, Money(cents: cents))
            })
    }

    static func ledgerEntry(_ row: PostgresRow) throws -> LedgerEntry {
        let (leadID, campaignID, account, cents, kindName, at) = try row.decode((String, String, String, Int64, String, Int64).self)
        guard let kind = LedgerEntry.Kind(rawValue: kindName) else {
            throw StorageError.unavailable("stored ledger entry has an unknown kind")
        }
        return LedgerEntry(
            leadID: leadID, campaignID: campaignID, account: account, amount: Money(cents: cents), kind: kind,
            at: Timestamp(milliseconds: at))
    }
}
