/// One XML element: its name as written (`soap:Envelope`), its attributes in document order,
/// and its children (elements and text, CDATA included, in order).
public struct XMLElement: Sendable, Hashable {
    /// The qualified name, prefix included.
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
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    /// The text of the element and its descendants, in order, without surrounding white space.
    public var text: String {
        var out = ""
        appendText(to: &out)
        return out.trimmingSpaces
    }

    private func appendText(to out: inout String) {
        for child in children {
            switch child {
            case .text(let text): out += text
            case .element(let element): element.appendText(to: &out)
            }
        }
    }

    /// An attribute's value by its qualified name, else by its local name.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value ?? attributes.first { $0.localName == name }?.value
    }

    /// The child elements.
    public var elements: [XMLElement] {
        children.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// The child elements whose qualified or local name is `name`.
    public func elements(named name: String) -> [XMLElement] {
        elements.filter { $0.name == name || $0.localName == name }
    }

    /// The first child element whose qualified or local name is `name`.
    public func firstElement(named name: String) -> XMLElement? {
        elements.first { $0.name == name || $0.localName == name }
    }
}

/// An attribute of an XML element.
public struct XMLAttribute: Sendable, Hashable {
    /// Its qualified name.
    public var name: String
    /// Its value, entities decoded.
    public var value: String

    /// Creates an attribute.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The name without its namespace prefix.
    public var localName: String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}

/// A child of an XML element.
public indirect enum XMLNode: Sendable, Hashable {
    /// An element.
    case element(XMLElement)
    /// Character data (CDATA sections become text too).
    case text(String)
}

/// Why an XML document could not be read.
public struct XMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// The byte offset where it was found.
    public var offset: Int

    /// Creates an error.
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// A description with the offset.
    public var description: String { "\(message) at byte \(offset)" }
}

/// Writes XML documents: compact, with text and attribute values escaped.
public enum XMLWriter {
    /// The XML declaration followed by the element.
    public static func document(_ root: XMLElement) -> [UInt8] {
        var out = Array(#"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
        write(root, into: &out)
        return out
    }

    /// The element alone.
    public static func bytes(_ element: XMLElement) -> [UInt8] {
        var out: [UInt8] = []
        write(element, into: &out)
        return out
    }

    private static func write(_ element: XMLElement, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "<"))
        out += element.name.utf8
        for attribute in element.attributes {
            out += " \(attribute.name)=\"".utf8
            out += escapeAttribute(attribute.value).utf8
            out.append(UInt8(ascii: "\""))
        }
        guard !element.children.isEmpty else { return out += "/>".utf8 }
        out.append(UInt8(ascii: ">"))
        for child in element.children {
            switch child {
            case .text(let text): out += escapeText(text).utf8
            case .element(let nested): write(nested, into: &out)
            }
        }
        out += "</\(element.name)>".utf8
    }

    /// Text with `&`, `<`, `>` (and a carriage return) escaped.
    public static func escapeText(_ text: String) -> String {
        escape(text, attribute: false)
    }

    /// An attribute value with `&`, `<`, `>`, `"`, `'`, tabs and line breaks escaped.
    public static func escapeAttribute(_ text: String) -> String {
        escape(text, attribute: true)
    }

    private static func escape(_ text: String, attribute: Bool) -> String {
        guard text.utf8.contains(where: { needsEscape($0, attribute: attribute) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#13;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&apos;"
            case "\t" where attribute: out += "&#9;"
            case "\n" where attribute: out += "&#10;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ byte: UInt8, attribute: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\r"): true
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\t"), UInt8(ascii: "\n"): attribute
        default: false
        }
    }

    /// Whether a name is an XML name: it starts with a letter, `_` or `:` (or any non-ASCII
    /// letter), and goes on with those, digits, `-` and `.`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 256 else { return false }
        return XMLName.isStart(first) && name.unicodeScalars.dropFirst().allSatisfy(XMLName.isPart)
    }
}

/// The characters of XML names.
enum XMLName {
    static func isStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "_", ":": true
        default: scalar.value > 0x7F && scalar.properties.isAlphabetic
        }
    }

    static func isPart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "-", ".": true
        default: isStart(scalar) || (scalar.value > 0x7F && scalar.properties.numericType != nil)
        }
    }
}
