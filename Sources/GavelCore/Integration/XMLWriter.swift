/// Writes XML: compact (no white space added), UTF-8, with text and attribute values escaped.
///
/// Names are written as given; callers check them with ``isValidName(_:)``. Characters that XML 1.0
/// forbids even as references (C0 controls other than tab, line feed and carriage return; U+FFFE and
/// U+FFFF) are left out of text and attribute values, so the output is always well formed. A tree
/// like the ones ``XMLDocumentParser`` returns reads back equal.
public enum XMLWriter {
    /// `<?xml version="1.0" encoding="UTF-8"?>` followed by the element, compact.
    public static func document(_ root: XMLElement) -> [UInt8] {
        var out = Array(#"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
        write(root, into: &out)
        return out
    }

    /// The element alone, compact.
    public static func bytes(_ element: XMLElement) -> [UInt8] {
        var out: [UInt8] = []
        write(element, into: &out)
        return out
    }

    /// Text with `&`, `<` and `>` escaped, and a carriage return as `&#13;` (so it is not read as a line end).
    public static func escapeText(_ text: String) -> String {
        escape(text, attribute: false)
    }

    /// An attribute value with `&`, `<`, `>`, `"` and `'` escaped, and tabs, line feeds and carriage returns
    /// as character references (so attribute normalisation keeps them).
    public static func escapeAttribute(_ text: String) -> String {
        escape(text, attribute: true)
    }

    /// Whether `name` is an XML name of at most 256 bytes: it starts with an ASCII letter, `_`, `:` or a
    /// non-ASCII letter, and goes on with those, digits, `-`, `.` and non-ASCII letters, digits or marks.
    public static func isValidName(_ name: String) -> Bool {
        name.utf8.count <= 256 && XMLName.isName(name)
    }

    /// Depth-first; parsed trees are at most `Limits.maxDepth` deep.
    private static func write(_ element: XMLElement, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "<"))
        out += element.name.utf8
        for attribute in element.attributes {
            out.append(UInt8(ascii: " "))
            out += attribute.name.utf8
            out += #"=""#.utf8
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
        out += "</".utf8
        out += element.name.utf8
        out.append(UInt8(ascii: ">"))
    }

    private static func escape(_ text: String, attribute: Bool) -> String {
        guard text.utf8.contains(where: { mayNeedWork($0, attribute: attribute) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if let replacement = replacement(for: scalar, attribute: attribute) {
                out += replacement
            } else if XMLName.isAllowed(scalar) {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A quick test on UTF-8: control characters, the escaped ASCII ones, and 0xEF (which leads U+FFFE and U+FFFF).
    private static func mayNeedWork(_ byte: UInt8, attribute: Bool) -> Bool {
        switch byte {
        case 0x0A, 0x09: attribute
        case 0x00..<0x20, 0xEF, UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"): true
        case UInt8(ascii: "\""), UInt8(ascii: "'"): attribute
        default: false
        }
    }

    private static func replacement(for scalar: Unicode.Scalar, attribute: Bool) -> String? {
        switch scalar {
        case "&": "&amp;"
        case "<": "&lt;"
        case ">": "&gt;"
        case "\r": "&#13;"
        case "\"" where attribute: "&quot;"
        case "'" where attribute: "&apos;"
        case "\t" where attribute: "&#9;"
        case "\n" where attribute: "&#10;"
        default: nil
        }
    }
}

/// The characters of XML names and documents.
enum XMLName {
    /// Whether `name` matches the `Name` production (as far as ``isStart(_:)`` and ``isPart(_:)`` go), of any length.
    static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        return isStart(first) && name.unicodeScalars.dropFirst().allSatisfy(isPart)
    }

    /// A character that may start a name.
    static func isStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "_", ":": true
        default: scalar.value > 0x7F && scalar.properties.isAlphabetic
        }
    }

    /// A character that may follow the first one in a name.
    static func isPart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "-", ".": true
        default: isStart(scalar) || (scalar.value > 0x7F && isNonASCIINamePart(scalar))
        }
    }

    private static func isNonASCIINamePart(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\u{B7}" || scalar.properties.numericType != nil { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .connectorPunctuation: return true
        default: return false
        }
    }

    /// Whether XML 1.0 allows the character in a document at all (the `Char` production).
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        isAllowed(scalar.value)
    }

    /// Whether XML 1.0 allows the code point in a document at all (the `Char` production).
    static func isAllowed(_ value: UInt32) -> Bool {
        switch value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
