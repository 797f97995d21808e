import GavelCore
import GavelTesting
import PropertyBased
import Testing

/// Builds arbitrary JSON documents from a seed: deep, wide, odd numbers, odd strings, and now and
/// then the shapes the exchange expects, so parsers meet both garbage and near-misses.
struct ArbitraryJSON {
    var random: SeededRandom

    /// Starts one SplitMix64 step past `seed`, as this generator always has.
    init(seed: UInt64) { random = SeededRandom(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }

    mutating func next() -> UInt64 { random.next() }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    static let words = [
        "zip", "state", "phone", "email", "age", "eq", "in", "not_in", "lt", "gte", "exists", "set", "add", "multiply", "when",
        "field", "mode", "remote", "hosted", "direct", "ping_url", "CA", "94105", "4155550100", "a@b.co", "2024-02-29", "",
        "true", "null", "-1", "12.345", "😀", "\u{0}", "first_name", "timezone", "America/New_York", "mon", "09:00", "24:00",
    ]

    mutating func string() -> String {
        below(3) == 0 ? String(repeating: "x", count: below(40)) : Self.words[below(Self.words.count)]
    }

    mutating func number() -> Number {
        Number(significand: Int64(bitPattern: next()) >> Int64(below(64)), exponent: Int32(below(40)) - 20)
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        switch below(depth > 4 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .number(number())
        case 3, 4: return .string(string())
        case 5: return .array((0..<below(5)).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<below(6) { members[string()] = value(depth: depth + 1) }
            return .object(members)
        }
    }
}

@Suite("Fuzzing the parsers and validators", .heavy)
struct FuzzTests {
    static let seeds = Gen.uint64(in: 0...UInt64.max)

    @Test func theJSONParserNeverCrashesAndRoundTrips() async {
        await propertyCheck(count: 2_000, input: Gen.uint8(in: 0...255).array(of: 0...64)) { bytes in
            if let value = try? JSONParser.parse(bytes) {
                #expect((try? JSONParser.parse(JSONWriter.bytes(value))) == value)
            }
        }
        await propertyCheck(count: 500, input: Self.seeds) { seed in
            var arbitrary = ArbitraryJSON(seed: seed)
            let value = arbitrary.value()
            #expect((try? JSONParser.parse(JSONWriter.bytes(value), limits: .trusted)) == value)
        }
    }

    @Test func leadValidationNeverCrashesAndNormalizingTwiceChangesNothing() async {
        await propertyCheck(count: 1_000, input: Self.seeds) { seed in
            var arbitrary = ArbitraryJSON(seed: seed)
            var fields: [String: JSONValue] = [:]
            for vertical in BuiltInVerticals.all {
                for spec in vertical.fields where arbitrary.below(2) == 0 { fields[spec.name] = arbitrary.value(depth: 3) }
                for mode in [LeadValidationMode.full, .ping] {
                    if case .success(let normalized) = vertical.validate(fields: fields, mode: mode) {
                        #expect(vertical.validate(fields: normalized, mode: mode) == .success(normalized))
                    }
                }
            }
            _ = LeadSubmission.parse(arbitrary.value())
            _ = PostSubmission.parse(arbitrary.value())
        }
    }

    @Test func configurationParsersNeverCrashAndRoundTrip() async {
        await propertyCheck(count: 1_000, input: Self.seeds) { seed in
            var arbitrary = ArbitraryJSON(seed: seed)
            var campaign: [String: JSONValue] = [
                "buyer_id": "b", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 5],
            ]
            for key in ["bid", "filters", "caps", "schedule", "sellers", "delivery", "price", "allocation"] where arbitrary.below(2) == 0 {
                campaign[key] = arbitrary.value(depth: 1)
            }
            if arbitrary.below(2) == 0 {
                campaign["bid"] = [
                    "base": 5, "rules": [["when": arbitrary.value(depth: 2), arbitrary.string(): arbitrary.value(depth: 4)]],
                ]
            }
            if case .success(let parsed) = Campaign.parse(.object(campaign), defaultID: "c") {
                #expect(Campaign.parse(parsed.json(revealSecret: true, revealIntegrationSecrets: true), defaultID: "c") == .success(parsed))
                _ = parsed.bid.price(for: (arbitrary.value().objectValue ?? [:]))
                _ = parsed.accepts(arbitrary.value().objectValue ?? [:])
            }
            _ = Vertical.parse(arbitrary.value(), defaultID: "v")
            _ = Settings.parse(arbitrary.value(), current: Settings())
            _ = Seller.parse(arbitrary.value(), defaultID: "s", defaultAlias: "a")
            _ = Condition.parseWhen(arbitrary.value(), path: "when", log: FieldErrorLog())
        }
    }

    @Test func conditionsEvaluateAnyFieldsWithoutCrashing() async {
        await propertyCheck(count: 1_000, input: Self.seeds) { seed in
            var arbitrary = ArbitraryJSON(seed: seed)
            let log = FieldErrorLog()
            let conditions = Condition.parseWhen(
                ["f": .object([Condition.Operator.allCases[arbitrary.below(9)].rawValue: arbitrary.value(depth: 3)])], path: "w", log: log)
            let fields: [String: JSONValue] = ["f": arbitrary.value(depth: 2)]
            for condition in conditions { _ = condition.matches(fields) }
        }
    }
}
