/// One XML element: its name as written (`soap:Envelope`), its attributes in document order,
/// and its children (elements and text, CDATA included, in order).
///
/// Trees read by ``XMLDocumentParser`` are normalised: neighbouring text is one `.text` node, and
/// white-space-only text is dropped from elements that have child elements.
public struct XMLElement: Sendable, Hashable {
    /// The qualified name, prefix included (`soap:Envelope`).
    public var name: String
    /// The attributes, in document order.
    public var attributes: [XMLAttribute]
    /// The children, in document order.
    public var children: [XMLNode]

    /// Creates an element.
    public init(name: String, attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// The name without its namespace prefix (`Envelope` for `soap:Envelope`).
    public var localName: String {
        XMLElement.localPart(of: name)
    }

    /// The text of the element and its descendants, in document order, without leading and trailing
    /// XML white space (spaces, tabs, line feeds and carriage returns).
    public var text: String {
        var bytes: [UInt8] = []
        appendText(to: &bytes)
        return XMLElement.trimmed(bytes)
    }

    /// An attribute's value by its qualified name, else by its local name.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value ?? attributes.first { $0.localName == name }?.value
    }

    /// The child elements (text left out).
    public var elements: [XMLElement] {
        children.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// The child elements whose qualified or local name is `name`.
    public func elements(named name: String) -> [XMLElement] {
        elements.filter { $0.isNamed(name) }
    }

    /// The first child element whose qualified or local name is `name`.
    public func firstElement(named name: String) -> XMLElement? {
        for case .element(let element) in children where element.isNamed(name) { return element }
        return nil
    }

    private func isNamed(_ wanted: String) -> Bool {
        name == wanted || localName == wanted
    }

    /// Depth-first; parsed trees are at most `Limits.maxDepth` deep.
    private func appendText(to bytes: inout [UInt8]) {
        for child in children {
            switch child {
            case .text(let text): bytes += text.utf8
            case .element(let element): element.appendText(to: &bytes)
            }
        }
    }

    static func localPart(of name: String) -> String {
        guard let colon = name.utf8.lastIndex(of: UInt8(ascii: ":")) else { return name }
        return String(name[name.utf8.index(after: colon)...])
    }

    private static func trimmed(_ bytes: [UInt8]) -> String {
        guard let first = bytes.firstIndex(where: { !isXMLSpace($0) }),
            let last = bytes.lastIndex(where: { !isXMLSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    static func isXMLSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

/// An attribute of an XML element.
public struct XMLAttribute: Sendable, Hashable {
    /// Its qualified name, prefix included.
    public var name: String
    /// Its value, references decoded.
    public var value: String

    /// Creates an attribute.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The name without its namespace prefix (`code` for `r:code`).
    public var localName: String {
        XMLElement.localPart(of: name)
    }
}

/// A child of an XML element.
public enum XMLNode: Sendable, Hashable {
    /// An element.
    case element(XMLElement)
    /// Character data; CDATA sections and references become text too.
    case text(String)
}
