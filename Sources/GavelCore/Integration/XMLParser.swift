/// A small, strict XML reader for buyers' answers: elements, attributes, text, CDATA, the five
/// predefined entities and character references. Declarations, comments and processing
/// instructions are skipped; a DOCTYPE with an internal subset is refused and no other entity
/// is ever expanded (no XXE, no "billion laughs"). Depth, node count and name length are
/// bounded, and nesting is handled with an explicit stack, so no input can exhaust the exchange.
///
/// Whitespace-only text between child elements is dropped; an element with no child elements
/// keeps its text exactly (``XMLElement/text`` trims it).
public enum XMLDocumentParser {
    /// Bounds on one document.
    public struct Limits: Sendable {
        /// Deepest nesting of elements.
        public var maxDepth: Int
        /// Most elements and text nodes.
        public var maxNodes: Int
        /// Longest element or attribute name, in bytes.
        public var maxNameBytes: Int

        /// Creates limits.
        public init(maxDepth: Int = 64, maxNodes: Int = 20_000, maxNameBytes: Int = 256) {
            self.maxDepth = maxDepth
            self.maxNodes = maxNodes
            self.maxNameBytes = maxNameBytes
        }
    }

    /// Parses a complete document (UTF-8) and returns its root element.
    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(XMLParseError) -> XMLElement {
        var scanner = XMLScanner(bytes: bytes, limits: limits)
        return try scanner.document()
    }

    /// Parses a complete document and returns its root element.
    public static func parse(_ text: String, limits: Limits = Limits()) throws(XMLParseError) -> XMLElement {
        try parse(Array(text.utf8), limits: limits)
    }
}

/// The reader's state: the bytes, a position, the open elements and the text being gathered.
struct XMLScanner {
    let bytes: [UInt8]
    let limits: XMLDocumentParser.Limits
    var index = 0
    var nodes = 0
    var open: [XMLElement] = []
    var text: [UInt8] = []

    init(bytes: [UInt8], limits: XMLDocumentParser.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: Document

    mutating func document() throws(XMLParseError) -> XMLElement {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        try skipMisc(allowDoctype: true)
        guard peek == UInt8(ascii: "<") else { throw fail(index >= bytes.count ? "no root element" : "text before the root element") }
        let root = try rootElement()
        try skipMisc(allowDoctype: false)
        guard index >= bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// White space, comments, processing instructions and (before the root) a DOCTYPE.
    private mutating func skipMisc(allowDoctype: Bool) throws(XMLParseError) {
        while true {
            skipWhitespace()
            if starts("<?") {
                try skip(past: "?>", what: "processing instruction")
            } else if starts("<!--") {
                try skip(past: "-->", what: "comment")
            } else if starts("<!DOCTYPE") && allowDoctype {
                try skipDoctype()
            } else {
                return
            }
        }
    }

    private mutating func skipDoctype() throws(XMLParseError) {
        let start = index
        while index < bytes.count && bytes[index] != UInt8(ascii: ">") {
            if bytes[index] == UInt8(ascii: "[") { throw XMLParseError("a DOCTYPE with an internal subset is refused", at: index) }
            index += 1
        }
        guard index < bytes.count else { throw XMLParseError("unterminated DOCTYPE", at: start) }
        index += 1
    }

    // MARK: Elements

    /// The root element and everything inside it, read with an explicit stack.
    private mutating func rootElement() throws(XMLParseError) -> XMLElement {
        let (root, closed) = try startTag()
        if closed { return root }
        open.append(root)
        while true {
            guard index < bytes.count else { throw fail("unterminated element <\(open.last?.name ?? "")>") }
            switch bytes[index] {
            case UInt8(ascii: "<"):
                if let finished = try markup() { return finished }
            case UInt8(ascii: "&"):
                text += try entity()
            default:
                text.append(bytes[index])
                index += 1
            }
        }
    }

    /// One piece of markup inside an element; the root when its end tag closes it.
    private mutating func markup() throws(XMLParseError) -> XMLElement? {
        if starts("<![CDATA[") { return try cdata() }
        if starts("<!--") {
            try flushText()
            try skip(past: "-->", what: "comment")
            return nil
        }
        if starts("<?") {
            try flushText()
            try skip(past: "?>", what: "processing instruction")
            return nil
        }
        if starts("</") { return try endTag() }
        if starts("<!") { throw fail("a declaration inside an element") }
        try flushText()
        let (element, closed) = try startTag()
        if closed {
            open[open.count - 1].children.append(.element(element))
        } else {
            guard open.count < limits.maxDepth else { throw fail("nested deeper than \(limits.maxDepth) elements") }
            open.append(element)
        }
        return nil
    }

    private mutating func cdata() throws(XMLParseError) -> XMLElement? {
        index += 9
        let start = index
        guard let end = find("]]>") else { throw XMLParseError("unterminated CDATA section", at: start) }
        text += bytes[start..<end]
        index = end + 3
        return nil
    }

    /// `</name>`: closes the innermost open element.
    private mutating func endTag() throws(XMLParseError) -> XMLElement? {
        index += 2
        let name = try readName()
        skipWhitespace()
        guard peek == UInt8(ascii: ">") else { throw fail("malformed end tag </\(name)") }
        index += 1
        try flushText()
        guard var element = open.popLast(), element.name == name else { throw fail("</\(name)> does not close the open element") }
        element.children = Self.tidy(element.children)
        guard !open.isEmpty else { return element }
        open[open.count - 1].children.append(.element(element))
        return nil
    }

    /// `<name attr="value" …>` or `<name …/>`.
    private mutating func startTag() throws(XMLParseError) -> (XMLElement, closed: Bool) {
        index += 1
        var element = XMLElement(name: try readName())
        try count()
        while true {
            let spaced = skipWhitespace()
            guard let byte = peek else { throw fail("unterminated start tag <\(element.name)") }
            if byte == UInt8(ascii: ">") {
                index += 1
                return (element, false)
            }
            if starts("/>") {
                index += 2
                return (element, true)
            }
            guard spaced else { throw fail("attributes must be separated by white space") }
            let attribute = try readAttribute()
            guard !element.attributes.contains(where: { $0.name == attribute.name }) else {
                throw fail("attribute '\(attribute.name)' appears twice")
            }
            element.attributes.append(attribute)
        }
    }

    private mutating func readAttribute() throws(XMLParseError) -> XMLAttribute {
        let name = try readName()
        skipWhitespace()
        guard peek == UInt8(ascii: "=") else { throw fail("attribute '\(name)' has no value") }
        index += 1
        skipWhitespace()
        guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { throw fail("attribute values need quotes") }
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("unterminated attribute value") }
            let byte = bytes[index]
            if byte == quote { break }
            if byte == UInt8(ascii: "<") { throw fail("'<' in an attribute value") }
            if byte == UInt8(ascii: "&") {
                value += try entity()
                continue
            }
            value.append(byte == 0x09 || byte == 0x0A || byte == 0x0D ? 0x20 : byte)
            index += 1
        }
        index += 1
        return XMLAttribute(name: name, value: String(decoding: value, as: UTF8.self))
    }

    private mutating func readName() throws(XMLParseError) -> String {
        let start = index
        while index < bytes.count, !Self.endsName(bytes[index]) { index += 1 }
        guard index > start else { throw fail("a name was expected") }
        guard index - start <= limits.maxNameBytes else { throw XMLParseError("a name longer than \(limits.maxNameBytes) bytes", at: start) }
        let name = String(decoding: bytes[start..<index], as: UTF8.self)
        guard XMLWriter.isValidName(name) else { throw XMLParseError("'\(name.prefix(40))' is not an XML name", at: start) }
        return name
    }

    private static func endsName(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "/"), UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "<"),
            UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "&"):
            true
        default: false
        }
    }

    // MARK: Text

    /// Ends the text gathered so far as a child of the innermost open element.
    private mutating func flushText() throws(XMLParseError) {
        guard !text.isEmpty else { return }
        try count()
        open[open.count - 1].children.append(.text(String(decoding: text, as: UTF8.self)))
        text.removeAll(keepingCapacity: true)
    }

    /// Merges neighbouring text and, in an element with child elements, drops white-space-only text.
    static func tidy(_ children: [XMLNode]) -> [XMLNode] {
        var merged: [XMLNode] = []
        for child in children {
            if case .text(let next) = child, case .text(let previous)? = merged.last {
                merged[merged.count - 1] = .text(previous + next)
            } else {
                merged.append(child)
            }
        }
        guard merged.contains(where: { if case .element = $0 { true } else { false } }) else { return merged }
        return merged.filter { node in
            guard case .text(let text) = node else { return true }
            return !text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        }
    }

    /// `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#65;` or `&#x41;`, appended as UTF-8.
    private mutating func entity() throws(XMLParseError) -> [UInt8] {
        let start = index
        guard let semicolon = bytes[index...].prefix(16).firstIndex(of: UInt8(ascii: ";")) else {
            throw XMLParseError("a '&' that starts no entity", at: start)
        }
        let name = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
        index = semicolon + 1
        if let predefined = Self.predefined[name] { return [predefined] }
        guard name.hasPrefix("#"), let scalar = Self.characterReference(name.dropFirst()) else {
            throw XMLParseError("unknown entity '&\(name.prefix(12));' (only the five predefined ones and character references)", at: start)
        }
        return Array(String(Character(scalar)).utf8)
    }

    private static let predefined: [String: UInt8] = [
        "lt": UInt8(ascii: "<"), "gt": UInt8(ascii: ">"), "amp": UInt8(ascii: "&"), "quot": UInt8(ascii: "\""), "apos": UInt8(ascii: "'"),
    ]

    private static func characterReference(_ text: Substring) -> Unicode.Scalar? {
        let value = text.hasPrefix("x") ? UInt32(text.dropFirst(), radix: 16) : UInt32(text, radix: 10)
        guard let value, !text.isEmpty, isXMLChar(value) else { return nil }
        return Unicode.Scalar(value)
    }

    private static func isXMLChar(_ value: UInt32) -> Bool {
        value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value) || (0xE000...0xFFFD).contains(value)
            || (0x10000...0x10FFFF).contains(value)
    }

    // MARK: Bytes

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func starts(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in buffer.elementsEqual(bytes[index..<(index + count)]) }
    }

    private func find(_ literal: StaticString) -> Int? {
        literal.withUTF8Buffer { needle -> Int? in
            guard bytes.count >= needle.count else { return nil }
            var position = index
            while position + needle.count <= bytes.count {
                if bytes[position] == needle[0] && needle.elementsEqual(bytes[position..<(position + needle.count)]) { return position }
                position += 1
            }
            return nil
        }
    }

    private mutating func skip(past literal: StaticString, what: String) throws(XMLParseError) {
        let start = index
        guard let end = find(literal) else { throw XMLParseError("unterminated \(what)", at: start) }
        index = end + literal.utf8CodeUnitCount
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        return index > start
    }

    private mutating func count() throws(XMLParseError) {
        nodes += 1
        guard nodes <= limits.maxNodes else { throw fail("more than \(limits.maxNodes) nodes") }
    }

    private func fail(_ message: String) -> XMLParseError {
        XMLParseError(message, at: index)
    }
}
