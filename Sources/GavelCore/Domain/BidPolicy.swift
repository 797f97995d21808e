import Foundation

/// How a campaign prices a lead: a base price adjusted by rules in order, clamped to a maximum.
public struct BidPolicy: Sendable, Hashable {
    /// What a rule does to the running price when its conditions hold.
    public enum Action: Sendable, Hashable {
        /// Replace the running price.
        case set(Money)
        /// Add to it (negative to subtract).
        case add(Money)
        /// Multiply it.
        case multiply(Rate)
    }

    /// One pricing rule: when every condition holds, apply the action.
    public struct Rule: Sendable, Hashable {
        /// The conditions, all of which must hold.
        public var when: [Condition]
        /// The adjustment.
        public var action: Action

        /// Creates a rule.
        public init(when: [Condition], action: Action) {
            self.when = when
            self.action = action
        }
    }

    /// The starting price (zero when absent).
    public var base: Money?
    /// The highest price this campaign pays, whatever the rules or a remote bid say.
    public var max: Money?
    /// The rules, applied in order.
    public var rules: [Rule]

    /// Creates a policy.
    public init(base: Money? = nil, max: Money? = nil, rules: [Rule] = []) {
        self.base = base
        self.max = max
        self.rules = rules
    }

    /// The price for a lead's fields: rules applied in order on an exact decimal running price,
    /// rounded once to cents (half away from zero) and clamped to `max`; `nil` when the result
    /// is not positive (no bid).
    public func price(for fields: [String: JSONValue]) -> Money? {
        var running = Self.dollars((base ?? .zero).cents)
        for rule in rules where rule.when.allSatisfy({ $0.matches(fields) }) {
            switch rule.action {
            case .set(let price): running = Self.dollars(price.cents)
            case .add(let amount): running += Self.dollars(amount.cents)
            case .multiply(let factor):
                running *= Decimal(sign: factor.micros < 0 ? .minus : .plus, exponent: -6, significand: Decimal(factor.micros.magnitude))
            }
        }
        var price = Self.cents(running)
        if let max, price > max { price = max }
        return price.cents > 0 ? price : nil
    }

    private static func dollars(_ cents: Int64) -> Decimal {
        Decimal(sign: cents < 0 ? .minus : .plus, exponent: -2, significand: Decimal(cents.magnitude))
    }

    /// Rounds once to cents, half away from zero; saturates beyond what money can hold.
    private static func cents(_ dollars: Decimal) -> Money {
        var exact = dollars * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 0, .plain)
        let limit = Decimal(Int64.max / 2)
        if rounded > limit { return Money(cents: Int64.max / 2) }
        if rounded < -limit { return Money(cents: -(Int64.max / 2)) }
        return Money(cents: NSDecimalNumber(decimal: rounded).int64Value)
    }
}
