/// What a buyer sent back, before it is read: the HTTP status, its content type and body.
public struct BuyerReply: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The `Content-Type` header, if any.
    public var contentType: String?
    /// The body's bytes (cut at the gateway's size limit).
    public var body: [UInt8]
    /// Every header, in order.
    public var headers: [HeaderField]

    /// Creates a reply.
    public init(status: Int, contentType: String? = nil, body: [UInt8] = [], headers: [HeaderField] = []) {
        self.status = status
        self.contentType = contentType ?? headers.first { $0.name.lowercased() == "content-type" }?.value
        self.body = body
        self.headers = headers
    }
}

/// An answer's body, parsed as JSON, XML or text, with values found by ``Selector``s.
public struct ResponseDocument: Sendable {
    /// The parsed body.
    public enum Content: Sendable {
        /// A JSON document.
        case json(JSONValue)
        /// An XML document's root element.
        case xml(XMLElement)
        /// Text.
        case text
    }

    /// The parsed body.
    public let content: Content
    /// The body as text (for regular expressions).
    public let text: String

    /// Parses a body in a format (`auto`: by content type, else by its first character);
    /// `nil` with a reason when it is not what the format says.
    public static func parse(_ reply: BuyerReply, format: ResponseRules.Format) -> Result<ResponseDocument, ReadFailure> {
        let text = String(decoding: reply.body, as: UTF8.self)
        switch resolved(format, reply: reply) {
        case .json:
            guard let value = try? JSONParser.parse(reply.body) else { return .failure(ReadFailure("not JSON")) }
            return .success(ResponseDocument(content: .json(value), text: text))
        case .xml:
            guard let root = try? XMLDocumentParser.parse(reply.body) else { return .failure(ReadFailure("not XML")) }
            return .success(ResponseDocument(content: .xml(root), text: text))
        case .text, .auto:
            return .success(ResponseDocument(content: .text, text: text))
        }
    }

    private static func resolved(_ format: ResponseRules.Format, reply: BuyerReply) -> ResponseRules.Format {
        guard format == .auto else { return format }
        let type = reply.contentType?.lowercased() ?? ""
        if type.contains("json") { return .json }
        if type.contains("xml") { return .xml }
        switch reply.body.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) {
        case UInt8(ascii: "{")?, UInt8(ascii: "[")?: return .json
        case UInt8(ascii: "<")?: return .xml
        default: return .text
        }
    }

    /// The value a selector finds: the value at its path (text for XML), narrowed by its
    /// regular expression (its first group, else the whole match); `nil` when absent.
    public func select(_ selector: Selector) -> JSONValue? {
        let base: JSONValue?
        if let path = selector.path {
            base = value(at: path)
        } else {
            base = .string(text)
        }
        guard let regex = selector.regex else {
            guard let base, !base.isNull else { return nil }
            return base
        }
        guard let subject = base?.plainText else { return nil }
        return RegexCheck.firstMatch(regex, in: subject).map(JSONValue.string)
    }

    /// The value at a path; `nil` when absent.
    public func value(at path: ValuePath) -> JSONValue? {
        switch content {
        case .json(let root): Self.walk(root, path.segments[...])
        case .xml(let root): Self.walk(root, path.segments[...]).map(JSONValue.string)
        case .text: nil
        }
    }

    private static func walk(_ value: JSONValue, _ segments: ArraySlice<ValuePath.Segment>) -> JSONValue? {
        guard let first = segments.first else { return value }
        switch (first, value) {
        case (.key(let key), .object(let members)): return members[key].flatMap { walk($0, segments.dropFirst()) }
        case (.index(let index), .array(let elements)) where index < elements.count: return walk(elements[index], segments.dropFirst())
        default: return nil
        }
    }

    /// XML paths may start with the root element's name (`response.price`) or leave it out.
    private static func walk(_ root: XMLElement, _ segments: ArraySlice<ValuePath.Segment>) -> String? {
        if case .key(let name)? = segments.first, name == root.name || name == root.localName,
            let found = walkElement(root, segments.dropFirst())
        {
            return found
        }
        return walkElement(root, segments)
    }

    private static func walkElement(_ element: XMLElement, _ segments: ArraySlice<ValuePath.Segment>) -> String? {
        guard let first = segments.first else { return element.text }
        var rest = segments.dropFirst()
        switch first {
        case .attribute(let name): return rest.isEmpty ? element.attribute(name) : nil
        case .index: return nil
        case .key(let name):
            var occurrence = 0
            if case .index(let index)? = rest.first {
                occurrence = index
                rest = rest.dropFirst()
            }
            let matches = element.elements(named: name)
            return occurrence < matches.count ? walkElement(matches[occurrence], rest) : nil
        }
    }

    /// Whether a matcher holds.
    public func holds(_ matcher: Matcher) -> Bool {
        let value = matcher.selector.path == nil && matcher.selector.regex == nil ? JSONValue.string(text) : select(matcher.selector)
        switch matcher.test {
        case .exists(let wanted): return (value != nil) == wanted
        case .matches(let pattern): return value.map { RegexCheck.firstMatch(pattern, in: $0.plainText) != nil } ?? false
        case .equals(let options):
            guard let value, value.isScalar else { return false }
            let text = matcher.ignoreCase ? value.plainText.lowercased() : value.plainText
            return options.contains { (matcher.ignoreCase ? $0.lowercased() : $0) == text }
        }
    }

    /// Whether any of the matchers holds.
    public func holdsAny(_ matchers: [Matcher]) -> Bool {
        matchers.contains(where: holds)
    }
}

/// Why an answer could not be read.
public struct ReadFailure: Error, Sendable, Hashable {
    /// What was wrong.
    public var message: String

    /// Creates a failure.
    public init(_ message: String) {
        self.message = message
    }
}

extension RegexCheck {
    /// The first match of a pattern in a text: its first capture group when it has one,
    /// else the whole match; `nil` when it does not match or the pattern is invalid.
    static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? Regex(pattern), let match = try? regex.firstMatch(in: text) else { return nil }
        let output = match.output
        let piece = output.count > 1 ? output[1].substring : output[0].substring
        return piece.map(String.init)
    }
}
