import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport

/// Sample configuration, leads and outcomes for the store tests.
enum Fixtures {
    static let now = Timestamp(milliseconds: 1_796_050_800_000)  // 2026-11-30T15:00:00Z, a Monday
    static let hasher = SHA256ContactHasher()
    static let vertical = BuiltInVerticals.autoInsurance
    static let seller = Seller(id: "S1", name: "Seller One", alias: "s-one", revenueShare: Rate("0.8"))
    static let buyer = Buyer(id: "acme", name: "Acme Insurance", balanceLimit: Money("1000.00"))

    /// A campaign using every part of the configuration.
    static var campaign: Campaign {
        let rules = [
            BidPolicy.Rule(when: [Condition(field: "state", op: .in, operand: ["CA", "NY"])], action: .set(Money("12.00"))),
            BidPolicy.Rule(when: [Condition(field: "age", op: .lt, operand: 25)], action: .add(Money("-2.00"))),
            BidPolicy.Rule(when: [Condition(field: "homeowner", op: .eq, operand: true)], action: .multiply(Rate("1.2"))),
        ]
        var hours: [Int: [Schedule.Range]] = [:]
        for day in 0..<5 { hours[day] = [Schedule.Range(start: 9 * 60, end: 17 * 60)] }  // closed at weekends
        return Campaign(
            id: "acme-auto-ca", buyerID: buyer.id, vertical: vertical.id, name: "Acme auto CA",
            delivery: Campaign.Delivery(
                mode: .remote, pingURL: "https://acme.example/ping", postURL: "https://acme.example/post", timeoutMS: 200,
                postTimeoutMS: 4_000, secret: "s3cret-s3cret"),
            bid: BidPolicy(base: Money("8.00"), max: Money("40.00"), rules: rules),
            filters: [Condition(field: "state", op: .in, operand: ["CA", "NY", "TX"]), Condition(field: "age", op: .gte, operand: 21)],
            sellers: Campaign.SellerPolicy(deny: ["S9"], bidMultiplier: ["S1": Rate("1.1")], maxBid: ["S2": Money("6.00")]),
            caps: Campaign.Caps(timezone: "America/New_York", dailyLeads: 100, dailySpend: Money("1500.00")),
            schedule: Schedule(timezone: "America/New_York", hours: hours), dedupeDays: 30, returnWindowDays: 7, priority: 2)
    }

    /// A direct campaign (fixed price, allocation).
    static var directCampaign: Campaign {
        Campaign(
            id: "acme-direct", buyerID: buyer.id, vertical: vertical.id, name: "Acme direct",
            delivery: Campaign.Delivery(mode: .direct, secret: "direct-secret"), price: Money("9.50"), allocation: Rate("0.25"))
    }

    /// A contact key for a phone number.
    static func phoneKey(_ digits: String) -> String {
        hasher.sha256Hex("1" + digits)
    }

    /// A lead with a phone key and an email key, both derived from its phone number.
    static func lead(
        _ id: String, phone: String = "4155550100", at time: Timestamp = now, test: Bool = false, seller: String = "S1"
    ) -> Lead {
        Lead(
            id: id, sellerID: seller, vertical: vertical.id, source: "fb-spring-7", test: test,
            fields: ["zip": "94105", "state": "CA", "phone": .string(phone), "first_name": "Ada", "age": 34],
            consent: ["tcpa_text": "I agree", "leadid_token": "abc"], receivedAt: time, pingID: "P" + id,
            contactKeys: ContactKeys(phoneHashes: [phoneKey(phone)], emailHashes: [hasher.sha256Hex("ada.\(phone)@example.com")]))
    }

    /// A cap hold for a campaign.
    static func hold(
        campaign: String = "acme-auto-ca", buyer: String = "acme", caps: Campaign.Caps = Campaign.Caps(), price: Money = Money("10.00"),
        balanceLimit: Money? = nil, counts: Bool = true, at time: Timestamp = now
    ) -> CapHold {
        CapHold(
            campaignID: campaign, buyerID: buyer, caps: caps, periods: caps.periods(at: time), price: price, balanceLimit: balanceLimit,
            counts: counts)
    }

    /// A sale to a campaign at a price.
    static func sale(
        campaign: String = "acme-auto-ca", buyer: String = "acme", price: Money = Money("12.50"), counts: Bool = true,
        returnWindowDays: Int = 7, at time: Timestamp = now
    ) -> Sale {
        let offer = Offer(campaignID: campaign, buyerID: buyer, price: price, bidID: "b-1", origin: .auction)
        return Sale(
            offer: offer, seller: seller, buyerLeadID: "acme-lead-77",
            hold: hold(campaign: campaign, buyer: buyer, price: price, counts: counts, at: time), returnWindowDays: returnWindowDays)
    }

    /// A sold outcome with every kind of record.
    static func soldOutcome(_ leadID: String, sales: [Sale]? = nil, at time: Timestamp = now.adding(milliseconds: 80)) -> LeadOutcome {
        let sales = sales ?? [sale()]
        let pings = [
            PingRecord(
                campaignID: "acme-auto-ca", buyerID: "acme",
                answer: PingAnswer(kind: .bid, bid: Money("12.50"), bidID: "b-1", latencyMicros: 41_000),
                effectiveBid: Money("12.50")),
            PingRecord(campaignID: "zeta-auto", buyerID: "zeta", answer: PingAnswer(kind: .noBid, latencyMicros: 12_000)),
            PingRecord(
                campaignID: "slow-auto", buyerID: "slow",
                answer: PingAnswer(kind: .timeout, latencyMicros: 250_000, detail: "no answer by the deadline")),
            PingRecord(
                campaignID: "hosted-auto", buyerID: "host", answer: PingAnswer(kind: .hosted, bid: Money("7.00")),
                effectiveBid: Money("7.70")),
        ]
        let posts = [
            PostRecord(
                campaignID: "other-auto", buyerID: "other", price: Money("14.00"), origin: .auction, outcome: .rejected,
                reason: "duplicate_lead",
                latencyMicros: 90_000, at: time.adding(milliseconds: -20)),
            PostRecord(
                campaignID: sales[0].campaignID, buyerID: sales[0].buyerID, price: sales[0].price, origin: .auction, outcome: .accepted,
                buyerLeadID: "acme-lead-77", latencyMicros: 30_000, at: time),
        ]
        let skips = [SkipRecord(campaignID: "paused-auto", reason: .paused), SkipRecord(campaignID: "capped-auto", reason: .cap)]
        return LeadOutcome(
            leadID: leadID, status: .sold, sales: sales, pings: pings, posts: posts, skips: skips, finishedAt: time, elapsedMicros: 4_321)
    }

    /// A random SHA-256-shaped hex string.
    static func randomHash<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for _ in 0..<4 {
            var word = generator.next()
            for _ in 0..<16 {
                bytes.append(digits[Int(word & 15)])
                word >>= 4
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
