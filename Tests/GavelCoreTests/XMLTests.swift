@testable import GavelCore
import Testing

@Suite("XML reading and writing")
struct XMLTests {
    func parse(_ text: String) throws -> XMLElement { try XMLDocumentParser.parse(text) }

    @Test func buyersAnswers() throws {
        let flat = try parse("<response><result>success</result><price>12.50</price><ping_id>abc</ping_id></response>")
        #expect(flat.name == "response" && flat.elements.map(\.name) == ["result", "price", "ping_id"])
        #expect(flat.firstElement(named: "price")?.text == "12.50")
        let nested = try parse(
            "<response>\n  <status>Matched</status>\n  <lead_id>7</lead_id>\n  <process_information><best_bid>17.25</best_bid></process_information>\n</response>")
        #expect(nested.children.count == 3, "white space between elements is dropped")
        #expect(nested.firstElement(named: "process_information")?.firstElement(named: "best_bid")?.text == "17.25")
    }

    @Test func namespacesByLocalName() throws {
        let soap = try parse(
            #"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><r:Result xmlns:r="urn:x" r:code="1">ok</r:Result></soap:Body></soap:Envelope>"#)
        #expect(soap.localName == "Envelope")
        let result = try #require(soap.firstElement(named: "Body")?.firstElement(named: "Result"))
        #expect(result.text == "ok" && result.attribute("code") == "1" && result.attribute("r:code") == "1")
    }

    @Test func attributesEntitiesCDATAAndSkippedMarkup() throws {
        let element = try parse(
            "\u{FEFF}<?xml version=\"1.0\"?><!-- hi --><!DOCTYPE r><r a='1' b=\"x&amp;y\" c=\"l1\nl2\"><?pi x?>A&lt;B&#65;&#x42;<![CDATA[<raw&>]]><!--c-->z<e/></r><!-- after -->")
        #expect(element.attribute("a") == "1" && element.attribute("b") == "x&y" && element.attribute("c") == "l1 l2")
        #expect(element.children.first == .text("A<BAB<raw&>z"))
        #expect(element.elements.map(\.name) == ["e"])
        let text = try parse("<a> x </a>")
        #expect(text.children == [.text(" x ")] && text.text == "x")
    }

    @Test func refusals() {
        let bad = [
            "", "   ", "text", "<a>", "<a></b>", "<a>&nbsp;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a b='1' b='2'/>", "<a/><b/>",
            "<a/>tail", "<a b=1/>", "<a b='<'/>", "<1a/>", "<a>&</a>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "<a><!DOCTYPE b></a>",
            "<a><![CDATA[x</a>", "<a><!-- x</a>", "<a b='1'c='2'/>",
        ]
        for text in bad {
            #expect(throws: XMLParseError.self, "\(text)") { try XMLDocumentParser.parse(text) }
        }
    }

    @Test func billionLaughsIsRefused() {
        let bomb = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>
            """
        #expect(throws: XMLParseError.self) { try XMLDocumentParser.parse(bomb) }
    }

    @Test func limitsHold() {
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(throws: XMLParseError.self) { try XMLDocumentParser.parse(deep) }
        let wide = "<r>" + String(repeating: "<a/>", count: 30_000) + "</r>"
        #expect(throws: XMLParseError.self) { try XMLDocumentParser.parse(wide) }
        let long = "<" + String(repeating: "a", count: 300) + "/>"
        #expect(throws: XMLParseError.self) { try XMLDocumentParser.parse(long) }
        #expect((try? XMLDocumentParser.parse(String(repeating: "<a>", count: 60) + String(repeating: "</a>", count: 60))) != nil)
    }

    @Test func everyTruncationThrowsAndNeverCrashes() {
        let document = Array(#"<?xml version="1.0"?><r a="1"><b>x&amp;y</b><![CDATA[z]]><!--c--><c/></r>"#.utf8)
        for length in 0..<document.count {
            #expect(throws: XMLParseError.self, "prefix \(length)") { try XMLDocumentParser.parse(Array(document.prefix(length))) }
        }
        #expect((try? XMLDocumentParser.parse(document)) != nil)
    }

    @Test func writerEscapesAndRoundTrips() throws {
        let tree = XMLElement(
            name: "request", attributes: [XMLAttribute(name: "id", value: #"a"b'c<&>"#)],
            children: [
                .element(XMLElement(name: "name", children: [.text("Zoë 東京 <&> \"q\"")])),
                .element(XMLElement(name: "empty")),
                .element(XMLElement(name: "nested", children: [.element(XMLElement(name: "x", children: [.text("1")]))])),
            ])
        let bytes = XMLWriter.document(tree)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?><request id="a&quot;b&apos;c&lt;&amp;&gt;">"#))
        #expect(try XMLDocumentParser.parse(bytes) == tree)
        #expect(XMLWriter.escapeText("a<b&c>\r") == "a&lt;b&amp;c&gt;&#13;")
    }

    @Test func names() {
        for good in ["a", "_a", "soap:Envelope", "a-b.c1", "élément"] { #expect(XMLWriter.isValidName(good), "\(good)") }
        for bad in ["", "1a", "-a", ".a", "a b", "a>b", "a&b"] { #expect(!XMLWriter.isValidName(bad), "\(bad)") }
    }
}
