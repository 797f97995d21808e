/// A generated document for people (the sellers' posting guide), written once as values and
/// rendered as Markdown or as HTML. Every text is data: each renderer escapes it for its
/// format, so nothing a seller, vertical or request supplied can add markup.
struct GuideDocument: Sendable, Hashable {
    /// The title (`#` / `<h1>`).
    var title: String
    /// The paragraphs under the title.
    var intro: [GuideBlock]
    /// The sections.
    var sections: [GuideSection]
}

/// A section with a heading.
struct GuideSection: Sendable, Hashable {
    /// An id unique in the document (the HTML anchor).
    var id: String
    /// The heading.
    var title: String
    /// The content.
    var blocks: [GuideBlock]
}

/// A block of content.
enum GuideBlock: Sendable, Hashable {
    /// A paragraph.
    case paragraph([GuideInline])
    /// A bulleted list, one item per element.
    case list([[GuideInline]])
    /// A table: column headings and rows of cells.
    case table(columns: [String], rows: [[[GuideInline]]])
    /// A code block (`sh`, `json`, `text`), shown verbatim.
    case code(language: String, text: String)
    /// A third-level heading.
    case heading(String)
}

/// A run of text in a paragraph, list item or table cell.
enum GuideInline: Sendable, Hashable, ExpressibleByStringInterpolation {
    /// Plain text.
    case text(String)
    /// Code (a name, a value, a header).
    case code(String)
    /// Emphasised text.
    case strong(String)
    /// A link to a local path or an http(s) URL the exchange built.
    case link(String, href: String)

    /// Plain text from a literal.
    init(stringLiteral value: String) {
        self = .text(value)
    }

    /// Plain text from an interpolated literal.
    init(stringInterpolation: DefaultStringInterpolation) {
        self = .text(String(stringInterpolation: stringInterpolation))
    }

    /// The exchange's own sentences written with `backticks` around code, as runs of text and
    /// code (never for text a seller, vertical or request supplied).
    static func markup(_ text: String) -> [GuideInline] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().compactMap { offset, part in
            part.isEmpty ? nil : offset % 2 == 0 ? .text(String(part)) : .code(String(part))
        }
    }
}
