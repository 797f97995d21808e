import Benchmark
import GavelBuyers
import GavelCore
import GavelSim
import GavelStoreSupport

/// The exchange's per-lead hot paths, one benchmark each, in the order a lead meets them:
/// reading the seller's body, validating it, pinging buyers (body, signature, mapped render),
/// pricing hosted campaigns, ranking the bids, and keying the consumer's contacts.
///
/// Every input is built once, before any measurement (``HotPathFixtures``); each measured
/// iteration runs the operation 1,000 times (`scalingFactor: .kilo`), so the table shows the
/// cost of one operation.
let benchmarks: @Sendable () -> Void = {
    let fixtures = HotPathFixtures.make()
    registerIntakeBenchmarks(fixtures)
    registerPingBenchmarks(fixtures)
    registerAuctionBenchmarks(fixtures)
}

/// The metrics and budget every benchmark shares: wall clock, CPU, mallocs and throughput, per
/// operation, for at most 2 seconds each, so the whole suite stays well under a minute.
func hotPathConfiguration() -> Benchmark.Configuration {
    Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 2_000
    )
}

/// Registers a benchmark that runs `operation` once per scaled iteration and keeps its result.
func registerHotPath<Result>(_ name: String, _ operation: @escaping () -> Result) {
    Benchmark(name, configuration: hotPathConfiguration()) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(operation())
        }
    }
}

/// A seller's lead as it arrives: parsing the body, then reading the submission and validating
/// its fields against the vertical down to what a ping may carry.
func registerIntakeBenchmarks(_ fixtures: HotPathFixtures) {
    registerHotPath("JSONParser.parse lead body") {
        try? JSONParser.parse(fixtures.leadBody)
    }
    registerHotPath("LeadSubmission.parse + validate + nonPersonal") {
        intake(fixtures.leadDocument, vertical: fixtures.vertical)
    }
}

/// What the intake does with a parsed body: the submission, its normalized fields, and the
/// non-personal ones a ping carries; `nil` when anything is invalid (never with the fixture).
func intake(_ document: JSONValue, vertical: Vertical) -> [String: JSONValue]? {
    guard case .success(let submission) = LeadSubmission.parse(document),
        case .success(let normalized) = vertical.validate(fields: submission.fields, mode: .full)
    else { return nil }
    return vertical.nonPersonal(normalized)
}

/// A remote buyer's ping: the shared body, its signature as the gateway adds it, and a mapped
/// integration's render of the same ping.
func registerPingBenchmarks(_ fixtures: HotPathFixtures) {
    registerHotPath("PingRequest body (JSONWriter)") {
        makePingRequest(fields: fixtures.pingFields).body
    }
    registerHotPath("BuyerSignature headers (HMAC-SHA256)") {
        BuyerSignature.headers(body: fixtures.ping.body, secret: HotPathFixtures.buyerSecret, at: fixtures.signedAt)
    }
    registerHotPath("Integration.Call.render (native-like mapped ping)") {
        fixtures.mappedPing.render(CallValues(ping: fixtures.ping, campaign: fixtures.mappedCampaign))
    }
}

/// Pricing, ranking and dedupe: hosted campaigns' rules, the auction over the bids, and the
/// consumer's contact keys.
func registerAuctionBenchmarks(_ fixtures: HotPathFixtures) {
    registerHotPath("BidPolicy.price x10 hosted campaigns") {
        priceHosted(fixtures.hostedCampaigns, fields: fixtures.pingFields)
    }
    registerHotPath("Auction.rank + clearingPrices (20 bids)") {
        rankAndClear(fixtures.bids, floor: fixtures.vertical.floor)
    }
    registerHotPath("ContactKeys (KeyedContactHasher)") {
        fixtures.hasher.contactKeys(fields: fixtures.normalizedFields, vertical: fixtures.vertical)
    }
}

/// What the hosted campaigns bid for a ping's fields, added up (so the benchmark keeps every
/// price without allocating an array of them).
func priceHosted(_ campaigns: [Campaign], fields: [String: JSONValue]) -> Money {
    var total = Money.zero
    for campaign in campaigns {
        total += campaign.bid.price(for: fields) ?? .zero
    }
    return total
}

/// The auction's step over the bids: rank them above the floor, then what each would pay in a
/// second-price auction (the costlier of the two kinds).
func rankAndClear(_ bids: [Bid], floor: Money) -> [Money] {
    let ranked = Auction.rank(bids, floor: floor)
    return Auction.clearingPrices(ranked, floor: floor, kind: .secondPrice)
}

/// The ping the exchange would send for the fixture lead's non-personal fields.
func makePingRequest(fields: [String: JSONValue]) -> PingRequest {
    PingRequest(
        pingID: "P01J9ZBENCH0000000000000001", vertical: "auto_insurance", tmaxMS: 250, test: false,
        sellerAlias: "s-spring", source: "google-search", fields: fields)
}

/// Every input the benchmarks read, built and checked once before any measurement.
struct HotPathFixtures: Sendable {
    /// The built-in auto insurance vertical.
    let vertical: Vertical
    /// The `POST /v1/leads` body's bytes.
    let leadBody: [UInt8]
    /// The same body, parsed.
    let leadDocument: JSONValue
    /// The lead's fields as validation normalizes them, personal ones included.
    let normalizedFields: [String: JSONValue]
    /// The non-personal fields a ping carries.
    let pingFields: [String: JSONValue]
    /// The ping to remote buyers.
    let ping: PingRequest
    /// When the ping is signed.
    let signedAt: Timestamp
    /// Ten hosted auto insurance campaigns priced by rules, as the simulation installs them.
    let hostedCampaigns: [Campaign]
    /// Twenty bids in arrival order, some below the floor, some tied.
    let bids: [Bid]
    /// A remote campaign reached through the simulation's native-like mapped integration.
    let mappedCampaign: Campaign
    /// That integration's ping call.
    let mappedPing: Integration.Call
    /// The exchange's contact hasher, with a fixed secret.
    let hasher: KeyedContactHasher

    /// The secret buyer calls are signed with.
    static let buyerSecret = "whsec_bench_0123456789abcdef0123456789abcdef"

    /// Builds every input, trapping if the fixture lead stopped being valid (a benchmark of a
    /// failing path would measure the wrong thing).
    static func make() -> HotPathFixtures {
        let vertical = BuiltInVerticals.autoInsurance
        let body = Array(LeadFixture.body.utf8)
        let document = parsed(body)
        let normalized = validated(document, vertical: vertical)
        let pingFields = vertical.nonPersonal(normalized)
        let mapped = MappedFixture.campaign(vertical: vertical)
        return HotPathFixtures(
            vertical: vertical, leadBody: body, leadDocument: document, normalizedFields: normalized,
            pingFields: pingFields, ping: makePingRequest(fields: pingFields), signedAt: Timestamp(seconds: 1_767_225_600),
            hostedCampaigns: hostedCampaigns(), bids: BidFixture.bids(), mappedCampaign: mapped,
            mappedPing: MappedFixture.pingCall(of: mapped),
            hasher: KeyedContactHasher(secret: (0..<32).map { UInt8($0) }))
    }

    private static func parsed(_ body: [UInt8]) -> JSONValue {
        guard let document = try? JSONParser.parse(body) else { preconditionFailure("the fixture lead body is not JSON") }
        return document
    }

    private static func validated(_ document: JSONValue, vertical: Vertical) -> [String: JSONValue] {
        guard case .success(let submission) = LeadSubmission.parse(document),
            case .success(let normalized) = vertical.validate(fields: submission.fields, mode: .full)
        else { preconditionFailure("the fixture lead is not a valid auto insurance lead") }
        return normalized
    }

    private static func hostedCampaigns() -> [Campaign] {
        let market = SimMarket.hostedBench(campaigns: 10)
        return market.campaigns.map { market.exchangeCampaign($0, pricing: .auction, tiers: [:]) }
    }
}

/// The fixture lead: an auto insurance lead as a seller's form would post it, with formatting
/// the exchange normalizes (a punctuated phone, a mixed-case email, numbers as text).
/// Every value is made up: the names are placeholders, the phone is a 555 number and the email
/// is at example.com.
enum LeadFixture {
    /// The `POST /v1/leads` body: 18 fields and the consent evidence.
    static let body = """
        {"vertical":"auto_insurance","source":"google-search","test":false,
        "fields":{"first_name":"Jordan","last_name":"Sample","email":"Jordan.Sample@Example.com",
        "phone":"(415) 555-0142","street_address":"100 Example Way","city":"San Francisco",
        "zip":"94105","state":"CA","age":34,"gender":"female","marital_status":"married",
        "vehicle_year":"2019","vehicle_make":"Toyota","vehicle_model":"Camry",
        "currently_insured":true,"homeowner":"yes","credit_rating":"good","accidents_3y":0},
        "consent":{"tcpa_text":"By submitting, I agree to be contacted about quotes.",
        "leadid_token":"0F3A9C1E5B7D2468ACE0135792468BDF"}}
        """
}

/// Twenty bids as the auction sees them after fan-out.
enum BidFixture {
    /// Deterministic amounts from $1.50 to $21.50 in $4.00 steps: four below the $2.00 floor,
    /// and ties on amount that priority and then latency break.
    static func bids() -> [Bid] {
        (0..<20).map { index in
            Bid(
                campaignID: "campaign-\(index)", buyerID: "buyer-\(index % 7)", amount: Money(cents: amountCents(index)),
                priority: index % 3, latencyMicros: Int64(10_000 + index * 1_337 % 40_000))
        }
    }

    private static func amountCents(_ index: Int) -> Int64 {
        150 + Int64(index * 419 % 2_500 / 100 * 100)
    }
}

/// A remote campaign whose delivery is the simulation's native-like mapped integration.
enum MappedFixture {
    /// The campaign as the exchange stores it, parsed from the simulation's wire form.
    static func campaign(vertical: Vertical) -> Campaign {
        let market = SimMarket.remoteBench(campaigns: 1)
        let endpoint = SimEndpoint.placeholder.mapped(vertical: vertical)
        let body = market.campaignBody(market.campaigns[0], pricing: .auction, tiers: [:], endpoint: endpoint)
        guard case .success(let campaign) = Campaign.parse(body, defaultID: "mapped-1", verticals: [vertical.id: vertical]) else {
            preconditionFailure("the simulation's mapped campaign does not parse")
        }
        return campaign
    }

    /// The integration's ping call.
    static func pingCall(of campaign: Campaign) -> Integration.Call {
        guard let call = campaign.delivery.integration?.ping else { preconditionFailure("the mapped campaign has no ping call") }
        return call
    }
}
