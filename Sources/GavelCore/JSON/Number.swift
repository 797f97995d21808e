/// An exact decimal number as it appeared on the wire: `significand × 10^exponent`.
///
/// JSON numbers are parsed into this type instead of `Double`, so `12.5` stays exactly 12.5 and
/// money never passes through binary floating point. The value is kept normalized (no trailing
/// zeros in the significand), so equal numbers have equal representations.
public struct Number: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The digits of the number, with its sign.
    public let significand: Int64
    /// The power of ten the significand is scaled by.
    public let exponent: Int32

    /// Creates a number `significand × 10^exponent`, normalizing trailing zeros away.
    public init(significand: Int64, exponent: Int32 = 0) {
        var s = significand
        var e = exponent
        if s == 0 {
            e = 0
        } else {
            while s % 10 == 0 {
                s /= 10
                e += 1
            }
        }
        self.significand = s
        self.exponent = e
    }

    /// Creates an integral number.
    public init(_ value: Int) {
        self.init(significand: Int64(value))
    }

    /// Creates a number from text such as `"12.5"` or `"-3e2"`; `nil` when it is not a number
    /// or has more significant digits than fit exactly.
    public init?(text: some StringProtocol) {
        var parser = JSONParser(bytes: Array(text.utf8))
        guard let number = try? parser.parseNumberOnly() else { return nil }
        self = number
    }

    /// Whether the number has no fractional part.
    public var isInteger: Bool { exponent >= 0 }

    /// The number as an integer, when it is integral and fits.
    public var integerValue: Int64? {
        scaled(by: 0)
    }

    /// The number multiplied by `10^places` as an integer, or `nil` when that is not exact
    /// (more decimals than `places`) or does not fit in 64 bits.
    public func scaled(by places: Int32) -> Int64? {
        let shift = exponent + places
        if shift < 0 { return nil }
        var value = significand
        for _ in 0..<shift {
            let (next, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = next
        }
        return value
    }

    /// An approximation for display and statistics, never for money.
    public var doubleValue: Double {
        Double(significand) * pow10(Int(exponent))
    }

    /// The shortest decimal text of the number, as written in JSON (`12.5`, `-3`, `0.07`).
    public var description: String {
        if significand == 0 { return "0" }
        let negative = significand < 0
        let digits = String(significand.magnitude)
        var text: String
        if exponent >= 0 {
            if exponent > 30 { return (negative ? "-" : "") + digits + "e" + String(exponent) }
            text = digits + String(repeating: "0", count: Int(exponent))
        } else {
            let decimals = Int(-exponent)
            if decimals > 30 { return (negative ? "-" : "") + digits + "e" + String(exponent) }
            if digits.count > decimals {
                let split = digits.index(digits.endIndex, offsetBy: -decimals)
                text = digits[..<split] + "." + digits[split...]
            } else {
                text = "0." + String(repeating: "0", count: decimals - digits.count) + digits
            }
        }
        return negative ? "-" + text : text
    }

    /// Exact comparison of two decimal numbers.
    public static func < (lhs: Number, rhs: Number) -> Bool {
        if lhs.significand.signum() != rhs.significand.signum() {
            return lhs.significand.signum() < rhs.significand.signum()
        }
        let common = min(lhs.exponent, rhs.exponent)
        if let a = lhs.scaled(by: -common), let b = rhs.scaled(by: -common) {
            return a < b
        }
        return lhs.doubleValue < rhs.doubleValue
    }
}

private func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<abs(exponent) { result *= 10 }
    return exponent < 0 ? 1 / result : result
}
