import Testing

@testable import GavelCore

@Suite("XML reading and writing")
struct XMLTests {
    private func parse(_ text: String, limits: XMLDocumentParser.Limits = .init()) throws -> XMLElement {
        try XMLDocumentParser.parse(text, limits: limits)
    }

    private func failure(_ text: String, limits: XMLDocumentParser.Limits = .init()) -> XMLParseError? {
        do {
            _ = try XMLDocumentParser.parse(text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Buyers' answers

    @Test func flatAnswer() throws {
        let root = try parse("<response><result>success</result><price>12.50</price><ping_id>abc</ping_id></response>")
        #expect(root.name == "response")
        #expect(root.elements.map(\.name) == ["result", "price", "ping_id"])
        #expect(root.firstElement(named: "result")?.text == "success")
        #expect(root.firstElement(named: "price")?.text == "12.50")
        #expect(root.firstElement(named: "ping_id")?.text == "abc")
        #expect(root.firstElement(named: "missing") == nil)
    }

    @Test func nestedAnswer() throws {
        let root = try parse(
            """
            <response>
              <status>Matched</status>
              <lead_id>7</lead_id>
              <process_information><best_bid>17.25</best_bid></process_information>
            </response>
            """)
        #expect(root.children.count == 3, "white space between elements is dropped")
        #expect(root.firstElement(named: "status")?.text == "Matched")
        #expect(root.firstElement(named: "lead_id")?.text == "7")
        let info = try #require(root.firstElement(named: "process_information"))
        #expect(info.firstElement(named: "best_bid")?.text == "17.25")
        #expect(root.text == "Matched717.25", "text gathers descendants in order")
    }

    @Test func soapEnvelopeByLocalNames() throws {
        let root = try parse(
            #"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>"#
                + #"<r:Result xmlns:r="urn:buyer" code="1" r:kind="bid">ok</r:Result></soap:Body></soap:Envelope>"#)
        #expect(root.name == "soap:Envelope" && root.localName == "Envelope")
        #expect(root.attribute("xmlns:soap") == "http://schemas.xmlsoap.org/soap/envelope/")
        let body = try #require(root.firstElement(named: "Body"))
        #expect(root.firstElement(named: "soap:Body") == body)
        let result = try #require(body.firstElement(named: "Result"))
        #expect(result.name == "r:Result" && result.text == "ok")
        #expect(result.attribute("code") == "1")
        #expect(result.attribute("kind") == "bid" && result.attribute("r:kind") == "bid")
        #expect(result.attribute("absent") == nil)
    }

    @Test func attributesWithBothQuotes() throws {
        let bid = try parse("<bid amount=\"12.5\" currency='USD' note = \"it's\" quote='say \"hi\"'/>")
        #expect(bid.name == "bid" && bid.children.isEmpty)
        #expect(bid.attributes.map(\.name) == ["amount", "currency", "note", "quote"], "document order")
        #expect(bid.attribute("amount") == "12.5")
        #expect(bid.attribute("currency") == "USD")
        #expect(bid.attribute("note") == "it's")
        #expect(bid.attribute("quote") == "say \"hi\"")
    }

    @Test func elementsNamedFindsEveryMatch() throws {
        let root = try parse("<r><a>1</a><x:a>2</x:a><b>3</b><a>4</a></r>")
        #expect(root.elements(named: "a").map(\.text) == ["1", "2", "4"])
        #expect(root.elements(named: "x:a").map(\.text) == ["2"])
        #expect(root.elements(named: "c").isEmpty)
    }

    // MARK: Text

    @Test func entitiesAndCharacterReferences() throws {
        let root = try parse("<a>&lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#x10348;&#233;</a>")
        #expect(root.children == [.text("<>&\"' AB\u{10348}é")])
    }

    @Test func referencesInAttributes() throws {
        let root = try parse("<a v=\"x&amp;y&#x3C;&#9;\"/>")
        #expect(root.attribute("v") == "x&y<\t", "a character reference to a tab stays a tab")
    }

    @Test func attributeWhitespaceIsNormalised() throws {
        let root = try parse("<a v=\"l1\nl2\tx\r\ny\"/>")
        #expect(root.attribute("v") == "l1 l2 x y")
    }

    @Test func cdataIsVerbatimText() throws {
        let root = try parse("<a>x<![CDATA[<raw & \"stuff\"> &amp;]]>y</a>")
        #expect(root.children == [.text("x<raw & \"stuff\"> &amp;y")])
    }

    @Test func neighbouringTextMergesAcrossCommentsAndPIs() throws {
        let root = try parse("<a>A&lt;<!-- c -->B<?pi x?><![CDATA[C]]>&#68;<e/>E</a>")
        #expect(root.children == [.text("A<BCD"), .element(XMLElement(name: "e")), .text("E")])
    }

    @Test func textOfLeafIsKeptExactlyButTrimmedByText() throws {
        let root = try parse("<a> x </a>")
        #expect(root.children == [.text(" x ")])
        #expect(root.text == "x")
        #expect(try parse("<a>\n\t </a>").children == [.text("\n\t ")], "a leaf keeps even white-space-only text")
        #expect(try parse("<a></a>").children.isEmpty)
    }

    @Test func whitespaceBetweenElementsIsDropped() throws {
        let root = try parse("<r>\n  <a>1</a>\n  text \n  <b/>\n</r>")
        #expect(
            root.children == [
                .element(XMLElement(name: "a", children: [.text("1")])), .text("\n  text \n  "), .element(XMLElement(name: "b")),
            ])
    }

    @Test func lineEndsAreNormalised() throws {
        #expect(try parse("<a>1\r\n2\r3</a>").children == [.text("1\n2\n3")])
        #expect(try parse("<a>&#13;</a>").children == [.text("\r")], "a reference keeps the carriage return")
    }

    @Test func nonASCIITextAndNames() throws {
        let root = try parse("<données ville=\"東京\">Zoë</données>")
        #expect(root.name == "données" && root.attribute("ville") == "東京" && root.text == "Zoë")
    }

    // MARK: Skipped markup

    @Test func declarationCommentsAndPIsAreSkipped() throws {
        let root = try parse(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- before -->\n<?style x?>\n"
                + "<r><!-- in --><a/></r>\n<!-- after -->\n<?end?>\n")
        #expect(root.name == "r" && root.children == [.element(XMLElement(name: "a"))])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let root = try XMLDocumentParser.parse([0xEF, 0xBB, 0xBF] + Array("<a>1</a>".utf8))
        #expect(root.name == "a" && root.text == "1")
        #expect(try parse("\u{FEFF}<a/>").name == "a")
    }

    @Test func doctypeWithoutSubsetIsSkipped() throws {
        let root = try parse(#"<?xml version="1.0"?><!DOCTYPE response SYSTEM "http://example.com/a>b[c].dtd"><response/>"#)
        #expect(root.name == "response")
    }

    // MARK: Refusals

    @Test func mismatchedEndTagIsRefused() throws {
        let error = try #require(failure("<a><b></a></b>"))
        #expect(error.offset == 6 && error.message.contains("</a>"))
        #expect(failure("<a></A>") != nil)
    }

    @Test func unknownEntityIsRefused() throws {
        let error = try #require(failure("<a>&nbsp;</a>"))
        #expect(error.offset == 3 && error.message.contains("nbsp"))
        #expect(failure("<a b='&x;'/>") != nil)
    }

    @Test(arguments: [
        "&#0;", "&#xD800;", "&#xDFFF;", "&#xFFFE;", "&#x110000;", "&#xFFFFFFFFFF;", "&#;", "&#x;", "&#+65;", "&#X41;", "&#6a;",
    ])
    func invalidCharacterReferenceIsRefused(reference: String) {
        #expect(failure("<a>\(reference)</a>") != nil)
    }

    @Test func billionLaughsIsRefused() throws {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            ]>
            <lolz>&lol3;</lolz>
            """
        let error = try #require(failure(bomb))
        #expect(error.message.contains("internal subset"))
    }

    @Test func externalEntityIsRefused() {
        #expect(failure(#"<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>"#) != nil)
        #expect(failure("<!DOCTYPE a SYSTEM \"x.dtd\"><a>&xxe;</a>") != nil, "without a subset, still no entity is known")
    }

    @Test func depthBombIsRefused() throws {
        let bomb = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        let error = try #require(failure(bomb))
        #expect(error.message.contains("deeper") && error.offset == 64 * 3)
    }

    @Test func depthLimitIsExact() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "<a>", count: depth - 1) + "<a/>" + String(repeating: "</a>", count: depth - 1)
        }
        #expect(try parse(nested(64)).name == "a")
        #expect(failure(nested(65)) != nil, "an empty element counts too")
        #expect(failure(nested(3), limits: .init(maxDepth: 2)) != nil)
    }

    @Test func tooManyNodesIsRefused() throws {
        let wide = "<r>" + String(repeating: "<a/>", count: 30_000) + "</r>"
        #expect(try #require(failure(wide)).message.contains("20000"))
        let texts = "<r>" + String(repeating: "<a/>x", count: 6) + "</r>"
        #expect(failure(texts, limits: .init(maxNodes: 12)) != nil, "text nodes count too")
        #expect(try parse(texts, limits: .init(maxNodes: 13)).children.count == 12)
    }

    @Test func longNamesAreRefused() {
        #expect(failure("<" + String(repeating: "a", count: 257) + "/>") != nil)
        #expect(failure("<a " + String(repeating: "b", count: 257) + "='1'/>") != nil)
        #expect((try? parse("<" + String(repeating: "a", count: 256) + "/>")) != nil)
        #expect(failure("<abcde/>", limits: .init(maxNameBytes: 4)) != nil)
    }

    @Test func textAfterRootIsRefused() throws {
        let error = try #require(failure("<a/>tail"))
        #expect(error.offset == 4)
        #expect((try? parse("<a/> \n<!-- ok -->\n")) != nil, "white space and comments after the root are fine")
    }

    @Test func twoRootsAreRefused() throws {
        let error = try #require(failure("<a/><b/>"))
        #expect(error.offset == 4 && error.message.contains("second root"))
    }

    @Test func emptyInputIsRefused() {
        #expect(failure("") != nil)
        #expect(failure("  \n ") != nil)
        #expect(failure("<?xml version=\"1.0\"?><!-- nothing -->") != nil)
        #expect((try? XMLDocumentParser.parse([UInt8]())) == nil)
    }

    @Test func duplicateAttributesAreRefused() throws {
        let error = try #require(failure("<a b='1' b=\"2\"/>"))
        #expect(error.offset == 9 && error.message.contains("twice"))
        #expect((try? parse("<a x:b='1' b='2'/>")) != nil, "different qualified names are different attributes")
    }

    @Test func everyTruncationThrowsAndNeverCrashes() throws {
        let document = Array(
            #"<?xml version="1.0"?><!DOCTYPE r><r a="1" b='2'><b>x&amp;y&#x41;</b><![CDATA[z]]><!--c--><?p q?><c/></r>"#.utf8)
        for length in 0..<document.count {
            #expect(throws: XMLParseError.self, "prefix of \(length) bytes") {
                try XMLDocumentParser.parse(Array(document.prefix(length)))
            }
        }
        #expect(try XMLDocumentParser.parse(document).elements.map(\.name) == ["b", "c"])
    }

    @Test func unterminatedConstructsReportWhereTheyStart() throws {
        #expect(try #require(failure("<r><a>text")).offset == 3)
        #expect(try #require(failure("<r><!-- c")).offset == 3)
        #expect(try #require(failure("<r><![CDATA[x")).offset == 3)
        #expect(try #require(failure("<r><?pi")).offset == 3)
        #expect(try #require(failure("<r a='1")).offset == 5)
        #expect(try #require(failure("<!DOCTYPE r")).offset == 0)
    }

    @Test(arguments: [
        "text", "x<a/>", "<a>", "<a><b></b>", "<a b=1/>", "<a b='<'/>", "<a b/>", "<a b='1'c='2'/>", "<1a/>", "<-a/>", "< a/>",
        "<a>&</a>", "<a>&amp</a>", "<a><!DOCTYPE b></a>", "<a/><!DOCTYPE b>", "<!DOCTYPE a><!DOCTYPE a><a/>",
        "<!--><a/>", "<?><a/>",
        "</a>", "<a></a b>", "<a/ >", "<![CDATA[x]]><a/>", "<a/>&amp;", "<a>\u{FFFD}</a><b>",
    ])
    func malformedInputIsRefused(text: String) {
        #expect(throws: XMLParseError.self) { try XMLDocumentParser.parse(text) }
    }

    @Test func hostileBytesNeverCrash() {
        var random = XMLTestRandom(seed: 1)
        let alphabet = Array("<>/=&;#x'\"!?[]-a:b1 \n".utf8) + [0x00, 0xC3, 0xA9, 0xFF]
        for _ in 0..<2_000 {
            let bytes = (0..<40).map { _ in alphabet[random.next(below: alphabet.count)] }
            _ = try? XMLDocumentParser.parse(bytes)
            _ = try? XMLDocumentParser.parse(Array("<r>".utf8) + bytes + Array("</r>".utf8))
        }
    }

    @Test(arguments: ["<a>\u{1}</a>", "<a b='x\u{7}'/>", "<a><![CDATA[\u{0}]]></a>", "<a>\u{FFFE}</a>", "<a>\u{FFFF}</a>"])
    func forbiddenCharactersAreRefused(text: String) throws {
        let error = try #require(failure(text))
        #expect(error.offset > 0)
    }

    @Test func mutatedDocumentsNeverCrashAndRoundTrip() throws {
        let seed = Array(
            #"<?xml version="1.0"?><!DOCTYPE r><r a="1" b='2'><b>x&amp;y&#x41;</b><![CDATA[z]]><!--c--><c/></r>"#.utf8)
        var random = XMLTestRandom(seed: 7)
        for _ in 0..<5_000 {
            var bytes = seed
            for _ in 0...random.next(below: 3) {
                let position = random.next(below: bytes.count)
                switch random.next(below: 3) {
                case 0: bytes[position] = UInt8(random.next(below: 256))
                case 1: bytes.remove(at: position)
                default: bytes.insert(bytes[random.next(below: bytes.count)], at: position)
                }
            }
            guard let tree = try? XMLDocumentParser.parse(bytes) else { continue }
            #expect(try XMLDocumentParser.parse(XMLWriter.document(tree)) == tree, "\(bytes)")
        }
    }

    @Test func errorDescriptionCarriesTheOffset() throws {
        let error = try #require(failure("<a>&bogus;</a>"))
        #expect(error.description.hasSuffix("at byte 3"))
        #expect(XMLParseError("x", at: 2) == XMLParseError("x", at: 2))
    }

    // MARK: Writer

    @Test func textEscaping() {
        #expect(XMLWriter.escapeText("a<b&c>\r\"'\t\n") == "a&lt;b&amp;c&gt;&#13;\"'\t\n")
        #expect(XMLWriter.escapeText("plain Zoë") == "plain Zoë")
        #expect(XMLWriter.escapeText("a\u{0}b\u{1B}c\u{FFFF}") == "abc", "characters XML forbids are left out")
    }

    @Test func attributeEscaping() {
        #expect(XMLWriter.escapeAttribute("a<b&c>\"d'e") == "a&lt;b&amp;c&gt;&quot;d&apos;e")
        #expect(XMLWriter.escapeAttribute("1\t2\n3\r4") == "1&#9;2&#10;3&#13;4")
        #expect(XMLWriter.escapeAttribute("東京") == "東京")
    }

    @Test func documentPrefixAndCompactForm() {
        let tree = XMLElement(
            name: "request", attributes: [XMLAttribute(name: "v", value: "1")],
            children: [.element(XMLElement(name: "a", children: [.text("x")])), .element(XMLElement(name: "b"))])
        let document = String(decoding: XMLWriter.document(tree), as: UTF8.self)
        #expect(document == #"<?xml version="1.0" encoding="UTF-8"?><request v="1"><a>x</a><b/></request>"#)
        #expect(String(decoding: XMLWriter.bytes(tree), as: UTF8.self) == #"<request v="1"><a>x</a><b/></request>"#)
    }

    @Test func writtenTreesReadBackEqual() throws {
        let tree = XMLElement(
            name: "soap:Envelope",
            attributes: [XMLAttribute(name: "xmlns:soap", value: "urn:x"), XMLAttribute(name: "id", value: #"a"b'c<&>"#)],
            children: [
                .element(XMLElement(name: "name", children: [.text("Zoë 東京 <&> \"q\" 'a' ]]> \r\n tab\t")])),
                .element(XMLElement(name: "empty")),
                .element(XMLElement(name: "note", attributes: [XMLAttribute(name: "v", value: "l1\nl2\tl3\r")])),
                .element(
                    XMLElement(
                        name: "nested",
                        children: [
                            .element(XMLElement(name: "x", children: [.text("1")])),
                            .text(" mixed "),
                            .element(XMLElement(name: "y", children: [.element(XMLElement(name: "z", children: [.text("deep")]))])),
                        ])),
            ])
        #expect(try XMLDocumentParser.parse(XMLWriter.document(tree)) == tree)
        #expect(try XMLDocumentParser.parse(XMLWriter.bytes(tree)) == tree)
    }

    @Test func parsedDocumentsRewriteToTheSameTree() throws {
        let source = "<r a='&#10;'>\n <b>x&lt;<![CDATA[&]]></b>\n <c d=\"é\"/></r>"
        let tree = try parse(source)
        let again = try XMLDocumentParser.parse(XMLWriter.document(tree))
        #expect(again == tree)
        #expect(XMLWriter.document(again) == XMLWriter.document(tree))
    }

    @Test func validNames() {
        for name in ["a", "_a", ":a", "soap:Envelope", "a-b.c1", "élément", "東京", "lead_id", "A9"] {
            #expect(XMLWriter.isValidName(name), "\(name)")
        }
    }

    @Test func invalidNames() {
        let tooLong = String(repeating: "a", count: 257)
        for name in ["", "1a", "-a", ".a", "a b", "a>b", "a&b", "a<b", "a=b", "a\"b", "a/b", "a\u{0}", "€a", tooLong] {
            #expect(!XMLWriter.isValidName(name), "\(name)")
        }
    }
}

/// A small deterministic generator for the fuzz-like tests.
private struct XMLTestRandom {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func next(below bound: Int) -> Int {
        Int(random.next() % UInt64(bound))
    }
}
