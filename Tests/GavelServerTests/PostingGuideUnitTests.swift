import Foundation
import GavelCore
import Testing

@testable import GavelServer

/// Rendering a posting guide as Markdown and HTML with every text escaped, and keeping its
/// examples safe in a shell.
@Suite("Posting guides: rendering")
struct PostingGuideUnitTests {
    @Test func markdownEscapesTextAndFencesCode() {
        let document = GuideDocument(
            title: "A *bold* <b>name</b>", intro: [.paragraph(["snake_case stays, _this_ does not; ", .code("a`b")])],
            sections: [
                GuideSection(
                    id: "s", title: "Code",
                    blocks: [
                        .code(language: "sh", text: "echo ```"),
                        .table(columns: ["a|b"], rows: [[["x|y"]]]),
                        .list([[.link("guide", href: "/v1/x?y=1")]]),
                    ])
            ])
        let markdown = GuideMarkdown.render(document)
        #expect(markdown.hasPrefix("# A \\*bold\\* \\<b\\>name\\</b\\>\n"))
        #expect(markdown.contains("snake_case stays, \\_this\\_ does not; ``a`b``"))
        #expect(markdown.contains("````sh\necho ```\n````"))
        #expect(markdown.contains("| a\\|b |\n| --- |\n| x\\|y |"))
        #expect(markdown.contains("- [guide](/v1/x?y=1)"))
    }

    @Test func htmlEscapesEveryText() {
        let hostile = "<script>alert('x')</script>\"&"
        let document = GuideDocument(
            title: hostile, intro: [.paragraph([.text(hostile), .code(hostile), .strong(hostile), .link(hostile, href: "/x?a=\"1\"")])],
            sections: [
                GuideSection(
                    id: hostile, title: hostile,
                    blocks: [
                        .code(language: hostile, text: hostile), .table(columns: [hostile], rows: [[[.text(hostile)]]]), .heading(hostile),
                    ])
            ])
        let html = GuideHTML.render(document)
        #expect(!html.contains("<script"))
        #expect(!html.contains("\"&\""))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"))
        #expect(html.contains("href=\"/x?a=&quot;1&quot;\""))
        #expect(DashboardTemplates.render("spec", SpecPage(document, chrome: nil)).contains("<title>&lt;script&gt;"))
    }

    @Test func examplesAreShellSafe() {
        #expect(Shell.quote("it's") == #"'it'\''s'"#)
        #expect(RequestOrigin.isPlausibleHost("127.0.0.1:8080"))
        #expect(RequestOrigin.isPlausibleHost("[::1]:8080"))
        #expect(RequestOrigin.isPlausibleHost("exchange.example.com"))
        #expect(!RequestOrigin.isPlausibleHost("x' ; rm -rf / #"))
        #expect(!RequestOrigin.isPlausibleHost("<b>"))
        #expect(!RequestOrigin.isPlausibleHost(""))
    }
}
