import Testing

@testable import GavelCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesNestedDocument() throws {
        let value = try JSONParser.parse(#" { "a" : [1, {"b": null, "c": true}, []], "d": "x", "e": {}, "f": false } "#)
        let expected: JSONValue = ["a": [1, ["b": .null, "c": true], []], "d": "x", "e": [:], "f": false]
        #expect(value == expected)
        #expect(value["a"]?.arrayValue?.count == 3)
        #expect(value["d"]?.stringValue == "x")
        #expect(value["missing"] == nil)
    }

    @Test(arguments: ["null", "true", "false", "0", "\"\"", "[]", "{}", " \t\r\n7\n "])
    func parsesScalarAndEmptyDocuments(_ text: String) throws {
        #expect(throws: Never.self) { try JSONParser.parse(text) }
    }

    @Test func decodesSimpleEscapes() throws {
        let value = try JSONParser.parse(#""q\"b\\s\/b\bf\fn\nr\rt\t""#)
        #expect(value == .string("q\"b\\s/b\u{08}f\u{0C}n\nr\rt\t"))
    }

    @Test(arguments: [
        (#""\u00e9""#, "é"),
        (#""\u20AC""#, "€"),
        (#""\u0041\u0062""#, "Ab"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD834\uDD1E clef""#, "𝄞 clef"),
        (#""a\u0000b""#, "a\u{0}b"),
        (#""raw é 😀""#, "raw é 😀"),
    ])
    func decodesUnicode(_ text: String, _ expected: String) throws {
        #expect(try JSONParser.parse(text) == .string(expected))
    }

    @Test(arguments: [
        #""\ud83d""#,  // high surrogate alone
        #""\ude00""#,  // low surrogate alone
        #""\ud83d\u0041""#,  // high surrogate followed by a non-surrogate
        #""\ud83dx""#,  // high surrogate followed by text
        #""\u12G4""#,  // not hex
        #""\u12""#,  // too short
    ])
    func rejectsBadUnicodeEscapes(_ text: String) {
        expectSyntaxError(text)
    }

    @Test(arguments: [
        ("0", Int64(0), Int32(0)),
        ("-0", 0, 0),
        ("12.5", 125, -1),
        ("12.50", 125, -1),
        ("-12.50", -125, -1),
        ("100", 1, 2),
        ("1e3", 1, 3),
        ("1E+3", 1, 3),
        ("2.5e-3", 25, -4),
        ("0.07", 7, -2),
        ("-3e2", -3, 2),
        ("123456789012345678", 123_456_789_012_345_678, 0),
        ("1000000000000000000000", 1, 21),
        ("0.000000000000000000001", 1, -21),
    ])
    func parsesNumbersExactly(_ text: String, _ significand: Int64, _ exponent: Int32) throws {
        let value = try JSONParser.parse(text)
        #expect(value == .number(Number(significand: significand, exponent: exponent)))
    }

    @Test(arguments: [
        "[1,]", "{\"a\":1,}", "[,1]", "{,}", "01", "-01", "00", "1.", ".5", "+1", "1e", "1e+", "-", "1.e3",
        "\"abc", "\"abc\\", "[\"a\u{01}\"]", "\"tab\there\"", "\"line\nbreak\"",
        "tru", "nul", "fals", "True", "NULL", "nulll", "NaN", "Infinity", "-Infinity",
        "{a:1}", "{\"a\" 1}", "{\"a\":}", "{1:2}", "[1 2]", "\"\\x\"", "'a'", "", "   ", "1 2", "{\"a\":1}}", "[", "{", "]",
        "[1]x", "/* c */ 1",
    ])
    func rejectsInvalidJSON(_ text: String) {
        expectSyntaxError(text)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
        #expect(throws: Never.self) { try JSONParser.parse([0x22, 0xC3, 0xA9, 0x22]) }
    }

    @Test func reportsTheOffsetOfTheProblem() {
        do {
            _ = try JSONParser.parse("[1,]")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.offset == 3)
            #expect(error.description.hasSuffix("at byte 3"))
        }
    }

    @Test func depthLimit() throws {
        let limit = JSONParser.Limits.request.maxDepth
        #expect(limit == 32)
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try JSONParser.parse(deepest) }
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        expectLimitError(tooDeep)
        let objects = String(repeating: "{\"a\":", count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)
        expectLimitError(objects)
        let small = JSONParser.Limits(maxDepth: 2)
        #expect(throws: Never.self) { try JSONParser.parse("[{}]", limits: small) }
        expectLimitError("[[[]]]", limits: small)
    }

    @Test func memberLimit() {
        let limits = JSONParser.Limits(maxContainerCount: 3)
        #expect(throws: Never.self) { try JSONParser.parse("[1,2,3]", limits: limits) }
        #expect(throws: Never.self) { try JSONParser.parse(#"{"a":1,"b":2,"c":3}"#, limits: limits) }
        expectLimitError("[1,2,3,4]", limits: limits)
        expectLimitError(#"{"a":1,"b":2,"c":3,"d":4}"#, limits: limits)
    }

    @Test func stringLengthLimit() {
        let limits = JSONParser.Limits(maxStringBytes: 4)
        #expect(throws: Never.self) { try JSONParser.parse(#""abcd""#, limits: limits) }
        #expect(throws: Never.self) { try JSONParser.parse(#""a\nb""#, limits: limits) }
        #expect(throws: Never.self) { try JSONParser.parse(#""éé""#, limits: limits) }
        expectLimitError(#""abcde""#, limits: limits)
        expectLimitError(#""ab\ncd""#, limits: limits)
        expectLimitError(#""ééé""#, limits: limits)  // 6 bytes
        expectLimitError(#"{"abcde": 1}"#, limits: limits)  // member names count too
    }

    @Test func numbersBeyondExactPrecisionAreALimitNotSilentlyRounded() {
        expectLimitError("12345678901234567891")  // 20 significant digits: more than 64 bits hold
        expectLimitError("0.12345678901234567891")
        #expect(throws: Never.self) { try JSONParser.parse("1234567890123456789") }  // 19 fit
        expectLimitError("1e401")
        #expect(throws: Never.self) { try JSONParser.parse("1e400") }
        #expect(throws: Never.self) { try JSONParser.parse("123456789012345678000") }
    }

    @Test func duplicateMemberNamesKeepTheLast() throws {
        #expect(try JSONParser.parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    private func expectSyntaxError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let value = try JSONParser.parse(text)
            Issue.record("parsed \(text.debugDescription) as \(value)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == .syntax, "\(text.debugDescription): \(error)", sourceLocation: sourceLocation)
        }
    }

    private func expectLimitError(
        _ text: String, limits: JSONParser.Limits = .request, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try JSONParser.parse(text, limits: limits)
            Issue.record("parsed \(text.prefix(40).debugDescription) within the limits", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == .limit, "\(error)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Number")
struct NumberTests {
    @Test func normalizesTrailingZeros() throws {
        #expect(Number(significand: 1250, exponent: -2) == Number(significand: 125, exponent: -1))
        #expect(Number(significand: 1250, exponent: -2).significand == 125)
        #expect(Number(significand: 1250, exponent: -2).exponent == -1)
        #expect(try num("12.50") == num("12.5"))
        #expect(try num("12.50").hashValue == num("12.5").hashValue)
        #expect(try num("1.0") == Number(1))
        #expect(try num("100") == num("1e2"))
        #expect(Number(significand: 0, exponent: -5) == Number(0))
        #expect(try num("-0") == Number(0))
    }

    @Test(arguments: [
        ("12.5", "12.5"), ("12.50", "12.5"), ("-3", "-3"), ("0.07", "0.07"), ("1e2", "100"), ("-0.5", "-0.5"),
        ("1.0", "1"), ("0", "0"), ("-0.0", "0"), ("123.456", "123.456"), ("1e31", "1e31"), ("-25e40", "-25e40"),
        ("1e-31", "1e-31"), ("12e-40", "12e-40"), ("1e30", "1000000000000000000000000000000"),
        ("0.000001", "0.000001"), ("-1234567.89", "-1234567.89"),
    ])
    func descriptionIsTheShortestExactText(_ text: String, _ expected: String) throws {
        let number = try num(text)
        #expect(number.description == expected)
        #expect(Number(text: number.description) == number)
    }

    @Test(arguments: [
        ("12.5", Int32(2), Int64?.some(1250)),
        ("7.25", 2, 725),
        ("12.345", 2, nil),
        ("7", 0, 7),
        ("1.5", 0, nil),
        ("-0.5", 1, -5),
        ("1e20", 0, nil),  // does not fit in 64 bits
        ("922337203685477580", 1, 9_223_372_036_854_775_800),
        ("922337203685477581", 1, nil),  // one past Int64.max
        ("12.345", 3, 12_345),
        ("1200", -2, 12),
        ("1250", -2, nil),
    ])
    func scaledByIsExactOrNil(_ text: String, _ places: Int32, _ expected: Int64?) throws {
        #expect(try num(text).scaled(by: places) == expected)
    }

    @Test func integerValueAndIsInteger() throws {
        #expect(try num("42").integerValue == 42)
        #expect(try num("42.0").integerValue == 42)
        #expect(try num("4.2e1").isInteger)
        #expect(try !num("42.5").isInteger)
        #expect(try num("42.5").integerValue == nil)
        #expect(try num("-7").integerValue == -7)
    }

    @Test(arguments: [
        ("0.1", "0.2"), ("-1", "0"), ("-2", "-1"), ("1.5", "2"), ("9.99", "10"), ("99999", "1e20"), ("-0.001", "0"),
        ("1e300", "2e300"), ("0", "1e-300"), ("-1e300", "-1e-300"), ("12.49", "12.5"), ("-12.5", "-12.49"),
        ("123456789012345678", "1e30"),
    ])
    func comparesExactly(_ smaller: String, _ larger: String) throws {
        let a = try num(smaller), b = try num(larger)
        #expect(a < b)
        #expect(!(b < a))
        #expect(a != b)
    }

    @Test func equalNumbersAreNotLess() throws {
        #expect(try !(num("12.5") < num("12.50")))
        #expect(try num("12.5") <= num("12.50"))
    }

    @Test func sortsMixedScales() throws {
        let numbers = try ["10", "-1.5", "0.25", "1e2", "-20", "0", "2.5e-1"].map { try num($0) }
        #expect(numbers.sorted().map(\.description) == ["-20", "-1.5", "0", "0.25", "0.25", "10", "100"])
    }

    @Test(arguments: ["12.5x", " 12.5", "12.5 ", "", "abc", "1.2.3", "0x10", "--1"])
    func textInitRejectsNonNumbers(_ text: String) {
        #expect(Number(text: text) == nil)
    }

    @Test func doubleValueApproximates() throws {
        #expect(try abs(num("12.5").doubleValue - 12.5) < 1e-12)
        #expect(try abs(num("-2.5e-3").doubleValue + 0.0025) < 1e-15)
    }
}

@Suite("JSON writer")
struct JSONWriterTests {
    @Test func sortsKeysAndIsCompact() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": 2, "c": {"z": [true, null], "y": "s"}}"#)
        #expect(JSONWriter.string(value) == #"{"a":2,"b":1,"c":{"y":"s","z":[true,null]}}"#)
    }

    @Test func sameValueSameBytesWhateverTheInsertionOrder() {
        var first: [String: JSONValue] = [:]
        var second: [String: JSONValue] = [:]
        let keys = (0..<50).map { "key\($0)" }
        for key in keys { first[key] = .string(key) }
        for key in keys.reversed() { second[key] = .string(key) }
        #expect(JSONWriter.bytes(.object(first)) == JSONWriter.bytes(.object(second)))
    }

    @Test func escapesStrings() {
        let text = "q\"b\\n\nr\rt\t\u{01}\u{1F}é😀/"
        #expect(JSONWriter.string(.string(text)) == #""q\"b\\n\nr\rt\t\u0001\u001fé😀/""#)
    }

    @Test func writesNumbersExactly() throws {
        let value: JSONValue = [
            .number(try num("12.50")), .number(try num("-0.07")), .number(try num("1e2")), .number(try num("1e35")), 0,
        ]
        #expect(JSONWriter.string(value) == "[12.5,-0.07,100,1e35,0]")
    }

    @Test(arguments: [
        #"{"a":[1,2.5,-3e-7,"x\u0000y",{"k":null}],"b":true,"c":"\ud83d\ude00 \" \\ \/"}"#,
        #"[[],[[]],{},{"":""}]"#,
        #""\u001f\u007f""#,
        "123456789012345678",
    ])
    func writerOutputParsesBackToTheSameValue(_ text: String) throws {
        let value = try JSONParser.parse(text)
        let written = JSONWriter.string(value)
        #expect(try JSONParser.parse(written) == value)
        #expect(JSONWriter.string(try JSONParser.parse(written)) == written)
    }

    @Test func randomValuesRoundTrip() throws {
        var rng = SeededRandom(seed: 0x6A5E1)
        for _ in 0..<300 {
            let value = randomValue(&rng, depth: 0)
            let bytes = JSONWriter.bytes(value)
            let parsed = try JSONParser.parse(bytes)
            #expect(parsed == value, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(JSONWriter.bytes(parsed) == bytes)
        }
    }

    private func randomValue(_ rng: inout SeededRandom, depth: Int) -> JSONValue {
        let choice = Int(rng.next() % (depth > 3 ? 4 : 6))
        switch choice {
        case 0: return rng.next() % 5 == 0 ? .null : .bool(rng.next() % 2 == 0)
        case 1:
            let significand = Int64(bitPattern: rng.next()) % 100_000_000_000_000_000
            let exponent = Int32(Int64(rng.next() % 81) - 40)
            return .number(Number(significand: significand, exponent: exponent))
        case 2, 3: return .string(randomString(&rng))
        case 4: return .array((0..<Int(rng.next() % 5)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int(rng.next() % 5) { members[randomString(&rng)] = randomValue(&rng, depth: depth + 1) }
            return .object(members)
        }
    }

    private func randomString(_ rng: inout SeededRandom) -> String {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1B}", "é", "€", "😀", "𝄞", "\u{7F}"]
        return String((0..<Int(rng.next() % 8)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }
}

@Suite("JSON value")
struct JSONValueTests {
    @Test func accessorsAndTypeNames() {
        let value: JSONValue = ["s": "x", "n": 3, "b": true, "a": [1], "o": [:], "z": .null]
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.numberValue == Number(3))
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["o"]?.objectValue == [:])
        #expect(value["z"]?.isNull == true)
        #expect(value["s"]?.numberValue == nil)
        #expect(JSONValue.string("x")["s"] == nil)
        let names = ["s", "n", "b", "a", "o", "z"].compactMap { value[$0]?.typeName }
        #expect(names == ["string", "number", "boolean", "array", "object", "null"])
    }
}

@Suite("JSON reader")
struct JSONReaderTests {
    @Test func reportsEveryBadMemberAtOnceWithFullPaths() throws {
        let document = try json(
            #"""
            {"name": 5, "count": 1.5, "limit": 70000, "price": 12.345, "share": 1.5, "flag": "yes",
             "kind": "purple", "tags": ["a", 2, "c", null], "nested": {"deep": {"price": -1, "extra": true}},
             "list": {"not": "an array"}, "empty": "", "mystery": 1}
            """#)
        let log = FieldErrorLog()
        let reader = try #require(JSONReader(document, log: log))
        reader.rejectUnknown([
            "name", "count", "limit", "price", "share", "flag", "kind", "tags", "nested", "list", "empty", "required",
        ])
        #expect(reader.string("name") == nil)
        #expect(reader.int("count") == nil)
        #expect(reader.int("limit", in: 0...100) == nil)
        #expect(reader.money("price") == nil)
        #expect(reader.rate("share", in: Rate.zero...Rate.one) == nil)
        #expect(reader.bool("flag") == nil)
        #expect(reader.choice("kind", Campaign.Status.self) == nil)
        #expect(reader.strings("tags") == ["a", "c"])
        let deep = try #require(reader.object("nested")?.object("deep"))
        deep.rejectUnknown(["price"])
        #expect(deep.money("price") == nil)
        #expect(reader.array("list") == nil)
        #expect(reader.string("empty", required: true) == nil)
        #expect(reader.string("required", required: true) == nil)

        let paths = log.errors.map(\.field)
        #expect(
            Set(paths) == [
                "mystery", "name", "count", "limit", "price", "share", "flag", "kind", "tags[1]", "tags[3]",
                "nested.deep.extra", "nested.deep.price", "list", "empty", "required",
            ])
        #expect(paths.count == 15)
        let messages = Dictionary(log.errors.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
        #expect(messages["mystery"] == "is not a known field")
        #expect(messages["required"] == "is required")
        #expect(messages["empty"] == "must not be empty")
        #expect(messages["price"]?.contains("2 decimals") == true)
        #expect(messages["nested.deep.price"] == "must not be negative")
        #expect(messages["limit"] == "must be an integer from 0 to 100")
        #expect(messages["share"] == "must be from 0 to 1")
        #expect(messages["kind"] == "must be one of 'active', 'paused'")
        #expect(throws: ValidationFailure.self) { try log.throwIfAny() }
    }

    @Test func readsGoodMembers() throws {
        let document = try json(
            #"{"name": "x", "count": 3, "price": 12.5, "credit": -2, "share": 0.85, "flag": false, "status": "paused", "n": null}"#)
        let log = FieldErrorLog()
        let reader = try #require(JSONReader(document, log: log))
        #expect(reader.string("name") == "x")
        #expect(reader.int("count") == 3)
        #expect(reader.money("price") == cents(1250))
        #expect(reader.money("credit", allowNegative: true) == cents(-200))
        #expect(reader.rate("share", in: Rate.zero...Rate.one) == Rate("0.85"))
        #expect(reader.bool("flag") == false)
        #expect(reader.choice("status", Campaign.Status.self) == .paused)
        #expect(reader.value("n") == nil)  // null is absent
        #expect(reader.int("absent") == nil)
        #expect(log.isEmpty)
        #expect(throws: Never.self) { try log.throwIfAny() }
    }

    @Test func moneyBeyondABillionDollarsIsRefused() throws {
        let log = FieldErrorLog()
        let reader = try #require(JSONReader(try json(#"{"a": 1000000000, "b": 1000000000.01}"#), log: log))
        #expect(reader.money("a") == cents(100_000_000_000))
        #expect(reader.money("b") == nil)
        #expect(log.errors.map(\.field) == ["b"])
    }

    @Test func nonObjectRootIsReportedAsBody() {
        let log = FieldErrorLog()
        #expect(JSONReader([1, 2], log: log) == nil)
        #expect(log.errors == [FieldError(field: "body", message: "must be an object")])
        let nested = FieldErrorLog()
        #expect(JSONReader("x", path: "delivery", log: nested) == nil)
        #expect(nested.errors.map(\.field) == ["delivery"])
    }

    @Test func fieldErrorDescription() {
        #expect(FieldError(field: "fields.phone", message: "is required").description == "fields.phone: is required")
        #expect(ValidationFailure(field: "a", "b").errors == [FieldError(field: "a", message: "b")])
        #expect(ValidationFailure(nonEmpty: []) == nil)
    }
}
