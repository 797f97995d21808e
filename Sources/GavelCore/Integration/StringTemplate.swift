/// Text with placeholders, `"{{first_name}} {{last_name}}"` or `"Bearer {{$secret.token}}"`:
/// literal text and references to a lead's fields or the exchange's values (``SourceRef``).
///
/// A template is data: rendering substitutes values and nothing else (no expressions, no
/// loops, no code).
public struct StringTemplate: Sendable, Hashable, CustomStringConvertible {
    /// A piece of a template.
    public enum Part: Sendable, Hashable {
        /// Text copied as it is.
        case literal(String)
        /// A value substituted as plain text (empty when the lead has none).
        case reference(SourceRef)
    }

    /// The template as written.
    public let text: String
    /// Its pieces, in order.
    public let parts: [Part]

    /// The template as written.
    public var description: String { text }

    /// A template without placeholders.
    public init(literal text: String) {
        self.text = text
        parts = text.isEmpty ? [] : [.literal(text)]
    }

    private init(text: String, parts: [Part]) {
        self.text = text
        self.parts = parts
    }

    /// Reads a template, or says what is wrong with it (an unclosed `{{`, an unknown `$` name).
    public static func parse(_ text: String) -> Result<StringTemplate, TemplateError> {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else { return .failure(.unclosed) }
            let name = rest[open.upperBound..<close.lowerBound].trimmingSpaces
            guard let reference = SourceRef(String(name)) else { return .failure(.unknownName(String(name))) }
            parts.append(.reference(reference))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return .success(StringTemplate(text: text, parts: parts))
    }

    /// Every reference the template makes.
    public var references: [SourceRef] {
        parts.compactMap { if case .reference(let reference) = $0 { reference } else { nil } }
    }

    /// Whether the template has no placeholders.
    public var isLiteral: Bool { references.isEmpty }

    /// The text with each placeholder replaced by its value's plain text, transformed by
    /// `encode` (e.g. percent-encoding for a URL path); a missing value becomes empty.
    public func render(_ values: CallValues, encode: (String) -> String = { $0 }) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .reference(let reference): out += encode(values.value(reference)?.plainText ?? "")
            }
        }
        return out
    }

    /// Like ``render(_:encode:)``, but `nil` when the template has placeholders and none of
    /// them has a value (so a concatenation of missing fields counts as missing).
    public func renderIfAny(_ values: CallValues) -> String? {
        let references = references
        if !references.isEmpty && references.allSatisfy({ values.value($0) == nil }) { return nil }
        return render(values)
    }
}

/// Why a template could not be read.
public enum TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A `{{` without its `}}`.
    case unclosed
    /// A placeholder naming nothing known.
    case unknownName(String)

    /// A message for a problem+json error.
    public var description: String {
        switch self {
        case .unclosed: "has a '{{' without its closing '}}'"
        case .unknownName(let name):
            "'{{\(name)}}' names nothing: use a field of the vertical or one of \(SourceRef.exchangeNames.joined(separator: ", "))"
        }
    }
}
