import Foundation
import GavelCore

/// A simulated lead market: sellers with traffic sources of different quality, and buyers'
/// campaigns with private values per segment (vertical × state × lead profile × source
/// quality), response latencies, post rejections and occasional faults. Everything is derived
/// from a seed, so a market, its lead stream and every buyer's value for every lead repeat.
///
/// The same market can be installed for the parallel auction (each buyer bids its value,
/// shaded) or as a fixed-price ping tree (``Pricing/tree``: each campaign a tier price, tried in
/// tier order), so their revenue can be compared on one lead stream.
public struct SimMarket: Sendable {
    /// How the market's campaigns are priced.
    public enum Pricing: String, Sendable, Hashable, CaseIterable {
        /// The parallel auction (`first_price`): remote buyers bid their shaded value, hosted
        /// campaigns' rules price their shaded value.
        case auction
        /// The fixed-price ping tree (`waterfall`): each campaign has a tier `price` (its average
        /// value) and a priority by tier; it buys at its tier when its value reaches it.
        case tree
    }

    /// The seed everything is derived from.
    public var seed: UInt64
    /// The sellers.
    public var sellers: [SimSeller]
    /// The campaigns, in a fixed order.
    public var campaigns: [SimCampaign]
    /// The longest the exchange waits for a buyer (`default_tmax_ms`).
    public var tmaxMS: Int

    /// Creates a market.
    public init(seed: UInt64, sellers: [SimSeller], campaigns: [SimCampaign], tmaxMS: Int = 250) {
        self.seed = seed
        self.sellers = sellers
        self.campaigns = campaigns
        self.tmaxMS = tmaxMS
    }

    /// The verticals the market trades, in order of first use.
    public var verticalIDs: [String] {
        var seen: [String] = []
        for campaign in campaigns where !seen.contains(campaign.vertical) { seen.append(campaign.vertical) }
        return seen
    }

    /// The buyers (id and name), in order of first use.
    public var buyers: [(id: String, name: String)] {
        var seen: [(id: String, name: String)] = []
        for campaign in campaigns where !seen.contains(where: { $0.id == campaign.buyerID }) {
            seen.append((campaign.buyerID, campaign.buyerName))
        }
        return seen
    }

    /// The quality of a traffic source (1 when unknown).
    public func quality(ofSource source: String) -> Double {
        for seller in sellers {
            if let found = seller.sources.first(where: { $0.name == source }) { return found.quality }
        }
        return 1
    }

    /// A campaign by id.
    public func campaign(_ id: String) -> SimCampaign? {
        campaigns.first { $0.id == id }
    }

    /// The built-in vertical of an id.
    public static func vertical(_ id: String) -> Vertical? {
        BuiltInVerticals.all.first { $0.id == id }
    }
}

/// A seller in the simulation.
public struct SimSeller: Sendable, Hashable {
    /// A vertical a seller generates, and how much of its traffic it is.
    public struct Mix: Sendable, Hashable {
        /// The vertical's id.
        public var vertical: String
        /// Its relative weight.
        public var weight: Double

        /// Creates a mix entry.
        public init(_ vertical: String, _ weight: Double) {
            self.vertical = vertical
            self.weight = weight
        }
    }

    /// The seller's id.
    public var id: String
    /// A display name.
    public var name: String
    /// The alias buyers see.
    public var alias: String
    /// The seller's share of the sale price, as decimal text (e.g. `"0.85"`).
    public var revenueShare: String
    /// Its share of the market's traffic (relative weight).
    public var weight: Double
    /// The verticals it generates.
    public var verticals: [Mix]
    /// Its traffic sources.
    public var sources: [SimSource]

    /// Creates a seller.
    public init(
        id: String, name: String, alias: String, revenueShare: String, weight: Double, verticals: [Mix], sources: [SimSource]
    ) {
        self.id = id
        self.name = name
        self.alias = alias
        self.revenueShare = revenueShare
        self.weight = weight
        self.verticals = verticals
        self.sources = sources
    }

    /// The seller as the exchange models it (for payouts).
    public var seller: Seller {
        Seller(id: id, name: name, alias: alias, revenueShare: Number(text: revenueShare).flatMap(Rate.init) ?? Rate("0.85"))
    }
}

/// A seller's traffic source: its quality scales what buyers who look at sources pay.
public struct SimSource: Sendable, Hashable {
    /// The source's name (the lead's `source`), unique in the market.
    public var name: String
    /// A factor on remote buyers' values (1 is average).
    public var quality: Double
    /// Its share of the seller's traffic (relative weight).
    public var weight: Double

    /// Creates a source.
    public init(_ name: String, quality: Double, weight: Double) {
        self.name = name
        self.quality = quality
        self.weight = weight
    }
}

/// How long a buyer takes to answer: lognormal around a median.
public struct SimLatency: Sendable, Hashable {
    /// The median in milliseconds.
    public var medianMS: Double
    /// The log-space standard deviation.
    public var sigma: Double

    /// Creates a latency model.
    public init(medianMS: Double, sigma: Double = 0.4) {
        self.medianMS = medianMS
        self.sigma = sigma
    }

    /// The latency at a standard-normal quantile `z` (e.g. 1.28 for the 90th percentile).
    public func quantile(z: Double) -> Double {
        medianMS * exp(sigma * z)
    }

    /// A draw.
    public func draw(_ random: inout SimRandom) -> Double {
        random.lognormal(median: medianMS, sigma: sigma)
    }
}
