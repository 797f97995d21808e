/// Learns a revenue-maximizing floor per segment from the recent auctions of that segment — all
/// their bids, not only the winners' — and says which floor an auction should use. A value type
/// with no I/O and no clock: the exchange keeps it in a ``Locked`` and feeds it each auction.
///
/// The estimate (recomputed every ``recomputeEvery`` observations of a segment): over the
/// segment's window of observations, the expected payment of every candidate floor (the
/// static floor and each observed bid above it, up to the maximum) under the auction's own
/// clearing rule; the best candidate whose fill rate keeps at least `minFillRate` of the static
/// floor's, then pulled toward the static floor by `n / (n + minSamples)`, rounded down to the
/// cent. A segment with fewer than `minSamples / 5` observations stays at the static floor.
public struct FloorLearner: Sendable {
    /// A segment's history and its current estimate.
    struct SegmentBook: Sendable {
        var window: [FloorObservation] = []
        var next = 0
        var seen = 0
        var estimate: Money?
        var sinceEstimate = 0
    }

    /// How often a segment's estimate is recomputed, in observations.
    public static let recomputeEvery = 25

    private var books: [String: SegmentBook] = [:]

    /// An empty learner.
    public init() {}

    /// Leads seen per segment (in the window).
    public func samples(_ segment: String) -> Int {
        books[segment]?.window.count ?? 0
    }

    /// Records what an auction of a segment showed.
    public mutating func observe(_ observation: FloorObservation, segment: String, settings: FloorLearning) {
        var book = books[segment] ?? SegmentBook()
        if book.window.count < settings.window {
            book.window.append(observation)
        } else {
            book.window[book.next % settings.window] = observation
        }
        book.next += 1
        book.seen += 1
        book.sinceEstimate += 1
        books[segment] = book
    }

    /// The floor for an auction of a segment: the static floor when learning is off, while the
    /// segment warms up, or in the exploration share (`draw` is uniform in 0..<1,000,000);
    /// otherwise the segment's learned floor, never under the static one.
    public mutating func decide(
        segment: String, staticFloor: Money, learning: FloorLearning, kind: Settings.AuctionKind, draw: Int64
    ) -> FloorDecision {
        let samples = samples(segment)
        guard samples >= max(1, learning.minSamples / 5) else {
            return FloorDecision(floor: staticFloor, staticFloor: staticFloor, source: .warmingUp, segment: segment, samples: samples)
        }
        if draw < learning.exploration.micros {
            return FloorDecision(floor: staticFloor, staticFloor: staticFloor, source: .exploration, segment: segment, samples: samples)
        }
        let learned = estimate(segment: segment, staticFloor: staticFloor, learning: learning, kind: kind)
        return FloorDecision(floor: learned, staticFloor: staticFloor, source: .learned, segment: segment, samples: samples)
    }

    /// The segment's learned floor, recomputed when stale.
    mutating func estimate(segment: String, staticFloor: Money, learning: FloorLearning, kind: Settings.AuctionKind) -> Money {
        var book = books[segment] ?? SegmentBook()
        if book.estimate == nil || book.sinceEstimate >= Self.recomputeEvery {
            book.estimate = Self.estimate(book.window, staticFloor: staticFloor, learning: learning, kind: kind)
            book.sinceEstimate = 0
            books[segment] = book
        }
        return max(staticFloor, book.estimate ?? staticFloor)
    }

    /// The learned floor of a window of observations (see the type's description).
    public static func estimate(
        _ window: [FloorObservation], staticFloor: Money, learning: FloorLearning, kind: Settings.AuctionKind
    ) -> Money {
        guard !window.isEmpty else { return staticFloor }
        let baseFill = window.filter { $0.top >= staticFloor && $0.top.cents > 0 }.count
        let needed = (Int64(baseFill) * learning.minFillRate.micros + 999_999) / 1_000_000
        var best = (floor: staticFloor, revenue: revenue(window, floor: staticFloor, kind: kind))
        for floor in candidates(window, staticFloor: staticFloor, maximum: learning.maxFloor) {
            let filled = window.filter { $0.top >= floor }.count
            guard Int64(filled) >= needed else { continue }
            let earned = revenue(window, floor: floor, kind: kind)
            if earned > best.revenue || (earned == best.revenue && floor < best.floor) { best = (floor, earned) }
        }
        return shrink(best.floor, toward: staticFloor, samples: window.count, weight: learning.minSamples)
    }

    /// The candidate floors: every distinct observed bid above the static floor, up to the maximum.
    static func candidates(_ window: [FloorObservation], staticFloor: Money, maximum: Money?) -> [Money] {
        let bids = Set(window.flatMap { [$0.top, $0.second] })
        return bids.filter { bid in bid > staticFloor && (maximum.map { bid <= $0 } ?? true) }.sorted()
    }

    /// What the buyers would pay over the window with a floor.
    static func revenue(_ window: [FloorObservation], floor: Money, kind: Settings.AuctionKind) -> Int64 {
        window.reduce(0) { $0 + $1.payment(floor: floor, kind: kind).cents }
    }

    /// `floor` pulled toward `base` by the weight of the evidence: `base + (floor − base) · n / (n + k)`.
    static func shrink(_ floor: Money, toward base: Money, samples: Int, weight: Int) -> Money {
        guard floor > base else { return base }
        let lift = (floor.cents - base.cents) * Int64(samples) / Int64(samples + max(0, weight))
        return Money(cents: base.cents + lift)
    }
}
