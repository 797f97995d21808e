/// How learned floors work: which settings turn them on, how segments are cut, and the guard
/// rails. Part of ``Settings``; see docs/INTELLIGENCE.md for the method.
public struct FloorLearning: Sendable, Hashable {
    /// On or off.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Static floors only.
        case off
        /// Learned floors above the static ones.
        case on
    }

    /// A dimension a segment is cut by.
    public enum Dimension: String, Sendable, Hashable, CaseIterable {
        /// The lead's vertical.
        case vertical
        /// The lead's `state` field.
        case state
        /// The seller's traffic source.
        case source
        /// The seller.
        case seller
    }

    /// The global switch (`floor_learning`).
    public var mode: Mode
    /// Per-vertical overrides of the switch.
    public var verticals: [String: Mode]
    /// What a segment is cut by (default vertical × state × source).
    public var segment: [Dimension]
    /// The share of leads priced at the static floor, to keep measuring what it fills.
    public var exploration: Rate
    /// The learned floor may cost at most this much fill: it keeps at least this share of the
    /// leads the static floor would fill.
    public var minFillRate: Rate
    /// The highest floor learning may set, if any.
    public var maxFloor: Money?
    /// How many recent leads per segment the estimate looks at.
    public var window: Int
    /// How many leads a segment needs before its estimate counts fully; fewer pull it toward the
    /// static floor (smoothing).
    public var minSamples: Int

    /// Creates the defaults: off, vertical × state × source, 5 % exploration, 90 % fill, no
    /// maximum, 500 leads per segment, 50 leads for full weight.
    public init(
        mode: Mode = .off, verticals: [String: Mode] = [:], segment: [Dimension] = [.vertical, .state, .source],
        exploration: Rate = Rate(micros: 50_000), minFillRate: Rate = Rate(micros: 900_000), maxFloor: Money? = nil, window: Int = 500,
        minSamples: Int = 50
    ) {
        self.mode = mode
        self.verticals = verticals
        self.segment = segment
        self.exploration = exploration
        self.minFillRate = minFillRate
        self.maxFloor = maxFloor
        self.window = window
        self.minSamples = minSamples
    }

    /// Whether floors are learned for a vertical.
    public func isOn(for vertical: String) -> Bool {
        (verticals[vertical] ?? mode) == .on
    }

    /// The segment a lead falls in.
    public func segment(vertical: String, fields: [String: JSONValue], source: String, seller: String) -> String {
        segment.map { dimension in
            switch dimension {
            case .vertical: vertical
            case .state: fields["state"]?.plainText ?? "-"
            case .source: source.isEmpty ? "-" : source
            case .seller: seller
            }
        }.joined(separator: "|")
    }
}

/// What one auction showed about its segment: its best two bids as they stood in the auction
/// (after seller adjustments), whatever the floor was.
public struct FloorObservation: Sendable, Hashable {
    /// The best bid, zero when none.
    public var top: Money
    /// The second best bid, zero when none.
    public var second: Money

    /// Creates an observation.
    public init(top: Money, second: Money) {
        self.top = top
        self.second = second
    }

    /// The observation of a set of bid amounts.
    public init(bids: [Money]) {
        let sorted = bids.filter { $0.cents > 0 }.sorted(by: >)
        self.init(top: sorted.first ?? .zero, second: sorted.dropFirst().first ?? .zero)
    }

    /// What the buyer would pay with `floor` as the reserve, under a clearing rule (the
    /// auction's own rule, ``Auction/clearingPrices(_:floor:kind:)``): nothing when the best bid
    /// is under the floor.
    public func payment(floor: Money, kind: Settings.AuctionKind) -> Money {
        guard top >= floor, top.cents > 0 else { return .zero }
        guard kind == .secondPrice else { return top }
        let next = second >= floor ? second : floor
        return min(top, next + Money(cents: 1))
    }
}

/// Why an auction ran with the floor it ran with; the lead's timeline shows it.
public struct FloorDecision: Sendable, Hashable {
    /// Where the floor came from.
    public enum Source: String, Sendable, Hashable {
        /// Learning is off for this vertical: the static floor.
        case `static`
        /// The learned floor of the segment.
        case learned
        /// Learning is on, but this lead was kept at the static floor to keep measuring.
        case exploration
        /// Learning is on, but the segment has too little history yet: the static floor.
        case warmingUp = "warming_up"
    }

    /// The floor the auction used.
    public var floor: Money
    /// The static floor (the lower bound).
    public var staticFloor: Money
    /// Where it came from.
    public var source: Source
    /// The segment the lead fell in (empty when learning is off).
    public var segment: String
    /// Leads of the segment the estimate rests on.
    public var samples: Int

    /// Creates a decision.
    public init(floor: Money, staticFloor: Money, source: Source, segment: String = "", samples: Int = 0) {
        self.floor = floor
        self.staticFloor = staticFloor
        self.source = source
        self.segment = segment
        self.samples = samples
    }

    /// The static floor, learning off.
    public static func fixed(_ floor: Money) -> FloorDecision {
        FloorDecision(floor: floor, staticFloor: floor, source: .static)
    }

    /// A sentence for people.
    public var explanation: String {
        switch source {
        case .static: "static floor \(floor.plainText) (floor learning is off)"
        case .warmingUp: "static floor \(floor.plainText): segment \(segment) has \(samples) leads, too few to learn from"
        case .exploration: "static floor \(floor.plainText): this lead is in the exploration share of segment \(segment)"
        case .learned: "learned floor \(floor.plainText) for segment \(segment) from \(samples) leads (static \(staticFloor.plainText))"
        }
    }
}

extension Money {
    /// Dollars with two decimals and a dollar sign, e.g. `$12.50`.
    var plainText: String { "$\(self)" }
}
