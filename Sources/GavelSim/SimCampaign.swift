import Foundation
import GavelCore

/// A buyer's campaign in the simulation: what it buys, what a lead is worth to it, how it
/// bids and how it behaves on the wire.
///
/// Its value for a lead is `base × rules` (multiply rules on the lead's fields, the segment's
/// mean), then for remote buyers × source quality^sensitivity × a lognormal factor of mean 1
/// drawn from a generator seeded by the campaign and the lead's non-personal content — so the
/// same lead always has the same value to the same buyer, whatever the order of pings.
public struct SimCampaign: Sendable {
    /// How the campaign is reached.
    public enum Mode: String, Sendable, Hashable {
        /// A loopback sandbox buyer pinged over HTTP.
        case remote
        /// Priced by the exchange from its rules.
        case hosted
        /// Never pinged; buys at a fixed price.
        case direct
    }

    /// The campaign's id.
    public var id: String
    /// Its buyer's id.
    public var buyerID: String
    /// Its buyer's name.
    public var buyerName: String
    /// The vertical it buys.
    public var vertical: String
    /// Remote, hosted or direct.
    public var mode: Mode
    /// The mean value of an average lead, in dollars.
    public var baseValue: Double
    /// Value rules on the wire (`{"when": …, "multiply": f}` only, so they scale with the base).
    public var valueRules: [JSONValue]
    /// Filters on the wire.
    public var filters: [JSONValue]
    /// How strongly source quality moves its value (remote buyers; 0 ignores sources).
    public var qualitySensitivity: Double
    /// The log-space deviation of its per-lead value around the segment mean (remote buyers).
    public var noise: Double
    /// The share of its value it bids in the first-price auction.
    public var shade: Double
    /// How long it takes to answer pings.
    public var latency: SimLatency
    /// The probability it rejects a post.
    public var rejectRate: Double
    /// The share of its purchases the buyer returns (for a refund) after the sale.
    public var returnRate: Double = 0
    /// The share of time it misbehaves (hangs, 500s, junk).
    public var faultRate: Double
    /// A direct campaign's fixed price, in dollars.
    public var directPrice: Double?
    /// Leads per day (New York days), if capped.
    public var dailyCap: Int?
    /// Whether it buys only Monday–Saturday 06:00–23:00 New York time.
    public var businessHours: Bool
    /// Sellers it refuses.
    public var denySellers: [String]
    /// The seed of its draws.
    public var seed: UInt64
    /// The value model as the exchange would price it (base and rules, unshaded).
    public let valuation: BidPolicy

    /// Creates a campaign.
    public init(
        id: String, buyerID: String, buyerName: String, vertical: String, mode: Mode, baseValue: Double,
        valueRules: [JSONValue] = [], filters: [JSONValue] = [], qualitySensitivity: Double = 1, noise: Double = 0.45,
        shade: Double = 0.85, latency: SimLatency = SimLatency(medianMS: 30), rejectRate: Double = 0, faultRate: Double = 0,
        directPrice: Double? = nil, dailyCap: Int? = nil, businessHours: Bool = false, denySellers: [String] = []
    ) {
        self.id = id
        self.buyerID = buyerID
        self.buyerName = buyerName
        self.vertical = vertical
        self.mode = mode
        self.baseValue = baseValue
        self.valueRules = valueRules
        self.filters = filters
        self.qualitySensitivity = qualitySensitivity
        self.noise = noise
        self.shade = shade
        self.latency = latency
        self.rejectRate = rejectRate
        self.faultRate = faultRate
        self.directPrice = directPrice
        self.dailyCap = dailyCap
        self.businessHours = businessHours
        self.denySellers = denySellers
        seed = StableHash.of("campaign:" + id)
        valuation = Self.policy(base: baseValue, rules: valueRules)
    }

    /// A bid policy from a base (dollars) and wire rules.
    static func policy(base: Double, rules: [JSONValue]) -> BidPolicy {
        let json: JSONValue = [
            "buyer_id": "b", "vertical": "v", "delivery": ["mode": "hosted"],
            "bid": ["base": dollars(base), "rules": .array(rules)],
        ]
        guard case .success(let campaign) = Campaign.parse(json, defaultID: "sim") else {
            preconditionFailure("invalid simulated value rules: \(JSONWriter.string(json))")
        }
        return campaign.bid
    }

    /// Dollars as an exact wire number of cents (half away from zero).
    static func dollars(_ value: Double) -> JSONValue {
        Money(cents: Int64((value * 100).rounded())).json
    }

    // MARK: Values

    /// The campaign's private value for a lead (its non-personal fields and source), in
    /// dollars; 0 when its rules price the lead at nothing.
    public func value(fields: [String: JSONValue], source: String, sourceQuality: Double) -> Double {
        guard let mean = valuation.price(for: fields) else { return 0 }
        var value = Double(mean.cents) / 100
        guard mode == .remote else { return value }
        value *= pow(sourceQuality, qualitySensitivity)
        var random = SimRandom(seeds: seed, Self.leadKey(fields: fields, source: source))
        value *= exp(noise * random.normal() - noise * noise / 2)
        return value
    }

    /// What the campaign bids for a lead of a given value under a pricing: the shaded value
    /// in the auction, the whole value in the tree (where it only says whether it takes the
    /// lead at its tier); `nil` below a cent.
    public func bid(value: Double, pricing: SimMarket.Pricing) -> Money? {
        let amount = pricing == .auction ? value * shade : value
        let cents = Int64((amount * 100).rounded(.down))
        return cents > 0 ? Money(cents: cents) : nil
    }

    /// Whether the campaign rejects a post of this lead: a deterministic draw per campaign and lead.
    public func rejects(fields: [String: JSONValue], source: String) -> Bool {
        guard rejectRate > 0 else { return false }
        var random = SimRandom(seeds: seed, Self.leadKey(fields: fields, source: source), 0x504F_5354)
        return random.chance(rejectRate)
    }

    /// Whether the buyer returns a lead it bought: a deterministic draw per campaign and lead.
    public func returns(fields: [String: JSONValue], source: String) -> Bool {
        guard returnRate > 0 else { return false }
        var random = SimRandom(seeds: seed, Self.leadKey(fields: fields, source: source), 0x5245_5455)
        return random.chance(returnRate)
    }

    /// A stable key for a lead's non-personal content: the same in the offline model and in a
    /// sandbox buyer reading the ping.
    public static func leadKey(fields: [String: JSONValue], source: String) -> UInt64 {
        StableHash.mix(StableHash.of(JSONWriter.bytes(.object(fields))), StableHash.of(source))
    }
}
