/// Why an XML document could not be read.
public struct XMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// The byte offset (from the start of the input, BOM included) where it was found.
    public var offset: Int

    /// Creates an error.
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The message with its offset.
    public var description: String { "\(message) at byte \(offset)" }
}

/// A small, strict XML reader for buyers' answers: elements, attributes, text, CDATA, the five
/// predefined entities and character references, in UTF-8 (a BOM is skipped; malformed UTF-8 is
/// read as U+FFFD; the characters XML forbids, such as most C0 controls, are refused, raw or as
/// references). The XML declaration, other processing instructions and comments are skipped, and
/// so is a DOCTYPE without an internal subset; one with an internal subset is refused, and no other
/// entity is ever expanded (no XXE, no "billion laughs"). Depth, node count and name length are
/// bounded, and nesting is followed with an explicit stack, so no input can exhaust the exchange.
///
/// Text is normalised: neighbouring text, CDATA and references make one `.text` node (comments and
/// processing instructions between them are dropped); line ends (`\r\n`, `\r`) are read as `\n`;
/// white-space-only text is dropped from an element that has child elements, while an element with
/// no child elements keeps its text exactly (`<a> x </a>` has the child `" x "`; ``XMLElement/text``
/// trims it). In attribute values, literal tabs and line ends become spaces; references do not.
public enum XMLDocumentParser {
    /// Bounds on one document.
    public struct Limits: Sendable {
        /// The deepest nesting of elements (the root is at depth 1).
        public var maxDepth: Int
        /// The most elements and text nodes in the document.
        public var maxNodes: Int
        /// The longest element or attribute name, in bytes.
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

/// The reader's state: the bytes, a position, the open elements (with where each started) and the
/// text being gathered for the innermost one.
struct XMLScanner {
    let bytes: [UInt8]
    let limits: XMLDocumentParser.Limits
    var index = 0
    var nodes = 0
    var open: [XMLElement] = []
    var openOffsets: [Int] = []
    var text: [UInt8] = []

    init(bytes: [UInt8], limits: XMLDocumentParser.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: Document

    mutating func document() throws(XMLParseError) -> XMLElement {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        try skipMisc(allowDoctype: true)
        guard peek == UInt8(ascii: "<") else {
            throw fail(index >= bytes.count ? "no root element" : "text before the root element")
        }
        let root = try rootElement()
        try skipMisc(allowDoctype: false)
        guard index >= bytes.count else {
            throw fail(peek == UInt8(ascii: "<") ? "a second root element" : "content after the root element")
        }
        return root
    }

    /// White space, comments, processing instructions and (before the root) one DOCTYPE.
    private mutating func skipMisc(allowDoctype: Bool) throws(XMLParseError) {
        var doctypeAllowed = allowDoctype
        while true {
            skipWhitespace()
            if starts("<?") {
                try skip(opener: 2, past: "?>", what: "processing instruction")
            } else if starts("<!--") {
                try skip(opener: 4, past: "-->", what: "comment")
            } else if doctypeAllowed && starts("<!DOCTYPE") {
                try skipDoctype()
                doctypeAllowed = false
            } else {
                return
            }
        }
    }

    /// `<!DOCTYPE name …>` without an internal subset; quoted literals may hold `>` and `[`.
    private mutating func skipDoctype() throws(XMLParseError) {
        let start = index
        index += 9
        var quote: UInt8?
        while let byte = peek {
            index += 1
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte
            case UInt8(ascii: "["): throw XMLParseError("a DOCTYPE with an internal subset is refused", at: index - 1)
            case UInt8(ascii: ">"): return
            default: break
            }
        }
        throw XMLParseError("unterminated DOCTYPE", at: start)
    }

    // MARK: Elements

    /// The root element and everything inside it, read with the explicit stack `open`.
    private mutating func rootElement() throws(XMLParseError) -> XMLElement {
        if let empty = try startElement() { return empty }
        while let byte = peek {
            switch byte {
            case UInt8(ascii: "<"):
                if let root = try markup() { return root }
            case UInt8(ascii: "&"):
                text += try reference().utf8
            case 0x0D:
                skipLineEnd()
                text.append(0x0A)
            default:
                try checkAllowed(byte)
                text.append(byte)
                index += 1
            }
        }
        throw XMLParseError("unterminated element <\(open.last?.name ?? "")>", at: openOffsets.last ?? index)
    }

    /// One piece of markup inside an element; the root once its end tag closes it.
    private mutating func markup() throws(XMLParseError) -> XMLElement? {
        if starts("<![CDATA[") {
            try cdata()
        } else if starts("<!--") {
            try skip(opener: 4, past: "-->", what: "comment")
        } else if starts("<?") {
            try skip(opener: 2, past: "?>", what: "processing instruction")
        } else if starts("</") {
            return try endTag()
        } else if starts("<!") {
            throw fail("a declaration inside an element")
        } else {
            try flushText(beforeElement: true)
            return try startElement()
        }
        return nil
    }

    /// A start tag. An empty element joins its parent at once, or is returned when it is the root;
    /// any other element is opened.
    private mutating func startElement() throws(XMLParseError) -> XMLElement? {
        let start = index
        guard open.count < limits.maxDepth else {
            throw XMLParseError("elements nested deeper than \(limits.maxDepth)", at: start)
        }
        let (element, closed) = try startTag()
        guard closed else {
            open.append(element)
            openOffsets.append(start)
            return nil
        }
        guard !open.isEmpty else { return element }
        open[open.count - 1].children.append(.element(element))
        return nil
    }

    /// `<name attr="value" …>` or `<name …/>`.
    private mutating func startTag() throws(XMLParseError) -> (XMLElement, closed: Bool) {
        let start = index
        index += 1
        var element = XMLElement(name: try readName())
        try count()
        var seen: Set<String> = []
        while true {
            let spaced = skipWhitespace()
            guard let byte = peek else { throw XMLParseError("unterminated start tag <\(element.name)", at: start) }
            if byte == UInt8(ascii: ">") {
                index += 1
                return (element, false)
            }
            if starts("/>") {
                index += 2
                return (element, true)
            }
            guard spaced else { throw fail("attributes must be separated by white space") }
            let attributeStart = index
            let attribute = try readAttribute()
            guard seen.insert(attribute.name).inserted else {
                throw XMLParseError("attribute '\(attribute.name)' appears twice", at: attributeStart)
            }
            element.attributes.append(attribute)
        }
    }

    /// `</name>`: closes the innermost open element; returns it when it is the root.
    private mutating func endTag() throws(XMLParseError) -> XMLElement? {
        let start = index
        index += 2
        let name = try readName()
        skipWhitespace()
        guard peek == UInt8(ascii: ">") else { throw fail("malformed end tag </\(name)") }
        guard !open.isEmpty, open[open.count - 1].name == name else {
            throw XMLParseError("</\(name)> does not close <\(open.last?.name ?? "")>", at: start)
        }
        index += 1
        try flushText(beforeElement: false)
        let element = open.removeLast()
        openOffsets.removeLast()
        guard !open.isEmpty else { return element }
        open[open.count - 1].children.append(.element(element))
        return nil
    }

    private mutating func readAttribute() throws(XMLParseError) -> XMLAttribute {
        let name = try readName()
        skipWhitespace()
        guard peek == UInt8(ascii: "=") else { throw fail("attribute '\(name)' has no value") }
        index += 1
        skipWhitespace()
        guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
            throw fail("the value of attribute '\(name)' needs quotes")
        }
        let start = index
        index += 1
        let value = try attributeValue(quote: quote)
        guard peek == quote else { throw XMLParseError("unterminated value of attribute '\(name)'", at: start) }
        index += 1
        return XMLAttribute(name: name, value: String(decoding: value, as: UTF8.self))
    }

    /// The bytes up to the closing quote (not consumed): references decoded, literal white space as spaces.
    private mutating func attributeValue(quote: UInt8) throws(XMLParseError) -> [UInt8] {
        var value: [UInt8] = []
        while let byte = peek, byte != quote {
            switch byte {
            case UInt8(ascii: "<"):
                throw fail("'<' in an attribute value")
            case UInt8(ascii: "&"):
                value += try reference().utf8
            case 0x0D:
                skipLineEnd()
                value.append(0x20)
            case 0x09, 0x0A:
                value.append(0x20)
                index += 1
            default:
                try checkAllowed(byte)
                value.append(byte)
                index += 1
            }
        }
        return value
    }

    private mutating func readName() throws(XMLParseError) -> String {
        let start = index
        while let byte = peek, !Self.endsName(byte) {
            index += 1
            guard index - start <= limits.maxNameBytes else {
                throw XMLParseError("a name longer than \(limits.maxNameBytes) bytes", at: start)
            }
        }
        guard index > start else { throw fail("a name was expected") }
        let name = String(decoding: bytes[start..<index], as: UTF8.self)
        guard XMLName.isName(name) else { throw XMLParseError("'\(name.prefix(40))' is not an XML name", at: start) }
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

    /// `<![CDATA[ … ]]>`: its bytes join the gathered text verbatim (line ends normalised).
    private mutating func cdata() throws(XMLParseError) {
        let start = index
        index += 9
        guard let end = find("]]>", from: index) else { throw XMLParseError("unterminated CDATA section", at: start) }
        while index < end {
            if bytes[index] == 0x0D {
                skipLineEnd()
                text.append(0x0A)
            } else {
                try checkAllowed(bytes[index])
                text.append(bytes[index])
                index += 1
            }
        }
        index = end + 3
    }

    /// Ends the gathered text as a child of the innermost open element. White-space-only text is
    /// dropped when that element has child elements, or is about to get one (`beforeElement`).
    private mutating func flushText(beforeElement: Bool) throws(XMLParseError) {
        guard !text.isEmpty, !open.isEmpty else { return }
        defer { text.removeAll(keepingCapacity: true) }
        let current = open.count - 1
        let hasElements = beforeElement || open[current].children.contains { if case .element = $0 { true } else { false } }
        if hasElements && text.allSatisfy(XMLElement.isXMLSpace) { return }
        try count()
        open[current].children.append(.text(String(decoding: text, as: UTF8.self)))
    }

    /// `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#65;` or `&#x41;`: the character it stands for.
    private mutating func reference() throws(XMLParseError) -> Unicode.Scalar {
        let start = index
        let window = bytes[(index + 1)..<min(bytes.count, index + 40)]
        guard let semicolon = window.firstIndex(of: UInt8(ascii: ";")) else {
            throw XMLParseError("a '&' that starts no reference (write &amp;)", at: start)
        }
        let body = bytes[(index + 1)..<semicolon]
        index = semicolon + 1
        if let byte = Self.predefined(body) { return Unicode.Scalar(byte) }
        guard body.first == UInt8(ascii: "#") else {
            let name = String(decoding: body.prefix(24), as: UTF8.self)
            throw XMLParseError("unknown entity '&\(name);' (only the five predefined ones and character references)", at: start)
        }
        guard let scalar = Self.characterReference(body.dropFirst()) else {
            throw XMLParseError("'&\(String(decoding: body, as: UTF8.self));' is not a valid character reference", at: start)
        }
        return scalar
    }

    private static func predefined(_ name: ArraySlice<UInt8>) -> UInt8? {
        switch String(decoding: name, as: UTF8.self) {
        case "lt": UInt8(ascii: "<")
        case "gt": UInt8(ascii: ">")
        case "amp": UInt8(ascii: "&")
        case "quot": UInt8(ascii: "\"")
        case "apos": UInt8(ascii: "'")
        default: nil
        }
    }

    /// `65` or `x41` (what follows `&#`): a character XML allows, else nil.
    private static func characterReference(_ reference: ArraySlice<UInt8>) -> Unicode.Scalar? {
        let hex = reference.first == UInt8(ascii: "x")
        let digits = hex ? reference.dropFirst() : reference
        let radix: UInt32 = hex ? 16 : 10
        guard !digits.isEmpty else { return nil }
        var value: UInt32 = 0
        for byte in digits {
            guard let digit = hexDigit(byte), digit < radix else { return nil }
            value = value * radix + digit
            guard value <= 0x10FFFF else { return nil }
        }
        return XMLName.isAllowed(value) ? Unicode.Scalar(value) : nil
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Refuses the byte at `index` (which is `byte`) if it starts a character XML forbids even in text:
    /// a C0 control other than tab and line ends, U+FFFE or U+FFFF.
    private func checkAllowed(_ byte: UInt8) throws(XMLParseError) {
        let forbidden =
            switch byte {
            case 0x09, 0x0A, 0x0D: false
            case 0x00..<0x20: true
            case 0xEF: index + 2 < bytes.count && bytes[index + 1] == 0xBF && bytes[index + 2] >= 0xBE
            default: false
            }
        guard forbidden else { return }
        throw fail(byte == 0xEF ? "a noncharacter (U+FFFE or U+FFFF)" : "a control character (byte \(byte)), which XML forbids")
    }

    // MARK: Bytes

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func starts(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { $0.elementsEqual(bytes[index..<(index + count)]) }
    }

    /// Where `literal` next occurs at or after `start`.
    private func find(_ literal: StaticString, from start: Int) -> Int? {
        literal.withUTF8Buffer { needle -> Int? in
            guard let head = needle.first else { return start }
            var position = start
            while position + needle.count <= bytes.count {
                let end = position + needle.count
                if bytes[position] == head && needle.elementsEqual(bytes[position..<end]) { return position }
                position += 1
            }
            return nil
        }
    }

    /// Skips a construct that starts with `opener` bytes and ends with `literal`.
    private mutating func skip(opener: Int, past literal: StaticString, what: String) throws(XMLParseError) {
        let start = index
        guard let end = find(literal, from: index + opener) else { throw XMLParseError("unterminated \(what)", at: start) }
        index = end + literal.utf8CodeUnitCount
    }

    /// A carriage return, and a line feed right after it.
    private mutating func skipLineEnd() {
        index += 1
        if peek == 0x0A { index += 1 }
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = index
        while let byte = peek, XMLElement.isXMLSpace(byte) { index += 1 }
        return index > start
    }

    private mutating func count() throws(XMLParseError) {
        nodes += 1
        guard nodes <= limits.maxNodes else { throw fail("more than \(limits.maxNodes) elements and text nodes") }
    }

    private func fail(_ message: String) -> XMLParseError {
        XMLParseError(message, at: index)
    }
}
