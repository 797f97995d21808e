/// Why a lead's auction ran as it did: the floor it used and why, and how the bids were ordered
/// (with each campaign's quality factor under quality ranking). Stored with the lead's outcome
/// so its timeline explains the floor and the order long after the estimates have moved on.
public struct AuctionNote: Sendable, Hashable {
    /// The floor and where it came from.
    public var floor: FloorDecision
    /// How the bids were ordered.
    public var ranking: RankingMode
    /// Under quality ranking, each bidding campaign's factor (see ``QualityEstimate/factor``).
    public var factors: [String: Rate]
    /// Under quality ranking, the rejection cost the factors used (`nil` in notes stored before
    /// it existed, which ranked with a cost of 1).
    public var rejectionCost: Rate?

    /// Creates a note.
    public init(floor: FloorDecision, ranking: RankingMode = .price, factors: [String: Rate] = [:], rejectionCost: Rate? = nil) {
        self.floor = floor
        self.ranking = ranking
        self.factors = factors
        self.rejectionCost = rejectionCost
    }

    /// A sentence for people about the order of the bids.
    public var rankingExplanation: String {
        switch ranking {
        case .price: "bids ranked by price"
        case .quality:
            "bids ranked by expected realized value, bid × (1 − P(returned)) × P(accepted) ÷ (P(accepted) + \((rejectionCost ?? .one).description) × P(rejected)), over \(factors.count) campaigns"
        }
    }

    /// The stored and wire form.
    public var json: JSONValue {
        .object([
            "floor": floor.floor.json, "static_floor": floor.staticFloor.json, "floor_source": .string(floor.source.rawValue),
            "segment": .string(floor.segment), "samples": .number(Number(floor.samples)), "ranking": .string(ranking.rawValue),
            "factors": .object(factors.mapValues(\.json)), "rejection_cost": rejectionCost?.json ?? .null,
        ])
    }

    /// Reads the stored form; `nil` when it is not one.
    public init?(json: JSONValue) {
        guard let floor = json["floor"]?.numberValue.flatMap(Money.init),
            let staticFloor = json["static_floor"]?.numberValue.flatMap(Money.init),
            let source = json["floor_source"]?.stringValue.flatMap(FloorDecision.Source.init(rawValue:)),
            let ranking = json["ranking"]?.stringValue.flatMap(RankingMode.init(rawValue:))
        else { return nil }
        let samples = json["samples"]?.numberValue?.integerValue ?? 0
        self.floor = FloorDecision(
            floor: floor, staticFloor: staticFloor, source: source, segment: json["segment"]?.stringValue ?? "", samples: Int(samples))
        self.ranking = ranking
        factors = (json["factors"]?.objectValue ?? [:]).compactMapValues { $0.numberValue.flatMap(Rate.init) }
        rejectionCost = json["rejection_cost"]?.numberValue.flatMap(Rate.init)
    }

    /// The stored text (compact JSON).
    public var text: String { JSONWriter.string(json) }

    /// Reads stored text; `nil` when empty or unreadable.
    public init?(text: String) {
        guard !text.isEmpty, let value = try? JSONParser.parse(Array(text.utf8), limits: .trusted) else { return nil }
        self.init(json: value)
    }
}
