import Testing

@testable import GavelCore

/// Normalized lead fields the condition cases run against.
let conditionFields: [String: JSONValue] = [
    "state": "CA", "age": 30, "age_text": "30", "homeowner": true, "owner_text": "TRUE", "birth_date": "1990-05-17",
    "score": dec("10.5"), "nothing": .null, "zip": "94105",
]

@Suite("Conditions")
struct ConditionTests {
    static let cases: [(Condition.Operator, String, JSONValue, Bool)] = [
        // eq: numbers by value, also against numeric strings; strings case-sensitively; booleans.
        (.eq, "state", "CA", true),
        (.eq, "state", "ca", false),
        (.eq, "age", 30, true),
        (.eq, "age", "30", true),
        (.eq, "age_text", 30, true),
        (.eq, "age", dec("30.0"), true),
        (.eq, "age", 31, false),
        (.eq, "score", dec("10.50"), true),
        (.eq, "homeowner", true, true),
        (.eq, "homeowner", false, false),
        (.eq, "homeowner", "true", true),
        (.eq, "owner_text", true, true),
        (.eq, "homeowner", 1, false),
        (.eq, "missing", "x", false),
        (.eq, "nothing", .null, false),
        (.eq, "zip", 94105, true),
        // ne: true when the field is missing.
        (.ne, "state", "NY", true),
        (.ne, "state", "CA", false),
        (.ne, "age", "30", false),
        (.ne, "missing", "x", true),
        (.ne, "nothing", "x", true),
        // in / not_in
        (.in, "state", ["CA", "NY"], true),
        (.in, "state", ["TX"], false),
        (.in, "state", [], false),
        (.in, "age", [29, "30"], true),
        (.in, "homeowner", [false, "yes", "true"], true),
        (.in, "missing", ["CA"], false),
        (.notIn, "state", ["TX"], true),
        (.notIn, "state", ["CA", "NY"], false),
        (.notIn, "state", [], true),
        (.notIn, "age", ["30"], false),
        (.notIn, "missing", ["CA"], true),
        // lt / lte / gt / gte on numbers, numeric strings and ISO dates; nothing else orders.
        (.lt, "age", 31, true),
        (.lt, "age", 30, false),
        (.lt, "age", "31", true),
        (.lt, "age_text", 31, true),
        (.lt, "age_text", 30, false),
        (.lt, "score", dec("10.5"), false),
        (.lt, "score", dec("10.51"), true),
        (.lte, "age", 30, true),
        (.lte, "age", 29, false),
        (.lte, "age", dec("30.00"), true),
        (.gt, "age", 29, true),
        (.gt, "age", 30, false),
        (.gt, "score", dec("10.49"), true),
        (.gte, "age", 30, true),
        (.gte, "age", 31, false),
        (.gte, "age", dec("-1e3"), true),
        (.lt, "birth_date", "2000-01-01", true),
        (.gt, "birth_date", "1990-05-16", true),
        (.gt, "birth_date", "1990-05-17", false),
        (.gte, "birth_date", "1990-05-17", true),
        (.lte, "birth_date", "1990-05-16", false),
        (.lt, "state", 5, false),  // not a number: cannot be ordered
        (.gt, "state", 5, false),
        (.lt, "homeowner", 1, false),
        (.gte, "missing", 0, false),
        (.lte, "missing", 0, false),
        (.lt, "nothing", 5, false),
        // exists
        (.exists, "state", true, true),
        (.exists, "state", false, false),
        (.exists, "missing", true, false),
        (.exists, "missing", false, true),
        (.exists, "nothing", true, false),
        (.exists, "nothing", false, true),
    ]

    @Test(arguments: cases)
    func operatorSemantics(_ op: Condition.Operator, _ field: String, _ operand: JSONValue, _ expected: Bool) {
        let condition = Condition(field: field, op: op, operand: operand)
        #expect(condition.matches(conditionFields) == expected)
    }

    @Test func everyOperatorHasItsContractName() {
        #expect(Condition.Operator.allCases.map(\.rawValue) == ["eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "exists"])
    }

    @Test func parsesWhenClausesSortedByFieldAndOperator() throws {
        let log = FieldErrorLog()
        let conditions = Condition.parseWhen(
            try json(#"{"state": {"in": ["CA"]}, "age": {"lt": 60, "gte": 21}}"#), path: "when", log: log)
        #expect(log.isEmpty)
        #expect(
            conditions == [
                Condition(field: "age", op: .gte, operand: 21), Condition(field: "age", op: .lt, operand: 60),
                Condition(field: "state", op: .in, operand: ["CA"]),
            ])
        #expect(Condition.whenJSON(conditions) == (try json(#"{"state": {"in": ["CA"]}, "age": {"lt": 60, "gte": 21}}"#)))
    }

    @Test func aFilterMayCarrySeveralOperators() throws {
        let log = FieldErrorLog()
        let conditions = Condition.parseFilter(try json(#"{"field": "age", "gte": 21, "lt": 65}"#), path: "filters[0]", log: log)
        #expect(log.isEmpty)
        #expect(conditions == [Condition(field: "age", op: .gte, operand: 21), Condition(field: "age", op: .lt, operand: 65)])
        #expect(Condition(field: "age", op: .gte, operand: 21).filterJSON == ["field": "age", "gte": 21])
    }

    @Test func campaignAcceptsOnlyWhenEveryFilterMatches() {
        var campaign = Campaign(id: "c", buyerID: "b", vertical: "v", delivery: .init(mode: .hosted))
        #expect(campaign.accepts([:]))  // no filters
        campaign.filters = [
            Condition(field: "state", op: .in, operand: ["CA", "NY", "TX"]), Condition(field: "age", op: .gte, operand: 21),
        ]
        #expect(campaign.accepts(["state": "CA", "age": 21]))
        #expect(!campaign.accepts(["state": "CA", "age": 20]))
        #expect(!campaign.accepts(["state": "FL", "age": 40]))
        #expect(!campaign.accepts(["state": "CA"]))
    }
}

@Suite("Bid rules")
struct BidPolicyTests {
    /// The contract's example bid: base 8, max 40; CA/NY set 12; under 25 add -2; homeowners ×1.2.
    static let contractPolicy = BidPolicy(
        base: cents(800), max: cents(4000),
        rules: [
            BidPolicy.Rule(when: [Condition(field: "state", op: .in, operand: ["CA", "NY"])], action: .set(cents(1200))),
            BidPolicy.Rule(when: [Condition(field: "age", op: .lt, operand: 25)], action: .add(cents(-200))),
            BidPolicy.Rule(when: [Condition(field: "homeowner", op: .eq, operand: true)], action: .multiply(Rate("1.2"))),
        ])

    static let contractCases: [([String: JSONValue], Int64)] = [
        (["state": "TX", "age": 30, "homeowner": false], 800),
        (["state": "CA", "age": 30, "homeowner": false], 1200),
        (["state": "CA", "age": 22, "homeowner": false], 1000),
        (["state": "CA", "age": 22, "homeowner": true], 1200),  // (12 - 2) × 1.2
        (["state": "NY", "age": 30, "homeowner": true], 1440),
        (["state": "TX", "age": 22, "homeowner": true], 720),  // (8 - 2) × 1.2
        (["state": "TX", "age": 22, "homeowner": "yes"], 600),  // "yes" is not equal to true
        ([:], 800),
    ]

    @Test(arguments: contractCases)
    func contractExample(_ fields: [String: JSONValue], _ expected: Int64) {
        #expect(Self.contractPolicy.price(for: fields) == cents(expected))
    }

    @Test func baseAlone() {
        #expect(BidPolicy(base: cents(800)).price(for: [:]) == cents(800))
        #expect(BidPolicy().price(for: [:]) == nil)
        #expect(BidPolicy(base: .zero).price(for: [:]) == nil)
    }

    @Test func rulesApplyInOrder() {
        let always: [Condition] = []
        let multiplyThenAdd = BidPolicy(
            base: cents(500), rules: [.init(when: always, action: .multiply(Rate("2"))), .init(when: always, action: .add(cents(100)))])
        let addThenMultiply = BidPolicy(
            base: cents(500), rules: [.init(when: always, action: .add(cents(100))), .init(when: always, action: .multiply(Rate("2")))])
        #expect(multiplyThenAdd.price(for: [:]) == cents(1100))
        #expect(addThenMultiply.price(for: [:]) == cents(1200))
        let setDiscardsEarlierAdjustments = BidPolicy(
            base: cents(500), rules: [.init(when: always, action: .add(cents(500))), .init(when: always, action: .set(cents(300)))])
        #expect(setDiscardsEarlierAdjustments.price(for: [:]) == cents(300))
    }

    @Test func ruleNeedsAllItsConditions() {
        let policy = BidPolicy(
            base: cents(500),
            rules: [
                .init(
                    when: [Condition(field: "state", op: .eq, operand: "CA"), Condition(field: "age", op: .gte, operand: 30)],
                    action: .add(cents(100)))
            ])
        #expect(policy.price(for: ["state": "CA", "age": 30]) == cents(600))
        #expect(policy.price(for: ["state": "CA", "age": 29]) == cents(500))
        #expect(policy.price(for: ["state": "NY", "age": 30]) == cents(500))
    }

    @Test func clampedToMax() {
        #expect(BidPolicy(base: cents(5000), max: cents(4000)).price(for: [:]) == cents(4000))
        let rules = BidPolicy(base: cents(1000), max: cents(4000), rules: [.init(when: [], action: .multiply(Rate("10")))])
        #expect(rules.price(for: [:]) == cents(4000))
        let set = BidPolicy(max: cents(4000), rules: [.init(when: [], action: .set(cents(4001)))])
        #expect(set.price(for: [:]) == cents(4000))
        #expect(BidPolicy(base: cents(3999), max: cents(4000)).price(for: [:]) == cents(3999))
    }

    @Test func noBidWhenNotPositive() {
        #expect(BidPolicy(base: cents(100), rules: [.init(when: [], action: .add(cents(-100)))]).price(for: [:]) == nil)
        #expect(BidPolicy(base: cents(100), rules: [.init(when: [], action: .add(cents(-250)))]).price(for: [:]) == nil)
        #expect(BidPolicy(base: cents(100), rules: [.init(when: [], action: .multiply(.zero))]).price(for: [:]) == nil)
        #expect(BidPolicy(base: cents(1), rules: [.init(when: [], action: .multiply(Rate("0.4")))]).price(for: [:]) == nil)
        // A negative running price may come back above zero.
        let recovers = BidPolicy(
            base: cents(100), rules: [.init(when: [], action: .add(cents(-500))), .init(when: [], action: .add(cents(1000)))])
        #expect(recovers.price(for: [:]) == cents(600))
    }

    @Test(
        arguments: [
            // (base cents, multipliers, expected cents): rounding once, at the end.
            (Int64(1000), ["1.005", "1.005"], Int64(1010)),  // 10.10025
            (100, ["1.005", "1.005"], 101),  // 1.010025 (rounding each step would give 1.02)
            (5, ["0.5", "3"], 8),  // 0.075 → 0.08 (rounding each step would give 0.09)
            (1, ["1.5"], 2),  // 0.015 → 0.02, half away from zero
            (1, ["1.4"], 1),  // 0.014
            (100, ["1.5", "1.5", "1.5"], 338),  // 3.375
            (999, ["0.333333", "3"], 999),  // 9.98999 → 9.99
            (1, ["0.5"], 1),  // 0.005 → 0.01
            (1, ["0.4"], nil),  // 0.004 → 0.00: no bid
        ] as [(Int64, [String], Int64?)])
    func roundsOnceAtTheEnd(_ base: Int64, _ factors: [String], _ expected: Int64?) {
        #expect(Self.policy(base: base, multipliers: factors).price(for: [:]) == expected.map(cents))
    }

    @Test func theRunningPriceIsExactAndRoundedOnlyOnce() {
        // 1 cent × 0.499999 is 0.00499999 dollars, which rounds to 0.00 (no bid); rounding the
        // product to millionths first would give 0.005000 and then 0.01.
        #expect(Self.policy(base: 1, multipliers: ["0.499999"]).price(for: [:]) == nil)
        #expect(Self.policy(base: 1, multipliers: ["0.5"]).price(for: [:]) == cents(1))
    }

    static func policy(base: Int64, multipliers: [String]) -> BidPolicy {
        let rules = multipliers.map { text in
            BidPolicy.Rule(when: [], action: .multiply(Number(text: text).flatMap { Rate($0) } ?? .zero))
        }
        return BidPolicy(base: cents(base), rules: rules)
    }

    @Test func largeConfiguredPricesStayExactAndNeverTrap() {
        // The most a configuration may say: $1,000,000,000 (100_000_000_000 cents), multipliers up to 100.
        let big = BidPolicy(base: cents(1_000_000_000), rules: [.init(when: [], action: .multiply(Rate("1.2")))])
        #expect(big.price(for: [:]) == cents(1_200_000_000))  // $10M × 1.2
        let hundredfold = BidPolicy(base: cents(10_000_000), rules: [.init(when: [], action: .multiply(Rate("100")))])
        #expect(hundredfold.price(for: [:]) == cents(1_000_000_000))
        let absurd = BidPolicy(
            base: cents(100_000_000_000), max: cents(100_000_000_000),
            rules: Array(repeating: .init(when: [], action: .multiply(Rate("100"))), count: 4) + [
                .init(when: [], action: .add(cents(100_000_000_000)))
            ])
        #expect(absurd.price(for: [:]) == cents(100_000_000_000))
        let absurdNegative = BidPolicy(
            base: cents(100_000_000_000),
            rules: Array(repeating: .init(when: [], action: .multiply(Rate("100"))), count: 4) + [
                .init(when: [], action: .multiply(Rate("-1"))), .init(when: [], action: .add(cents(-100_000_000_000))),
            ])
        #expect(absurdNegative.price(for: [:]) == nil)
    }
}

@Suite("Seller policy and effective bids")
struct SellerPolicyTests {
    @Test func admitsAllowAndDeny() {
        let open = Campaign.SellerPolicy()
        #expect(open.admits("S1"))
        let allow = Campaign.SellerPolicy(allow: ["S1", "S2"])
        #expect(allow.admits("S1") && allow.admits("S2"))
        #expect(!allow.admits("S3"))
        let deny = Campaign.SellerPolicy(deny: ["S3"])
        #expect(deny.admits("S1"))
        #expect(!deny.admits("S3"))
        let both = Campaign.SellerPolicy(allow: ["S1", "S3"], deny: ["S3"])
        #expect(both.admits("S1"))
        #expect(!both.admits("S3"))  // deny wins
    }

    @Test func multiplierThenSellerMax() {
        let policy = Campaign.SellerPolicy(
            bidMultiplier: ["S1": Rate("1.1"), "S3": Rate("2"), "S4": Rate("1.15")], maxBid: ["S2": cents(600), "S3": cents(1500)])
        #expect(policy.adjust(cents(1000), seller: "S1") == cents(1100))
        #expect(policy.adjust(cents(1000), seller: "S2") == cents(600))
        #expect(policy.adjust(cents(500), seller: "S2") == cents(500))
        #expect(policy.adjust(cents(1000), seller: "S3") == cents(1500))  // 20 capped to 15: multiplied first
        #expect(policy.adjust(cents(700), seller: "S3") == cents(1400))
        #expect(policy.adjust(cents(1001), seller: "S4") == cents(1151))  // 10.01 × 1.15 = 11.5115 → 11.51
        #expect(policy.adjust(cents(1000), seller: "other") == cents(1000))
    }

    @Test func effectiveBidAppliesSellerAdjustmentsThenTheCampaignMax() {
        var campaign = Campaign(
            id: "c", buyerID: "b", vertical: "v", delivery: .init(mode: .remote, pingURL: "https://x.example"),
            bid: BidPolicy(max: cents(4000)),
            sellers: Campaign.SellerPolicy(
                bidMultiplier: ["S1": Rate("2"), "S2": Rate("0.5")], maxBid: ["S1": cents(5000), "S3": cents(600)]))
        #expect(campaign.effectiveBid(cents(3000), seller: "S1") == cents(4000))  // 60 → seller max 50 → bid.max 40
        #expect(campaign.effectiveBid(cents(1500), seller: "S1") == cents(3000))
        #expect(campaign.effectiveBid(cents(9000), seller: "S2") == cents(4000))  // 45 → 40
        #expect(campaign.effectiveBid(cents(1000), seller: "S3") == cents(600))
        #expect(campaign.effectiveBid(cents(5000), seller: "S9") == cents(4000))
        #expect(campaign.effectiveBid(cents(1234), seller: "S9") == cents(1234))
        campaign.bid.max = nil
        #expect(campaign.effectiveBid(cents(3000), seller: "S1") == cents(5000))
        #expect(campaign.effectiveBid(cents(9000), seller: "S9") == cents(9000))
    }

    @Test func hostedPriceAndTimeoutByMode() {
        let fields: [String: JSONValue] = ["state": "CA"]
        let hosted = Campaign(id: "h", buyerID: "b", vertical: "v", delivery: .init(mode: .hosted), bid: BidPolicyTests.contractPolicy)
        #expect(hosted.hostedPrice(for: fields) == cents(1200))
        let direct = Campaign(
            id: "d", buyerID: "b", vertical: "v", delivery: .init(mode: .direct), bid: BidPolicy(base: cents(1)), price: cents(900))
        #expect(direct.hostedPrice(for: fields) == cents(900))
        let remote = Campaign(
            id: "r", buyerID: "b", vertical: "v", delivery: .init(mode: .remote, pingURL: "https://x.example", timeoutMS: 100),
            bid: BidPolicy(base: cents(1)))
        #expect(remote.hostedPrice(for: fields) == nil)

        let settings = Settings(defaultTmaxMS: 250)
        #expect(remote.timeoutMS(settings: settings) == 100)
        #expect(hosted.timeoutMS(settings: settings) == 250)
        var slow = remote
        slow.delivery.timeoutMS = 1_000
        #expect(slow.timeoutMS(settings: settings) == 250)  // capped by the exchange's default
    }
}
