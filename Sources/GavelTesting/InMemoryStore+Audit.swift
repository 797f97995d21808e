import GavelCore

extension InMemoryStore {
    /// Checks the books as the database stores do: every entry sums to zero; every sale of a
    /// non-test lead has exactly its three entries (`LedgerEntry.forSale`) and, once returned,
    /// exactly their reversal (`LedgerEntry.reversing`); no sale or return entries exist for
    /// leads without such sales (test leads included); every entry has a known kind. Entries are
    /// compared per lead, campaign, account and kind (count and sum); one problem line per
    /// difference, naming the lead; lines are sorted. Then verifies the chain.
    public func audit() async throws -> AuditReport {
        try locked { state in
            let rows = Array(state.ledger.values.joined())
            let problems = LedgerAudit(state).mismatches(rows) + LedgerAudit.unknownKinds(rows)
            let total = rows.reduce(Int64(0)) { $0 + $1.cents }
            return AuditReport(entries: rows.count, total: Money(cents: total), problems: problems.sorted(), chain: state.verifyChain())
        }
    }

    /// Changes the earliest ledger entry of a lead behind the books' back — adds `cents` to its
    /// amount and, when given, renames its kind — so a test can prove that the audit notices.
    /// For tests only; returns `false` when the lead has no entries.
    @discardableResult
    public func tamperWithLedgerForTesting(leadID: String, addingCents cents: Int64 = 1, kind: String? = nil) -> Bool {
        state.withLock { state in
            guard state.ledger[leadID]?.isEmpty == false else { return false }
            state.ledger[leadID]?[0].cents += cents
            if let kind { state.ledger[leadID]?[0].kind = kind }
            return true
        }
    }
}

/// The audit's comparison: what the sales say the ledger must hold, against what it holds.
struct LedgerAudit {
    /// A group of entries: one lead, campaign, account and kind.
    struct Group: Hashable {
        var leadID: String
        var campaignID: String
        var account: String
        var kind: String
    }

    /// How many entries a group has and their sum.
    struct Tally: Equatable {
        var count = 0
        var cents: Int64 = 0

        mutating func add(_ cents: Int64) {
            count += 1
            self.cents += cents
        }
    }

    let state: InMemoryState

    init(_ state: InMemoryState) {
        self.state = state
    }

    /// A line for every group where the expected and the actual entries differ.
    func mismatches(_ rows: [LedgerRow]) -> [String] {
        let (expected, actual) = (self.expected(), Self.actual(rows))
        return Set(expected.keys).union(actual.keys).compactMap { group in
            let (wanted, found) = (expected[group], actual[group])
            guard wanted != found else { return nil }
            return "lead \(group.leadID): \(group.kind) entries of campaign \(group.campaignID) on \(group.account): "
                + "expected \(Self.describe(wanted)), found \(Self.describe(found))"
        }
    }

    /// A line for every entry of a kind the ledger does not know.
    static func unknownKinds(_ rows: [LedgerRow]) -> [String] {
        rows.filter { LedgerEntry.Kind(rawValue: $0.kind) == nil }.map { "lead \($0.leadID): an entry of unknown kind '\($0.kind)'" }
    }

    /// The entries every sale of a non-test lead implies: its sale entries and, once returned,
    /// their reversal.
    private func expected() -> [Group: Tally] {
        var tallies: [Group: Tally] = [:]
        for stored in state.leads.values where !stored.lead.test {
            for sale in stored.sales {
                let entries = LedgerEntry.forSale(sale.sale, leadID: stored.lead.id, sellerID: sale.sellerID, at: sale.at)
                let implied = entries + (sale.returnedAt.map { LedgerEntry.reversing(entries, at: $0) } ?? [])
                for entry in implied { tallies[Self.group(LedgerRow(entry)), default: Tally()].add(entry.amount.cents) }
            }
        }
        return tallies
    }

    /// The sale and return entries the ledger holds.
    private static func actual(_ rows: [LedgerRow]) -> [Group: Tally] {
        var tallies: [Group: Tally] = [:]
        for row in rows where row.kind == LedgerEntry.Kind.sale.rawValue || row.kind == LedgerEntry.Kind.return.rawValue {
            tallies[group(row), default: Tally()].add(row.cents)
        }
        return tallies
    }

    private static func group(_ row: LedgerRow) -> Group {
        Group(leadID: row.leadID, campaignID: row.campaignID, account: row.account, kind: row.kind)
    }

    private static func describe(_ tally: Tally?) -> String {
        guard let tally, tally.count > 0 else { return "none" }
        return "\(tally.count) totalling \(Money(cents: tally.cents))"
    }
}
