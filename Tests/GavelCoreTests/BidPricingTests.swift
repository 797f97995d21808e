import Testing

@testable import GavelCore

/// Hosted pricing runs in exact 64-bit integer fractions of a cent and falls back to `Decimal`
/// only when they overflow: the two must agree on every policy.
@Suite("Hosted pricing: integers and Decimal agree")
struct BidPricingTests {
    @Test func tenThousandRandomPoliciesPriceAlikeBothWays() {
        var random = SeededRandom(seed: 20_261_203)
        for _ in 0..<10_000 {
            let policy = Self.policy(&random)
            #expect(policy.price(for: [:]) == policy.decimalPrice(for: [:]), "\(policy)")
        }
    }

    @Test func halfACentRoundsAwayFromZeroOnce() {
        let up = BidPolicy(base: Money(cents: 5), rules: [Self.always(.multiply(Rate(micros: 1_100_000)))])
        #expect(up.price(for: [:]) == Money(cents: 6), "5.5 cents rounds up")
        let twice = BidPolicy(
            base: Money(cents: 1_001),
            rules: [Self.always(.multiply(Rate(micros: 500_000))), Self.always(.multiply(Rate(micros: 1_000_001)))])
        #expect(twice.price(for: [:]) == Money(cents: 501), "500.5005005 cents, rounded once at the end")
        let down = BidPolicy(base: Money(cents: 1_000), rules: [Self.always(.add(Money(cents: -2_000)))])
        #expect(down.price(for: [:]) == nil, "not positive: no bid")
    }

    @Test func aPolicyBeyondIntegersStillPricesExactly() {
        let huge = BidPolicy(
            base: Money(cents: 123_457), rules: Array(repeating: Self.always(.multiply(Rate(micros: 1_234_567))), count: 6))
        #expect(huge.price(for: [:]) == huge.decimalPrice(for: [:]))
        #expect(huge.price(for: [:]) != nil)
    }

    static func always(_ action: BidPolicy.Action) -> BidPolicy.Rule {
        BidPolicy.Rule(when: [], action: action)
    }

    static func policy(_ random: inout SeededRandom) -> BidPolicy {
        let rules = (0..<Int.random(in: 0...8, using: &random)).map { _ in always(action(&random)) }
        let base = Bool.random(using: &random) ? Money(cents: Int64.random(in: 0...500_000, using: &random)) : nil
        let max = Bool.random(using: &random) ? Money(cents: Int64.random(in: 1...200_000, using: &random)) : nil
        return BidPolicy(base: base, max: max, rules: rules)
    }

    static func action(_ random: inout SeededRandom) -> BidPolicy.Action {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return .set(Money(cents: Int64.random(in: -1_000...300_000, using: &random)))
        case 1: return .add(Money(cents: Int64.random(in: -50_000...50_000, using: &random)))
        case 2: return .multiply(Rate(micros: Int64.random(in: -3_000_000...5_000_000, using: &random)))
        case 3: return .multiply(Rate(micros: Int64.random(in: 0...30, using: &random) * 100_000))
        default: return .multiply(Rate(micros: Int64.random(in: 900_001...1_999_999, using: &random)))
        }
    }
}
