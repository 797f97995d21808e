/// The exchange's market intelligence as it runs: the floor learner and the quality book,
/// each a value type behind one lock, fed by every auction, post and return of this process.
/// Each node learns from the leads it sells (on several nodes each segment's estimate rests on
/// that node's share of the traffic); quality counts are seeded from the store's reports at
/// start, floors re-learn from live traffic (static floors meanwhile).
public final class MarketIntelligence: Sendable {
    private let floors = Locked(FloorLearner())
    private let quality = Locked(QualityBook())

    /// An empty one.
    public init() {}

    /// The floor for an auction (the static floor when learning is off for the vertical).
    public func floor(
        vertical: String, segment: String, staticFloor: Money, settings: Settings, draw: @Sendable () -> Int64
    ) -> FloorDecision {
        let learning = settings.floorLearning
        guard learning.isOn(for: vertical) else { return .fixed(staticFloor) }
        let drawn = draw()
        return floors.withLock {
            $0.decide(segment: segment, staticFloor: staticFloor, learning: learning, kind: settings.auction, draw: drawn)
        }
    }

    /// Records an auction's bids in its segment.
    public func observe(_ observation: FloorObservation, segment: String, learning: FloorLearning) {
        floors.withLock { $0.observe(observation, segment: segment, settings: learning) }
    }

    /// Records a post's outcome.
    public func recordPost(campaignID: String, outcome: PostAnswer.Outcome) {
        quality.withLock { $0.recordPost(campaignID: campaignID, outcome: outcome) }
    }

    /// Records an approved return.
    public func recordReturn(campaignID: String) {
        quality.withLock { $0.recordReturn(campaignID: campaignID) }
    }

    /// Seeds campaigns' counts (from reports, at start).
    public func seedQuality(_ counts: [String: QualityCounts]) {
        quality.withLock { book in
            for (campaign, seeded) in counts { book.seed(campaignID: campaign, seeded) }
        }
    }

    /// The estimates of some campaigns, ranked with a rejection cost (see ``QualityEstimate``).
    public func estimates(_ campaignIDs: [String], rejectionCost: Rate = .one) -> [String: QualityEstimate] {
        quality.withLock { book in
            Dictionary(uniqueKeysWithValues: campaignIDs.map { ($0, book.estimate($0, rejectionCost: rejectionCost)) })
        }
    }

    /// A campaign's counts so far.
    public func qualityCounts(_ campaignID: String) -> QualityCounts {
        quality.withLock { $0.counts(campaignID) }
    }
}
