/// Renders a ``GuideDocument`` as CommonMark with GitHub tables.
enum GuideMarkdown {
    /// The whole document.
    static func render(_ document: GuideDocument) -> String {
        var out = "# \(escape(document.title))\n\n"
        for block in document.intro { out += render(block) }
        for section in document.sections {
            out += "## \(escape(section.title))\n\n"
            for block in section.blocks { out += render(block) }
        }
        return out
    }

    static func render(_ block: GuideBlock) -> String {
        switch block {
        case .paragraph(let spans): return inline(spans) + "\n\n"
        case .heading(let text): return "### \(escape(text))\n\n"
        case .list(let items): return items.map { "- " + inline($0) + "\n" }.joined() + "\n"
        case .table(let columns, let rows):
            let head = "| " + columns.map { cell([.text($0)]) }.joined(separator: " | ") + " |\n"
            let rule = "|" + columns.map { _ in " --- |" }.joined() + "\n"
            return head + rule + rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |\n" }.joined() + "\n"
        case .code(let language, let text):
            var fence = "```"
            while text.contains(fence) { fence += "`" }
            return "\(fence)\(language)\n\(text)\n\(fence)\n\n"
        }
    }

    static func inline(_ spans: [GuideInline]) -> String {
        spans.map { span in
            switch span {
            case .text(let text): escape(text)
            case .code(let text): codeSpan(text)
            case .strong(let text): "**\(escape(text))**"
            case .link(let text, let href): "[\(escape(text))](\(href.replacingOccurrences(of: " ", with: "%20")))"
            }
        }.joined()
    }

    /// A table cell: one line, with `|` escaped.
    private static func cell(_ spans: [GuideInline]) -> String {
        inline(spans).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// A code span long enough to hold the backticks inside it.
    private static func codeSpan(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        var ticks = "`"
        while flat.contains(ticks) { ticks += "`" }
        let pad = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return ticks + pad + flat + pad + ticks
    }

    /// Text with Markdown's active characters escaped: backslashes, backticks, `*`, brackets,
    /// angle brackets, a `_` that could open or close emphasis (not one inside a word, as in
    /// `ping_ttl_s`) and a leading `#`; a newline becomes a space.
    static func escape(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        for (index, character) in characters.enumerated() {
            switch character {
            case "\\", "`", "*", "[", "]", "<", ">": out += "\\\(character)"
            case "_" where !(isWord(characters, index - 1) && isWord(characters, index + 1)): out += "\\_"
            case "#" where index == 0: out += "\\#"
            case "\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    private static func isWord(_ characters: [Character], _ index: Int) -> Bool {
        characters.indices.contains(index) && (characters[index].isLetter || characters[index].isNumber)
    }
}

/// Renders a ``GuideDocument``'s sections as HTML in the dashboard's look (cards, tables,
/// code blocks); every text is escaped, so the result may be inserted into a page unescaped.
enum GuideHTML {
    /// The intro and the sections (the page template holds the title).
    static func render(_ document: GuideDocument) -> String {
        var out = document.intro.map(render).joined()
        for section in document.sections {
            let id = "g-" + escape(section.id)
            out += "<section class=\"card guide\" aria-labelledby=\"\(id)\">\n<h2 id=\"\(id)\">\(escape(section.title))</h2>\n"
            out += section.blocks.map(render).joined()
            out += "</section>\n"
        }
        return out
    }

    static func render(_ block: GuideBlock) -> String {
        switch block {
        case .paragraph(let spans): return "<p>\(inline(spans))</p>\n"
        case .heading(let text): return "<h3>\(escape(text))</h3>\n"
        case .list(let items): return "<ul>" + items.map { "<li>\(inline($0))</li>" }.joined() + "</ul>\n"
        case .table(let columns, let rows):
            let head = columns.map { "<th scope=\"col\">\(escape($0))</th>" }.joined()
            let body = rows.map { row in "<tr>" + row.map { "<td>\(inline($0))</td>" }.joined() + "</tr>\n" }.joined()
            return "<div class=\"scroll\"><table>\n<thead><tr>\(head)</tr></thead>\n<tbody>\n\(body)</tbody>\n</table></div>\n"
        case .code(let language, let text):
            return "<pre class=\"code\" data-language=\"\(escape(language))\"><code>\(escape(text))</code></pre>\n"
        }
    }

    static func inline(_ spans: [GuideInline]) -> String {
        spans.map { span in
            switch span {
            case .text(let text): escape(text)
            case .code(let text): "<code>\(escape(text))</code>"
            case .strong(let text): "<strong>\(escape(text))</strong>"
            case .link(let text, let href): "<a href=\"\(escape(href))\">\(escape(text))</a>"
            }
        }.joined()
    }

    /// Text made safe in HTML content and attributes.
    static func escape(_ text: String) -> String {
        ChartCanvas.escape(text)
    }
}
