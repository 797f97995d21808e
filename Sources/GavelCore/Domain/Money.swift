/// An amount of money in integer cents (USD).
///
/// Money never passes through floating point: it is read from the wire's exact decimal
/// numbers (at most two decimals), computed in cents, and written back as a decimal number.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The amount in cents.
    public var cents: Int64

    /// Creates an amount of cents.
    public init(cents: Int64) {
        self.cents = cents
    }

    /// Nothing.
    public static let zero = Money(cents: 0)

    /// The amount for an exact wire number; `nil` when it has more than two decimals or does
    /// not fit.
    public init?(_ number: Number) {
        guard let cents = number.scaled(by: 2) else { return nil }
        self.cents = cents
    }

    /// An amount written as a decimal literal in code, e.g. `Money("12.50")`; traps on a typo.
    public init(_ literal: StaticString) {
        guard let number = Number(text: literal.description), let money = Money(number) else {
            preconditionFailure("invalid money literal \(literal)")
        }
        self = money
    }

    /// The exact wire number (`12.5` for 1250 cents).
    public var number: Number { Number(significand: cents, exponent: -2) }

    /// The wire value.
    public var json: JSONValue { .number(number) }

    /// Plain decimal text such as `12.50`, for CSV and logs.
    public var description: String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Orders amounts.
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
    /// Adds amounts.
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents &+ rhs.cents) }
    /// Subtracts amounts.
    public static func - (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents &- rhs.cents) }
    /// Adds in place.
    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }
    /// Subtracts in place.
    public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }
    /// Negates.
    public static prefix func - (value: Money) -> Money { Money(cents: -value.cents) }

    /// The amount scaled by a rate, rounded once to cents (half away from zero).
    public func scaled(by rate: Rate) -> Money {
        Money(cents: rate.apply(toScaled: cents))
    }
}

/// A non-money decimal factor with six decimals of precision: a revenue share (`0.85`), a
/// bid multiplier (`1.1`), a multiply rule (`1.2`) or an allocation share (`0.25`).
public struct Rate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The factor in millionths (`0.85` is 850000).
    public var micros: Int64

    /// Creates a rate of `micros` millionths.
    public init(micros: Int64) {
        self.micros = micros
    }

    /// One (no change).
    public static let one = Rate(micros: 1_000_000)
    /// Zero.
    public static let zero = Rate(micros: 0)

    /// The rate for an exact wire number; `nil` when it has more than six decimals.
    public init?(_ number: Number) {
        guard let micros = number.scaled(by: 6) else { return nil }
        self.micros = micros
    }

    /// A rate written as a decimal literal in code, e.g. `Rate("0.85")`; traps on a typo.
    public init(_ literal: StaticString) {
        guard let number = Number(text: literal.description), let rate = Rate(number) else {
            preconditionFailure("invalid rate literal \(literal)")
        }
        self = rate
    }

    /// The exact wire number.
    public var number: Number { Number(significand: micros, exponent: -6) }

    /// The wire value.
    public var json: JSONValue { .number(number) }

    /// Decimal text.
    public var description: String { number.description }

    /// Orders rates.
    public static func < (lhs: Rate, rhs: Rate) -> Bool { lhs.micros < rhs.micros }

    /// `value × rate`, rounded half away from zero to the same unit as `value`; saturates
    /// instead of overflowing.
    public func apply(toScaled value: Int64) -> Int64 {
        // The product is taken at full width (128 bits), so only a result that does not fit
        // saturates, not merely an intermediate product above 2^63.
        let negative = (value < 0) != (micros < 0)
        let saturated: Int64 = negative ? .min : .max
        let divisor: UInt64 = 1_000_000
        let product = value.magnitude.multipliedFullWidth(by: micros.magnitude)
        guard product.high < divisor else { return saturated }
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        let (rounded, overflow) = quotient.addingReportingOverflow(remainder >= divisor / 2 ? 1 : 0)
        guard !overflow, rounded <= UInt64(Int64.max) else { return saturated }
        return negative ? -Int64(rounded) : Int64(rounded)
    }
}
