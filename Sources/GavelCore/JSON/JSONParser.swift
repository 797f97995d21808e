/// Why a JSON document could not be read.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it was: malformed text, or a document over one of the limits.
    public enum Kind: Sendable, Equatable {
        /// Not JSON.
        case syntax
        /// Well-formed but beyond ``JSONParser/Limits``.
        case limit
    }

    /// What kind of problem it was.
    public let kind: Kind
    /// A human-readable explanation.
    public let message: String
    /// The byte offset where the problem was found.
    public let offset: Int

    /// A description including the offset.
    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 JSON parser producing ``JSONValue``, with limits on depth, members and
/// string length so a hostile document cannot exhaust the exchange.
public struct JSONParser {
    /// Bounds on what a single document may contain.
    public struct Limits: Sendable {
        /// Deepest nesting of arrays and objects.
        public var maxDepth: Int
        /// Most members of one object or elements of one array.
        public var maxContainerCount: Int
        /// Longest string, in bytes.
        public var maxStringBytes: Int

        /// Creates limits.
        public init(maxDepth: Int = 32, maxContainerCount: Int = 1_000, maxStringBytes: Int = 65_536) {
            self.maxDepth = maxDepth
            self.maxContainerCount = maxContainerCount
            self.maxStringBytes = maxStringBytes
        }

        /// Limits for request bodies from the internet.
        public static let request = Limits()
        /// Generous limits for trusted documents such as stored configuration.
        public static let trusted = Limits(maxDepth: 128, maxContainerCount: 10_000_000, maxStringBytes: 1 << 28)
    }

    private let bytes: [UInt8]
    private var index = 0
    private let limits: Limits

    /// Creates a parser over UTF-8 bytes.
    public init(bytes: [UInt8], limits: Limits = .request) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses one complete JSON document.
    public static func parse(_ bytes: [UInt8], limits: Limits = .request) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, limits: limits)
        return try parser.parseDocument()
    }

    /// Parses one complete JSON document from a string.
    public static func parse(_ text: String, limits: Limits = .request) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the document") }
        return value
    }

    mutating func parseNumberOnly() throws(JSONParseError) -> Number {
        let number = try parseNumber()
        guard index == bytes.count else { throw fail("unexpected data after the number") }
        return number
    }

    private func fail(_ message: String, _ kind: JSONParseError.Kind = .syntax) -> JSONParseError {
        JSONParseError(kind: kind, message: message, offset: index)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let byte = current else { throw fail("unexpected end of document") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of document") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw fail("invalid literal")
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= limits.maxDepth else { throw fail("nesting deeper than \(limits.maxDepth)", .limit) }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            members[key] = try parseValue(depth: depth)
            guard members.count <= limits.maxContainerCount else {
                throw fail("more than \(limits.maxContainerCount) members", .limit)
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= limits.maxDepth else { throw fail("nesting deeper than \(limits.maxDepth)", .limit) }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            guard elements.count <= limits.maxContainerCount else {
                throw fail("more than \(limits.maxContainerCount) elements", .limit)
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try decodeUTF8(bytes[start..<index])
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw fail("control character in string") }
            index += 1
            try checkStringLength(from: start)
        }
        throw fail("unterminated string")
    }

    private func checkStringLength(from start: Int) throws(JSONParseError) {
        if index - start > limits.maxStringBytes {
            throw fail("string longer than \(limits.maxStringBytes) bytes", .limit)
        }
    }

    private func decodeUTF8(_ slice: ArraySlice<UInt8>) throws(JSONParseError) -> String {
        guard let text = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8") }
        return text
    }

    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try decodeUTF8(buffer[...])
            case UInt8(ascii: "\\"):
                index += 1
                try appendEscape(to: &buffer)
            case 0..<0x20:
                throw fail("control character in string")
            default:
                buffer.append(byte)
                index += 1
            }
            if buffer.count > limits.maxStringBytes {
                throw fail("string longer than \(limits.maxStringBytes) bytes", .limit)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func appendEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        guard let byte = current else { throw fail("unterminated escape") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"): try appendUnicodeEscape(to: &buffer)
        default: throw fail("invalid escape")
        }
    }

    private mutating func appendUnicodeEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        var scalar = try parseHex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw fail("unpaired surrogate")
            }
            index += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw fail("unpaired surrogate")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
        buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("short unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid unicode escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> Number {
        let negative = current == UInt8(ascii: "-")
        if negative { index += 1 }
        var significand: Int64 = 0
        var exponent: Int32 = 0
        var droppedNonZero = false
        let integerDigits = try parseDigits(into: &significand, exponent: &exponent, fraction: false, dropped: &droppedNonZero)
        guard integerDigits > 0 else { throw fail("expected a digit") }
        if integerDigits > 1, bytes[index - integerDigits] == UInt8(ascii: "0") { throw fail("leading zero") }
        if current == UInt8(ascii: ".") {
            index += 1
            let fractionDigits = try parseDigits(into: &significand, exponent: &exponent, fraction: true, dropped: &droppedNonZero)
            guard fractionDigits > 0 else { throw fail("expected a digit after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            exponent += try parseExponent()
        }
        guard !droppedNonZero else { throw fail("number has more significant digits than the exchange keeps exactly", .limit) }
        return Number(significand: negative ? -significand : significand, exponent: exponent)
    }

    private mutating func parseDigits(
        into significand: inout Int64, exponent: inout Int32, fraction: Bool, dropped: inout Bool
    ) throws(JSONParseError) -> Int {
        var count = 0
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (times10, overflow1) = significand.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 {
                // Beyond what 64 bits hold: keep the scale, remember if anything was lost.
                if digit != 0 { dropped = true }
                if !fraction { exponent += 1 }
            } else {
                significand = sum
                if fraction { exponent -= 1 }
            }
            index += 1
            count += 1
        }
        return count
    }

    private mutating func parseExponent() throws(JSONParseError) -> Int32 {
        var negative = false
        if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") {
            negative = current == UInt8(ascii: "-")
            index += 1
        }
        var value: Int32 = 0
        var count = 0
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            value = min(value * 10 + Int32(byte - UInt8(ascii: "0")), 100_000)
            index += 1
            count += 1
        }
        guard count > 0 else { throw fail("expected exponent digits") }
        guard value <= 400 else { throw fail("exponent out of range", .limit) }
        return negative ? -value : value
    }
}
