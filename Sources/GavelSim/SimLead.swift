import GavelCore

/// One generated lead: who sells it, from which traffic source, and its fields (personal ones
/// included), ready to send as a `POST /v1/leads` body.
public struct SimLead: Sendable, Hashable {
    /// Its position in the generator's stream.
    public var index: Int
    /// The selling seller's id.
    public var sellerID: String
    /// The seller's traffic source.
    public var source: String
    /// The vertical's id.
    public var vertical: String
    /// The fields, already in the form the exchange normalizes them to.
    public var fields: [String: JSONValue]
    /// The consent evidence.
    public var consent: JSONValue

    /// Creates a lead.
    public init(index: Int, sellerID: String, source: String, vertical: String, fields: [String: JSONValue], consent: JSONValue) {
        self.index = index
        self.sellerID = sellerID
        self.source = source
        self.vertical = vertical
        self.fields = fields
        self.consent = consent
    }

    /// The `POST /v1/leads` body.
    public var body: JSONValue {
        .object([
            "vertical": .string(vertical), "source": .string(source), "test": false, "fields": .object(fields),
            "consent": consent,
        ])
    }

    /// The fields a buyer sees in a ping: the non-personal ones.
    public func nonPersonalFields(of vertical: Vertical) -> [String: JSONValue] {
        vertical.nonPersonal(fields)
    }
}

/// Makes a deterministic stream of valid leads for a market: lead `i` depends only on the
/// seed and `i`, so any lead can be made on its own, in any order, on any thread.
///
/// Phones are valid NANP numbers with an area code of the lead's state and are unique across
/// the first 8,000,000 leads of a stream (so the exchange's dedupe does not bite); emails are
/// unique too. Streams of different seeds start their phones at different offsets.
public struct SimLeadGenerator: Sendable {
    /// The market whose sellers, sources and verticals the leads come from.
    public let market: SimMarket
    /// The stream's seed.
    public let seed: UInt64
    private let phoneOffset: Int

    /// How many leads a stream can make before phone numbers repeat.
    public static let uniquePhones = 8_000_000

    /// Creates a generator.
    public init(market: SimMarket, seed: UInt64) {
        self.market = market
        self.seed = seed
        phoneOffset = Int(StableHash.mix(seed, 0x5048_4F4E_4553) % UInt64(Self.uniquePhones))
    }

    /// Lead number `index` of the stream.
    public func lead(_ index: Int) -> SimLead {
        var random = SimRandom(seeds: seed, UInt64(truncatingIfNegative: index))
        let seller = market.sellers[random.weightedIndex(market.sellers.map(\.weight))]
        let vertical = seller.verticals[random.weightedIndex(seller.verticals.map(\.weight))].vertical
        let source = seller.sources[random.weightedIndex(seller.sources.map(\.weight))].name
        var person = SimPerson.make(&random, counter: (phoneOffset + index) % Self.uniquePhones)
        var fields = person.contactFields(&random)
        fields.merge(SimFields.make(vertical, person: &person, random: &random)) { _, new in new }
        let consent: JSONValue = [
            "tcpa_text": "By submitting, I agree to be contacted about quotes.",
            "leadid_token": .string(Self.token(&random)),
        ]
        return SimLead(index: index, sellerID: seller.id, source: source, vertical: vertical, fields: fields, consent: consent)
    }

    /// Leads `range` of the stream.
    public func leads(_ range: Range<Int>) -> [SimLead] {
        range.map(lead)
    }

    private static func token(_ random: inout SimRandom) -> String {
        let digits = Array("0123456789ABCDEF")
        return String((0..<32).map { _ in digits[random.int(0...15)] })
    }
}

extension UInt64 {
    init(truncatingIfNegative value: Int) {
        self = UInt64(bitPattern: Int64(value))
    }
}
