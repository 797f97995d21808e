/// How a lead's value is turned into the buyer's spelling of it, applied in a fixed order:
/// `map` (enum values), `boolean` (spellings of true and false), `date`, `phone`, `case`,
/// `max_length`, then `type`. Each step is optional; a step that does not apply to a value
/// (a date pattern on a number) leaves it as it is.
public struct ValueTransform: Sendable, Hashable {
    /// The JSON type the buyer wants.
    public enum ValueType: String, Sendable, Hashable, CaseIterable {
        /// Text.
        case string
        /// A number (text like `"94105"` becomes `94105`).
        case number
        /// A whole number (a fraction is cut off).
        case integer
        /// `true` or `false`.
        case boolean
    }

    /// Letter case.
    public enum LetterCase: String, Sendable, Hashable, CaseIterable {
        /// `CA`.
        case upper
        /// `ca`.
        case lower
        /// `Ada Lovelace`.
        case title
    }

    /// How a 10-digit NANP phone number is written.
    public enum PhoneFormat: String, Sendable, Hashable, CaseIterable {
        /// `4155550100`.
        case digits
        /// `14155550100`.
        case digits11 = "digits_11"
        /// `415-555-0100`.
        case dashed
        /// `415.555.0100`.
        case dotted
        /// `(415) 555-0100`.
        case parentheses
        /// `+14155550100`.
        case e164
    }

    /// How true and false are spelled; a `null` spelling leaves the member out (so
    /// `["test", null]` sends `lp_action=test` on test leads only).
    public struct Spelling: Sendable, Hashable {
        /// The spelling of true.
        public var whenTrue: JSONValue
        /// The spelling of false.
        public var whenFalse: JSONValue

        /// Creates spellings.
        public init(whenTrue: JSONValue, whenFalse: JSONValue) {
            self.whenTrue = whenTrue
            self.whenFalse = whenFalse
        }
    }

    /// Values by the lead's value's text (`{"male": "M"}`); unlisted values pass unchanged, a
    /// `null` target leaves the member out.
    public var map: [String: JSONValue]?
    /// Spellings of true and false.
    public var boolean: Spelling?
    /// A date pattern such as `MM/DD/YYYY` for an ISO date.
    public var date: DatePattern?
    /// A phone format.
    public var phone: PhoneFormat?
    /// Letter case.
    public var letterCase: LetterCase?
    /// The most characters kept.
    public var maxLength: Int?
    /// The JSON type sent.
    public var type: ValueType?

    /// Creates a transform (by default none).
    public init(
        map: [String: JSONValue]? = nil, boolean: Spelling? = nil, date: DatePattern? = nil, phone: PhoneFormat? = nil,
        letterCase: LetterCase? = nil, maxLength: Int? = nil, type: ValueType? = nil
    ) {
        self.map = map
        self.boolean = boolean
        self.date = date
        self.phone = phone
        self.letterCase = letterCase
        self.maxLength = maxLength
        self.type = type
    }

    /// The transformed value; `nil` leaves the member out.
    public func apply(_ value: JSONValue) -> JSONValue? {
        var current = value
        if let map, let mapped = map[current.plainText] {
            guard !mapped.isNull else { return nil }
            current = mapped
        }
        if let boolean, let flag = Self.truth(current) {
            current = flag ? boolean.whenTrue : boolean.whenFalse
            if current.isNull { return nil }
        }
        if let date, case .string(let text) = current, let formatted = date.format(isoDate: text) { current = .string(formatted) }
        if let phone, case .string(let text) = current, let formatted = Self.format(phone: text, as: phone) {
            current = .string(formatted)
        }
        if let letterCase, case .string(let text) = current { current = .string(Self.apply(letterCase, to: text)) }
        if let maxLength, case .string(let text) = current, text.count > maxLength { current = .string(String(text.prefix(maxLength))) }
        if let type { return Self.convert(current, to: type) }
        return current
    }

    /// Reads true or false from a boolean, `1`/`0`, or text such as `yes`, `N`, `true`, `0`.
    public static func truth(_ value: JSONValue) -> Bool? {
        switch value {
        case .bool(let flag): return flag
        case .number(let number) where number == Number(1) || number == Number(0): return number == Number(1)
        case .string(let text):
            switch text.lowercased() {
            case "true", "yes", "y", "1", "t": return true
            case "false", "no", "n", "0", "f": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// A phone number in a format; `nil` when the text does not hold 10 NANP digits (or 11
    /// starting with 1).
    public static func format(phone text: String, as format: PhoneFormat) -> String? {
        var digits = text.filter(\.isASCIIDigit)
        if digits.count == 11 && digits.hasPrefix("1") { digits.removeFirst() }
        guard digits.count == 10 else { return nil }
        let area = digits.prefix(3), exchange = digits.dropFirst(3).prefix(3), line = digits.suffix(4)
        switch format {
        case .digits: return digits
        case .digits11: return "1" + digits
        case .dashed: return "\(area)-\(exchange)-\(line)"
        case .dotted: return "\(area).\(exchange).\(line)"
        case .parentheses: return "(\(area)) \(exchange)-\(line)"
        case .e164: return "+1" + digits
        }
    }

    static func apply(_ letterCase: LetterCase, to text: String) -> String {
        switch letterCase {
        case .upper: return text.uppercased()
        case .lower: return text.lowercased()
        case .title:
            var startOfWord = true
            return String(
                text.map { character -> String in
                    defer { startOfWord = character == " " || character == "-" || character == "'" }
                    return startOfWord ? character.uppercased() : character.lowercased()
                }.joined())
        }
    }

    /// A value as another JSON type; `nil` when it cannot be (text that is not a number).
    public static func convert(_ value: JSONValue, to type: ValueType) -> JSONValue? {
        switch type {
        case .string: return .string(value.plainText)
        case .boolean: return truth(value).map(JSONValue.bool)
        case .number: return number(value).map(JSONValue.number)
        case .integer: return number(value).map { .number(Number(significand: $0.truncated)) }
        }
    }

    private static func number(_ value: JSONValue) -> Number? {
        switch value {
        case .number(let number): return number
        case .bool(let flag): return Number(flag ? 1 : 0)
        case .string(let text):
            let trimmed = text.trimmingSpaces
            return Number(text: trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
        default: return nil
        }
    }
}

/// A date layout built from the tokens `YYYY`, `YY`, `MM`, `M`, `DD` and `D`; any other
/// character is copied (`MM/DD/YYYY`, `YYYYMMDD`, `D.M.YY`).
public struct DatePattern: Sendable, Hashable, CustomStringConvertible {
    /// A piece of the layout.
    enum Token: Sendable, Hashable {
        case year4, year2, month2, month1, day2, day1
        case literal(Character)
    }

    /// The pattern as written.
    public let text: String
    let tokens: [Token]

    /// The pattern as written.
    public var description: String { text }

    /// Reads a pattern; `nil` when it has no date token at all or is over 40 characters.
    public init?(_ text: String) {
        guard text.count <= 40 else { return nil }
        var tokens: [Token] = []
        var rest = Substring(text)
        let table: [(String, Token)] = [("YYYY", .year4), ("YY", .year2), ("MM", .month2), ("M", .month1), ("DD", .day2), ("D", .day1)]
        while let first = rest.first {
            if let (token, match) = table.first(where: { rest.hasPrefix($0.0) }).map({ ($0.1, $0.0) }) {
                tokens.append(token)
                rest = rest.dropFirst(match.count)
            } else {
                tokens.append(.literal(first))
                rest = rest.dropFirst()
            }
        }
        guard tokens.contains(where: { if case .literal = $0 { false } else { true } }) else { return nil }
        self.text = text
        self.tokens = tokens
    }

    /// An ISO date (`YYYY-MM-DD`, or the date part of an RFC 3339 timestamp) in this layout;
    /// `nil` when the text is not such a date.
    public func format(isoDate text: String) -> String? {
        guard let date = CivilDate(iso: text) else { return nil }
        return tokens.map { token -> String in
            switch token {
            case .year4: Self.padded(date.year, 4)
            case .year2: Self.padded(date.year % 100, 2)
            case .month2: Self.padded(date.month, 2)
            case .month1: String(date.month)
            case .day2: Self.padded(date.day, 2)
            case .day1: String(date.day)
            case .literal(let character): String(character)
            }
        }.joined()
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension Character {
    /// Whether the character is one of `0`…`9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension Number {
    /// The integer part (toward zero), saturating at the bounds of `Int64`.
    var truncated: Int64 {
        if exponent >= 0 { return scaled(by: 0) ?? (significand < 0 ? .min : .max) }
        var value = significand
        for _ in 0..<Int(-exponent) {
            value /= 10
            if value == 0 { break }
        }
        return value
    }
}

extension CivilDate {
    /// An ISO 8601 date (`YYYY-MM-DD`, or the date part of a date-time); `nil` when it is not
    /// a real calendar date.
    init?(iso text: String) {
        guard case .success(let normalized) = FieldSpec.normalizeDate(text) else { return nil }
        let parts = normalized.split(separator: "-").compactMap { Int($0) }
        self.init(year: parts[0], month: parts[1], day: parts[2])
    }
}
