import Crypto
import Foundation
import GavelCore

/// A reproducible stream of finished leads, for filling a database with history (`gavel bench
/// --fill`) and for the store's report, import and throughput tests: three
/// sellers with three sources each, two verticals, six campaigns of three buyers (remote and
/// hosted), every kind of ping answer, rejected posts, shared sales, test leads, duplicates
/// and rejected leads. Lead `i` depends only on the seed and `i`, so any range can be made on
/// its own (a million leads are made and imported chunk by chunk). Leads arrive in order, one
/// per `spacing` on average, as they would at an exchange (or at random over a `span`).
public struct FixtureMarket: Sendable {
    /// A campaign of the fixture.
    public struct CampaignSpec: Sendable {
        /// Its id.
        public var id: String
        /// Its buyer.
        public var buyerID: String
        /// Its vertical.
        public var vertical: String
        /// Whether it is hosted (priced by rules) rather than remote.
        public var hosted: Bool
        /// Its return window.
        public var returnWindowDays: Int
    }

    /// The sellers and their revenue shares.
    public static let sellers: [(id: String, share: Rate)] = [("S1", Rate("0.8")), ("S2", Rate("0.7")), ("S3", Rate("0.85"))]
    /// Each seller's traffic sources.
    public static let sources = ["fb", "google", "tiktok"]
    /// The verticals leads are in.
    public static let verticals = ["auto_insurance", "solar"]
    /// The campaigns leads are offered to.
    public static let campaigns = [
        CampaignSpec(id: "acme-auto", buyerID: "acme", vertical: "auto_insurance", hosted: false, returnWindowDays: 7),
        CampaignSpec(id: "zeta-auto", buyerID: "zeta", vertical: "auto_insurance", hosted: true, returnWindowDays: 5),
        CampaignSpec(id: "host-auto", buyerID: "host", vertical: "auto_insurance", hosted: false, returnWindowDays: 7),
        CampaignSpec(id: "acme-solar", buyerID: "acme", vertical: "solar", hosted: true, returnWindowDays: 10),
        CampaignSpec(id: "zeta-solar", buyerID: "zeta", vertical: "solar", hosted: false, returnWindowDays: 7),
        CampaignSpec(id: "host-solar", buyerID: "host", vertical: "solar", hosted: true, returnWindowDays: 3),
    ]

    /// The sellers, buyers and campaigns the leads refer to, to store before the leads so a
    /// filled database can be served. Hosted campaigns bid from $2 to $20; remote campaigns
    /// point at `example` hosts and are paused, so serving the database pings no one.
    public static func configuration() -> [ConfigRecord] {
        let sellers = Self.sellers.map {
            ConfigRecord.seller(Seller(id: $0.id, name: "Seller \($0.id)", alias: "a-\($0.id)", revenueShare: $0.share))
        }
        let buyers = Set(campaigns.map(\.buyerID)).sorted().map { ConfigRecord.buyer(Buyer(id: $0, name: "Buyer \($0)")) }
        let campaigns = campaigns.map { spec -> ConfigRecord in
            let delivery =
                spec.hosted
                ? Campaign.Delivery(mode: .hosted)
                : Campaign.Delivery(
                    mode: .remote, pingURL: "https://\(spec.buyerID).example/ping", postURL: "https://\(spec.buyerID).example/post",
                    secret: "fixture-secret")
            return .campaign(
                Campaign(
                    id: spec.id, buyerID: spec.buyerID, vertical: spec.vertical, name: spec.id, status: spec.hosted ? .active : .paused,
                    delivery: delivery, bid: BidPolicy(base: Money(cents: 1_100), max: Money(cents: 2_000)),
                    returnWindowDays: spec.returnWindowDays))
        }
        return sellers + buyers + campaigns
    }

    /// When leads arrive.
    public enum Arrival: Sendable {
        /// Lead `i` arrives in `[start + i × spacing, start + (i + 1) × spacing)` (milliseconds).
        case ordered(spacing: Int64)
        /// Each lead arrives at a random moment in `[start, start + span)` (milliseconds).
        case random(span: Int64)
    }

    /// The first arrival.
    public var start: Timestamp
    /// How leads arrive.
    public var arrival: Arrival
    /// The seed of every draw.
    public var seed: UInt64
    /// Makes the leads' contact keys; `nil` for plain SHA-256 (a database that will be served
    /// wants its own keyed hasher, so live leads dedupe against the fixture's).
    public var hasher: (any ContactHasher)?

    /// Leads arriving in order, one per `spacing` milliseconds on average.
    public init(start: Timestamp, spacing: Int64, seed: UInt64 = 42) {
        (self.start, arrival, self.seed) = (start, .ordered(spacing: spacing), seed)
    }

    /// Leads arriving at random over `span` milliseconds.
    public init(start: Timestamp, span: Int64, seed: UInt64 = 42) {
        (self.start, arrival, self.seed) = (start, .random(span: span), seed)
    }

    /// Leads `range`, each with its outcome.
    public func leads(_ range: Range<Int>) -> [(lead: Lead, outcome: LeadOutcome)] {
        range.map(lead)
    }

    /// The kinds of leads.
    public enum Kind: Sendable {
        /// An auctioned lead: sold (once, or shared twice) or unsold.
        case auction
        /// A test lead, auctioned but not counted.
        case test
        /// The consumer of the lead before.
        case duplicate
        /// Refused by the exchange.
        case rejected
    }

    /// What kind of lead `index` is.
    public func kind(_ index: Int) -> Kind {
        var random = generator(index)
        switch random.next() % 100 {
        case 0..<4: return .test
        case 4..<8: return index > 0 && kind(index - 1) == .auction ? .duplicate : .auction
        case 8..<11: return .rejected
        default: return .auction
        }
    }

    /// Lead `index` and its outcome. A duplicate has the consumer of lead `index - 1`, which is
    /// always an auctioned lead (so the normal path's dedupe finds it).
    public func lead(_ index: Int) -> (lead: Lead, outcome: LeadOutcome) {
        let kind = kind(index)
        var random = generator(index)
        _ = random.next()
        let seller = Self.sellers[Int(random.next() % 3)]
        let at = start.adding(milliseconds: offset(index, random.next()))
        let vertical = Self.verticals[Int(random.next() % 2)]
        let consumer = kind == .duplicate ? index - 1 : index
        let lead = Lead(
            id: "G\(index)", sellerID: seller.id, vertical: vertical, source: Self.sources[Int(random.next() % 3)], test: kind == .test,
            fields: ["zip": "94105", "state": "CA", "phone": .string(phone(consumer)), "first_name": "Ada"],
            consent: ["tcpa_text": "I agree"], receivedAt: at, contactKeys: ContactKeys(phoneHashes: [phoneKey(phone(consumer))]))
        return (lead, outcome(lead, kind: kind, share: seller.share, random: &random))
    }

    private func offset(_ index: Int, _ draw: UInt64) -> Int64 {
        switch arrival {
        case .ordered(let spacing): Int64(index) * spacing + Int64(draw % UInt64(spacing))
        case .random(let span): Int64(draw % UInt64(span))
        }
    }

    private func phone(_ consumer: Int) -> String {
        String(2_000_000_000 + consumer)
    }

    private func generator(_ index: Int) -> SeededRandom {
        SeededRandom(seed: seed &* 0x9E37_79B9 &+ UInt64(index) &* 0x1_0000_0001)
    }

    /// The contact key of a 10-digit phone: the hasher's, or SHA-256 of its E.164 digits.
    func phoneKey(_ digits: String) -> String {
        hasher?.contactKey("1" + digits) ?? Self.plainPhoneKey(digits)
    }

    /// SHA-256 of a 10-digit phone's E.164 digits, in hex.
    static func plainPhoneKey(_ digits: String) -> String {
        let nibbles = Array("0123456789abcdef".utf8)
        let hex = SHA256.hash(data: Array(("1" + digits).utf8)).flatMap { [nibbles[Int($0 >> 4)], nibbles[Int($0 & 0x0F)]] }
        return String(decoding: hex, as: UTF8.self)
    }

    private func outcome(_ lead: Lead, kind: Kind, share: Rate, random: inout SeededRandom) -> LeadOutcome {
        let finished = lead.receivedAt.adding(milliseconds: 100)
        switch kind {
        case .duplicate: return LeadOutcome(leadID: lead.id, status: .duplicate, reason: "duplicate", finishedAt: lead.receivedAt)
        case .rejected: return LeadOutcome(leadID: lead.id, status: .rejected, reason: "invalid_consent", finishedAt: finished)
        case .auction, .test: break
        }
        let pings = Self.campaigns.filter { $0.vertical == lead.vertical }.map { ping($0, random: &random) }
        let (posts, sales) = cascade(pings, lead: lead, share: share, at: finished, random: &random)
        return LeadOutcome(
            leadID: lead.id, status: sales.isEmpty ? .unsold : .sold, reason: sales.isEmpty ? "no_buyer" : nil, sales: sales,
            pings: pings, posts: posts, skips: [SkipRecord(campaignID: "paused-\(lead.vertical)", reason: .paused)],
            finishedAt: finished, elapsedMicros: 900)
    }

    /// Posts to the bidders, best first, until one (or, one time in ten, two) accepted.
    private func cascade(
        _ pings: [PingRecord], lead: Lead, share: Rate, at time: Timestamp, random: inout SeededRandom
    ) -> ([PostRecord], [Sale]) {
        let bidders = pings.filter(\.answer.isBid).sorted { ($0.effectiveBid?.cents ?? 0) > ($1.effectiveBid?.cents ?? 0) }
        let wanted = random.next() % 10 == 0 ? 2 : 1
        var (posts, sales) = ([PostRecord](), [Sale]())
        for bidder in bidders where sales.count < wanted {
            let price = bidder.effectiveBid ?? .zero
            let accepted = random.next() % 10 < 7
            posts.append(
                PostRecord(
                    campaignID: bidder.campaignID, buyerID: bidder.buyerID, price: price, origin: wanted > 1 ? .shared : .auction,
                    outcome: accepted ? .accepted : .rejected, reason: accepted ? nil : "not_interested", latencyMicros: 30_000,
                    at: time))
            if accepted { sales.append(sale(bidder, price: price, lead: lead, share: share)) }
        }
        return (posts, sales)
    }

    private func ping(_ campaign: CampaignSpec, random: inout SeededRandom) -> PingRecord {
        let price = Money(cents: 200 + Int64(random.next() % 2_000))
        let latency = Int64(2_000 + random.next() % 300_000)
        let answer: PingAnswer
        if campaign.hosted {
            answer = PingAnswer(kind: .hosted, bid: random.next() % 5 == 0 ? nil : price)
        } else {
            switch random.next() % 10 {
            case 0..<6: answer = PingAnswer(kind: .bid, bid: price, bidID: "b", latencyMicros: latency)
            case 6, 7: answer = PingAnswer(kind: .noBid, latencyMicros: latency)
            case 8: answer = PingAnswer(kind: .timeout, latencyMicros: 250_000 + latency % 1_000, detail: "deadline")
            default: answer = PingAnswer(kind: .httpStatus, latencyMicros: latency, detail: "HTTP 500")
            }
        }
        return PingRecord(campaignID: campaign.id, buyerID: campaign.buyerID, answer: answer, effectiveBid: answer.isBid ? answer.bid : nil)
    }

    private func sale(_ bidder: PingRecord, price: Money, lead: Lead, share: Rate) -> Sale {
        let spec = Self.campaigns.first { $0.id == bidder.campaignID }!
        let caps = Campaign.Caps()
        let hold = CapHold(
            campaignID: spec.id, buyerID: spec.buyerID, caps: caps, periods: caps.periods(at: lead.receivedAt), price: price,
            balanceLimit: nil, counts: !lead.test)
        return Sale(
            campaignID: spec.id, buyerID: spec.buyerID, price: price, payout: price.scaled(by: share), buyerLeadID: "x-\(lead.id)",
            hold: hold, returnWindowDays: spec.returnWindowDays)
    }
}
