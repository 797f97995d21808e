/// Bid guidance for a buyer: per campaign and segment (vertical × source), its win rate, the
/// quartiles of the clearing prices of the leads it bid on, the bid that would have won half
/// and three quarters of them, and its own accept and return rates.
///
/// Only aggregates leave: a segment with fewer than ``minimumLeads`` leads is left out (and
/// only counted), the price figures need as many sold leads, and nothing names another buyer or
/// shows one auction's bid.
public struct BidGuidance: Sendable, Hashable {
    /// The fewest leads (and sold leads, for prices) a figure may rest on.
    public static let minimumLeads = 10

    /// One campaign in one segment.
    public struct Row: Sendable, Hashable {
        /// The campaign, vertical and source.
        public var campaignID: String, vertical: String, source: String
        /// Leads it bid on, and how many it bought.
        public var leads: Int, won: Int
        /// won ÷ leads.
        public var winRate: Rate
        /// The clearing prices' quartiles (25th, 50th, 75th percentile) of the sold leads it bid
        /// on; `nil` below ``minimumLeads`` sold leads.
        public var clearing: [Money]?
        /// Accepted ÷ answered posts, returned ÷ sales; `nil` with none.
        public var acceptRate: Rate?, returnRate: Rate?

        /// The bid that would have won `share` of the sold leads it bid on: one cent above that
        /// percentile of their clearing prices.
        public var bidToWinHalf: Money? { clearing.map { $0[1] + Money(cents: 1) } }
        /// The same for three quarters.
        public var bidToWinThreeQuarters: Money? { clearing.map { $0[2] + Money(cents: 1) } }
    }

    /// The segments shown.
    public var rows: [Row]
    /// Segments left out for having fewer than ``minimumLeads`` leads.
    public var hiddenSegments: Int

    /// Guidance from a buyer's facts.
    public init(_ facts: [BidFacts]) {
        let shown = facts.filter { $0.leads >= Self.minimumLeads }
        rows = shown.map(Self.row)
        hiddenSegments = facts.count - shown.count
    }

    private static func row(_ facts: BidFacts) -> Row {
        let sold = facts.clearing.values.reduce(0, +)
        let clearing = sold >= minimumLeads ? [25, 50, 75].map { percentile(facts.clearing, $0) } : nil
        return Row(
            campaignID: facts.campaignID, vertical: facts.vertical, source: facts.source, leads: facts.leads, won: facts.won,
            winRate: Rate.ratio(facts.won, facts.leads) ?? .zero, clearing: clearing,
            acceptRate: Rate.ratio(facts.accepted, facts.accepted + facts.rejected), returnRate: Rate.ratio(facts.returned, facts.sold))
    }

    /// The nearest-rank percentile of prices counted per cent value.
    static func percentile(_ counts: [Int64: Int], _ percent: Int) -> Money {
        let total = counts.values.reduce(0, +)
        let rank = max(1, (total * percent + 99) / 100)
        var seen = 0
        for (cents, count) in counts.sorted(by: { $0.key < $1.key }) {
            seen += count
            if seen >= rank { return Money(cents: cents) }
        }
        return Money(cents: counts.keys.max() ?? 0)
    }

    /// The wire form.
    public var json: JSONValue {
        .object([
            "minimum_leads": .number(Number(Self.minimumLeads)), "hidden_segments": .number(Number(hiddenSegments)),
            "segments": .array(rows.map(\.json)),
        ])
    }
}

extension BidGuidance.Row {
    /// The wire form of a row.
    public var json: JSONValue {
        .object([
            "campaign_id": .string(campaignID), "vertical": .string(vertical), "source": .string(source),
            "leads": .number(Number(leads)), "won": .number(Number(won)), "win_rate": winRate.json,
            "clearing_price": clearing.map { .object(["p25": $0[0].json, "p50": $0[1].json, "p75": $0[2].json]) } ?? .null,
            "bid_to_win_half": bidToWinHalf?.json ?? .null, "bid_to_win_three_quarters": bidToWinThreeQuarters?.json ?? .null,
            "accept_rate": acceptRate?.json ?? .null, "return_rate": returnRate?.json ?? .null,
        ])
    }
}

extension Rate {
    /// `part ÷ whole` in millionths, rounded down; `nil` when `whole` is zero.
    public static func ratio(_ part: Int, _ whole: Int) -> Rate? {
        guard whole > 0 else { return nil }
        return Rate(micros: Int64(part) * 1_000_000 / Int64(whole))
    }
}
