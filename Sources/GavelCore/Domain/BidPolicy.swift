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
        var exact = ExactCents(cents: (base ?? .zero).cents)
        for rule in rules where rule.when.allSatisfy({ $0.matches(fields) }) {
            guard exact.apply(rule.action) else { return decimalPrice(for: fields) }
        }
        guard var price = exact.rounded() else { return decimalPrice(for: fields) }
        if let max, price > max { price = max }
        return price.cents > 0 ? price : nil
    }

    /// ``price(for:)`` in `Decimal`, for the rare policy whose exact running price outgrows
    /// 64-bit integers (many multiplications by factors with many digits).
    func decimalPrice(for fields: [String: JSONValue]) -> Money? {
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

/// A running price held exactly as an integer fraction of a cent, `numerator / 10^exponent`,
/// without allocating: what ``BidPolicy/price(for:)`` computes for nearly every policy. Each
/// step reports `false` when the exact value no longer fits, and the caller starts again in
/// `Decimal`, so the result is the same either way.
struct ExactCents {
    private(set) var numerator: Int64
    private(set) var exponent: Int

    /// A whole number of cents.
    init(cents: Int64) {
        numerator = cents
        exponent = 0
    }

    /// Applies a rule's action; `false` on overflow.
    mutating func apply(_ action: BidPolicy.Action) -> Bool {
        switch action {
        case .set(let price):
            self = ExactCents(cents: price.cents)
            return true
        case .add(let amount):
            guard let scaled = Self.scaled(amount.cents, by: exponent) else { return false }
            let (sum, overflow) = numerator.addingReportingOverflow(scaled)
            numerator = sum
            return !overflow
        case .multiply(let factor):
            return multiply(micros: factor.micros)
        }
    }

    /// Multiplies by `micros / 10^6`, with the factor's trailing zeros dropped first so the
    /// fraction stays small (1.2 is 12 / 10, not 1,200,000 / 10^6).
    private mutating func multiply(micros: Int64) -> Bool {
        var (factor, places) = (micros, 6)
        while places > 0 && factor != 0 && factor % 10 == 0 {
            factor /= 10
            places -= 1
        }
        let (product, overflow) = numerator.multipliedReportingOverflow(by: factor)
        guard !overflow, exponent + places <= 18 else { return false }
        numerator = product
        exponent += places
        return true
    }

    /// Whole cents, rounded once, half away from zero; `nil` when the value is beyond what
    /// money holds (the `Decimal` path saturates it).
    func rounded() -> Money? {
        guard let divisor = Self.scaled(1, by: exponent) else { return nil }
        var (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: divisor)
        if remainder.magnitude >= divisor.magnitude - remainder.magnitude { quotient += numerator < 0 ? -1 : 1 }
        guard quotient.magnitude <= UInt64(Int64.max / 2) else { return nil }
        return Money(cents: quotient)
    }

    /// `value × 10^places`, or `nil` on overflow.
    private static func scaled(_ value: Int64, by places: Int) -> Int64? {
        Number(significand: value).scaled(by: Int32(places))
    }
}
