import Testing

@testable import GavelCore

@Suite("Money")
struct MoneyTests {
    @Test(arguments: [
        ("12.5", Int64(1250)), ("7.25", 725), ("0.01", 1), ("100", 10_000), ("-3.1", -310), ("0", 0), ("1e2", 10_000),
        ("12.50", 1250), ("1.5e-1", 15), ("2.0", 200), ("1000000000", 100_000_000_000), ("0.10", 10),
    ])
    func convertsWireNumbersExactly(_ text: String, _ expected: Int64) throws {
        let money = try #require(Money(try num(text)))
        #expect(money.cents == expected)
    }

    @Test(arguments: ["12.345", "0.001", "1e-3", "7.255", "1e30", "-0.005"])
    func refusesMoreThanTwoDecimalsOrOverflow(_ text: String) throws {
        #expect(Money(try num(text)) == nil)
    }

    @Test func parsedFromJSONTextWithoutFloatingPoint() throws {
        // 0.1 + 0.2 is exactly 0.30 in cents, whatever binary floating point would say.
        let value = try JSONParser.parse("[0.1, 0.2, 0.3]")
        let amounts = try #require(value.arrayValue?.compactMap { $0.numberValue.flatMap(Money.init) })
        #expect(amounts.count == 3)
        #expect(amounts[0] + amounts[1] == amounts[2])
    }

    @Test(arguments: [
        (Int64(1250), "12.50"), (5, "0.05"), (-5, "-0.05"), (0, "0.00"), (100, "1.00"), (-123_456, "-1234.56"),
        (10, "0.10"), (99, "0.99"), (100_000_000_000, "1000000000.00"),
    ])
    func descriptionHasTwoDecimals(_ amount: Int64, _ expected: String) {
        #expect(cents(amount).description == expected)
    }

    @Test(arguments: [
        (Int64(1250), "12.5"), (1200, "12"), (725, "7.25"), (1, "0.01"), (-310, "-3.1"), (0, "0"),
    ])
    func wireNumberIsShortest(_ amount: Int64, _ expected: String) throws {
        let money = cents(amount)
        #expect(money.number.description == expected)
        #expect(JSONWriter.string(money.json) == expected)
        #expect(Money(money.number) == money)
    }

    @Test func literalInitializer() {
        #expect(Money("12.50") == cents(1250))
        #expect(Money("0.07") == cents(7))
        #expect(Money("-2") == cents(-200))
    }

    @Test func arithmeticAndOrder() {
        var total = cents(1000)
        total += cents(250)
        #expect(total == cents(1250))
        total -= cents(1300)
        #expect(total == cents(-50))
        #expect(-total == cents(50))
        #expect(cents(100) + cents(1) == cents(101))
        #expect(cents(100) - cents(101) == cents(-1))
        #expect(cents(99) < cents(100))
        #expect(cents(-1) < Money.zero)
        #expect([cents(3), cents(-1), cents(2)].sorted() == [cents(-1), cents(2), cents(3)])
        #expect(max(cents(5), cents(7)) == cents(7))
    }

    @Test(arguments: [
        (Int64(1000), "0.85", Int64(850)),
        (1001, "0.85", 851),  // 850.85
        (1250, "0.85", 1063),  // 1062.5 → half away from zero
        (1, "0.5", 1),  // 0.5 → 1
        (-1, "0.5", -1),  // -0.5 → -1
        (3, "0.5", 2),  // 1.5 → 2
        (5, "0.5", 3),  // 2.5 → 3, not 2
        (-5, "0.5", -3),
        (4, "0.1", 0),  // 0.4
        (5, "0.1", 1),  // 0.5
        (1250, "1.1", 1375),
        (999, "1.000001", 999),  // 999.000999
        (1000, "0", 0),
        (123, "1", 123),
        (1005, "0.5", 503),  // 502.5 → 503
        (333, "0.333333", 111),  // 110.999889
        (100_000_000_000, "0.85", 85_000_000_000),
    ])
    func scaledRoundsHalfAwayFromZeroOnce(_ amount: Int64, _ rate: String, _ expected: Int64) throws {
        let factor = try #require(Rate(try num(rate)))
        #expect(cents(amount).scaled(by: factor) == cents(expected))
    }

    @Test func scalingLargeAmountsIsExact() {
        // The intermediate product (cents × millionths) exceeds 64 bits, the result does not.
        #expect(cents(10_000_000_000_000).scaled(by: Rate("1.2")) == cents(12_000_000_000_000))
        #expect(cents(100_000_000_000).scaled(by: Rate("100")) == cents(10_000_000_000_000))
        #expect(cents(-100_000_000_000).scaled(by: Rate("99.999999")) == cents(-9_999_999_900_000))
        #expect(cents(20_000_000_000_001).scaled(by: Rate("0.5")) == cents(10_000_000_000_001))
    }

    @Test func scalingSaturatesInsteadOfOverflowing() {
        #expect(cents(.max).scaled(by: Rate("2")) == cents(.max))
        #expect(cents(.min).scaled(by: Rate("2")) == cents(.min))
        #expect(cents(.max).scaled(by: Rate("1")) == cents(.max))
        #expect(cents(.max / 2).scaled(by: Rate("-3")) == cents(.min))
    }
}

@Suite("Rate")
struct RateTests {
    @Test(arguments: [
        ("0.85", Int64(850_000)), ("1", 1_000_000), ("1.1", 1_100_000), ("0.25", 250_000), ("1.123456", 1_123_456),
        ("0.000001", 1), ("100", 100_000_000), ("0", 0), ("-0.5", -500_000),
    ])
    func parsesUpToSixDecimals(_ text: String, _ micros: Int64) throws {
        let number = try num(text)
        let rate = try #require(Rate(number))
        #expect(rate.micros == micros)
        #expect(rate.description == number.description)
        #expect(Rate(rate.number) == rate)
    }

    @Test(arguments: ["1.1234567", "0.0000001", "1e-7"])
    func refusesMoreThanSixDecimals(_ text: String) throws {
        #expect(Rate(try num(text)) == nil)
    }

    @Test func constantsLiteralsAndOrder() {
        #expect(Rate("1") == .one)
        #expect(Rate("0") == .zero)
        #expect(Rate("0.85").micros == 850_000)
        #expect(Rate("0.5") < Rate("0.500001"))
        #expect(Rate.one.description == "1")
        #expect(Rate("0.85").description == "0.85")
        #expect(JSONWriter.string(Rate("1.20").json) == "1.2")
    }

    @Test(arguments: [
        (Int64(10), "1.05", Int64(11)),  // 10.5 → 11
        (-10, "1.05", -11),  // -10.5 → -11
        (10, "1.04", 10),
        (-10, "1.04", -10),
        (7, "-0.5", -4),  // -3.5 → -4
        (0, "123.456789", 0),
        (1_000_000, "0.000001", 1),
        (499_999, "0.000001", 0),
        (500_000, "0.000001", 1),
        (-500_000, "0.000001", -1),
        (10_000_000_000_000, "1.2", 12_000_000_000_000),
        (9_000_000_000_000_000_000, "1", 9_000_000_000_000_000_000),
        (9_223_372_036_854_775_807, "1", 9_223_372_036_854_775_807),
        (-9_223_372_036_854_775_807, "1", -9_223_372_036_854_775_807),
        (9_223_372_036_854_775_807, "0.5", 4_611_686_018_427_387_904),
    ])
    func applyRoundsHalfAwayFromZero(_ value: Int64, _ rate: String, _ expected: Int64) throws {
        let factor = try #require(Rate(try num(rate)))
        #expect(factor.apply(toScaled: value) == expected)
    }

    @Test func applyMatchesExactArithmeticOnRandomInputs() {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<2_000 {
            let value = Int64(bitPattern: rng.next()) % 1_000_000_000
            let micros = Int64(bitPattern: rng.next()) % 200_000_000
            // Reference: exact product fits easily; round half away from zero by hand.
            let product = value * micros
            let quotient = product / 1_000_000, remainder = product % 1_000_000
            let expected = quotient + (remainder.magnitude >= 500_000 ? (product < 0 ? -1 : 1) : 0)
            #expect(Rate(micros: micros).apply(toScaled: value) == expected, "\(value) × \(micros)µ")
        }
    }
}
