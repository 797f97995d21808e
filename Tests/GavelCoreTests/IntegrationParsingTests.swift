import Testing

@testable import GavelCore

/// A remote campaign whose delivery carries `integration` (JSON text).
func integratedCampaign(_ integration: String, mode: String = "remote", extra: String = "") throws -> Result<Campaign, ValidationFailure> {
    try parseCampaign(
        """
        {"id": "c1", "buyer_id": "b1", "vertical": "auto_insurance", "bid": {"base": 5}, "price": 9,
         "delivery": {"mode": "\(mode)", "integration": \(integration) \(extra)}}
        """)
}

/// A minimal valid mapped ping call.
let simplePing = #"""
    {"url": "https://buyer.example.com/ping", "body": [{"to": "zip", "from": "zip"}],
     "response": {"price": "bid"}}
    """#

/// A minimal valid mapped post call.
let simplePost = #"""
    {"url": "https://buyer.example.com/post", "body": [{"to": "phone", "from": "phone"}],
     "response": {"accept": {"path": "status", "equals": "ok"}}}
    """#

@Suite("Integration parsing and validation")
struct IntegrationParsingTests {
    @Test func everyPresetParsesAndPassesTheVerticalChecks() throws {
        for preset in IntegrationPresets.all where !preset.integration.isNull {
            let log = FieldErrorLog()
            let reader = try #require(JSONReader(preset.integration, path: "delivery.integration", log: log))
            let integration = Integration.parse(reader)
            #expect(log.errors.isEmpty, "preset \(preset.id): \(log.errors)")
            let vertical = try #require(BuiltInVerticals.all.first { $0.id == preset.vertical })
            #expect(integration.problems(vertical: vertical).isEmpty, "preset \(preset.id): \(integration.problems(vertical: vertical))")
        }
        #expect(IntegrationPresets.all.map(\.id) == ["native", "json-auction", "form-ping-post", "get-xml", "xml-nested", "plain-text"])
    }

    @Test func aRemoteCampaignWithAMappedPingNeedsNoPingURL() throws {
        let campaign = try success(integratedCampaign(#"{"ping": \#(simplePing), "post": \#(simplePost)}"#))
        #expect(campaign.delivery.mapsPing)
        #expect(campaign.delivery.postsOverHTTP)
        #expect(campaign.delivery.integration?.ping?.method == .post)
        #expect(campaign.delivery.integration?.ping?.encoding == .json)
    }

    @Test func badTemplatesAreAllReportedAtOnceWithTheirPaths() throws {
        let result = try integratedCampaign(
            #"""
            {"secrets": {"k": "v"},
             "ping": {"method": "GET", "url": "https://{{zip}}.example.com/p", "encoding": "json",
                      "headers": {"Host": "x", "X-Key": "{{$secret.missing}}"},
                      "query": [{"to": "a", "from": "$nope"}, {"to": "b"}, {"to": "c", "value": 1, "from": "zip"}],
                      "response": {"format": "text", "price": "bid", "accept": {"path": "x"}}},
             "post": {"url": "ftp://x.example.com", "encoding": "xml",
                      "body": [{"to": "a.b", "from": "zip", "date": "nonsense", "case": "shouty"}, {"to": "a.b.c", "from": "state"},
                               {"to": "1bad", "from": "zip"}],
                      "response": {"reason": {"regex": "(unclosed"}, "bid_id": "x"}, "lower_price": "maybe"}}
            """#)
        let paths = errorPaths(result)
        let expected: Set<String> = [
            "delivery.integration.ping.url", "delivery.integration.ping.encoding", "delivery.integration.ping.headers.Host",
            "delivery.integration.ping.query[0].from", "delivery.integration.ping.query[1].from",
            "delivery.integration.ping.query[2].value",
            "delivery.integration.ping.response.price", "delivery.integration.ping.response.accept.equals",
            "delivery.integration.post.url", "delivery.integration.post.xml_root", "delivery.integration.post.body[0].date",
            "delivery.integration.post.body[0].case", "delivery.integration.post.body[1].to", "delivery.integration.post.body[2].to",
            "delivery.integration.post.response.reason.regex", "delivery.integration.post.response.bid_id",
            "delivery.integration.post.response.accept", "delivery.integration.post.lower_price",
        ]
        #expect(expected.isSubset(of: paths), "missing: \(expected.subtracting(paths)); got \(paths)")
    }

    @Test func referencesToMissingSecretsAndCapturesAreRefused() throws {
        let result = try integratedCampaign(
            #"""
            {"ping": {"url": "https://b.example.com/p", "headers": {"X-Key": "{{$secret.key}}"},
                      "body": [{"to": "zip", "from": "zip"}], "response": {"price": "bid", "captures": {"token": "t"}}},
             "post": {"url": "https://b.example.com/q", "body": [{"to": "t", "from": "$capture.other"}],
                      "response": {"accept": {"path": "ok", "exists": true}}}}
            """#)
        #expect(message(result, at: "delivery.integration.ping.headers.X-Key")?.contains("secrets") == true)
        #expect(message(result, at: "delivery.integration.post.body[0]")?.contains("not captured") == true)
    }

    @Test func aMappedPingOnlyOnRemoteAndNotBesideANativeURL() throws {
        let hosted = try integratedCampaign(#"{"ping": \#(simplePing)}"#, mode: "hosted")
        #expect(errorPaths(hosted).contains("delivery.integration.ping"))
        let both = try integratedCampaign(#"{"ping": \#(simplePing)}"#, extra: #", "ping_url": "https://b.example.com/native""#)
        #expect(errorPaths(both).contains("delivery.ping_url"))
        let direct = try success(integratedCampaign(#"{"post": \#(simplePost)}"#, mode: "direct"))
        #expect(direct.delivery.postsOverHTTP && !direct.delivery.mapsPing)
        let empty = try integratedCampaign("{}")
        #expect(errorPaths(empty).contains("delivery.integration.ping"))
    }

    @Test func aPingMayNotReferencePersonalFieldsOrPostOnlyValues() throws {
        let campaign = try success(
            integratedCampaign(
                #"""
                {"ping": {"url": "https://b.example.com/p?x={{phone}}", "body": [{"to": "zip", "from": "zip"},
                          {"to": "name", "template": "{{first_name}} {{last_name}}"}, {"to": "l", "from": "$lead_id"},
                          {"to": "nope", "from": "shoe_size"}], "response": {"price": "bid"}},
                 "post": {"url": "https://b.example.com/q", "body": [{"to": "phone", "from": "phone"}, {"to": "x", "from": "shoe_size"}],
                          "response": {"accept": {"path": "ok", "equals": true}}}}
                """#))
        let problems = campaign.delivery.integration!.problems(vertical: BuiltInVerticals.autoInsurance)
        let byPath = Dictionary(grouping: problems, by: \.field).mapValues { $0.map(\.message) }
        #expect(byPath["delivery.integration.ping.url"]?.first?.contains("'phone' is personal") == true)
        #expect(byPath["delivery.integration.ping.body[1]"]?.count == 2)
        #expect(byPath["delivery.integration.ping.body[2]"]?.first?.contains("only when the lead is posted") == true)
        #expect(byPath["delivery.integration.ping.body[3]"]?.first?.contains("is not a field") == true)
        #expect(byPath["delivery.integration.post.body[1]"]?.first?.contains("is not a field") == true)
        #expect(byPath["delivery.integration.post.body[0]"] == nil, "a post may carry personal fields")
    }

    @Test func secretsAreMaskedOnTheWireAndKeptWhenSentBackMasked() throws {
        let campaign = try success(
            integratedCampaign(#"{"secrets": {"key": "s3cr3t"}, "ping": \#(simplePing), "post": \#(simplePost)}"#))
        let wire = campaign.json()
        #expect(wire["delivery"]?["integration"]?["secrets"]?["key"] == "********")
        #expect(
            campaign.json(revealSecret: true, revealIntegrationSecrets: true)["delivery"]?["integration"]?["secrets"]?["key"] == "s3cr3t")
        #expect(
            campaign.json(revealSecret: true)["delivery"]?["integration"]?["secrets"]?["key"] == "********",
            "the create response masks them too")
        let echoed = try success(Campaign.parse(wire, defaultID: "x"))
        #expect(echoed.delivery.integration?.secrets["key"] == "")
        let kept = echoed.delivery.integration!.keepingSecrets(of: campaign.delivery.integration)
        #expect(kept.secrets["key"] == "s3cr3t" && kept.emptySecrets.isEmpty)
        #expect(echoed.delivery.integration!.keepingSecrets(of: nil).emptySecrets == ["key"])
    }

    @Test func theWireFormRoundTrips() throws {
        for preset in IntegrationPresets.all where !preset.integration.isNull {
            let log = FieldErrorLog()
            let parsed = Integration.parse(try #require(JSONReader(preset.integration, log: log)))
            let again = Integration.parse(try #require(JSONReader(parsed.json(revealSecrets: true), log: log)))
            #expect(log.errors.isEmpty)
            #expect(parsed == again, "preset \(preset.id) does not round-trip")
        }
    }

    @Test func urlPlaceholdersOnlyAfterTheHost() {
        #expect(StringTemplate.parse("https://b.example.com/c/{{$secret.c}}/ping").map(\.placeholdersFollowHost) == .success(true))
        #expect(StringTemplate.parse("https://b.example.com?k={{$secret.c}}").map(\.placeholdersFollowHost) == .success(true))
        #expect(StringTemplate.parse("https://{{$secret.c}}.example.com/").map(\.placeholdersFollowHost) == .success(false))
        #expect(StringTemplate.parse("{{$secret.c}}").map(\.placeholdersFollowHost) == .success(false))
        #expect(StringTemplate.parse("https://b.example.com/{{zip").map(\.text) == .failure(.unclosed))
        #expect(StringTemplate.parse("{{$whatever}}").map(\.text) == .failure(.unknownName("$whatever")))
    }

    @Test func valuePaths() {
        #expect(ValuePath("a.b[2].c")?.segments == [.key("a"), .key("b"), .index(2), .key("c")])
        #expect(ValuePath("[0].price")?.segments == [.index(0), .key("price")])
        #expect(ValuePath("lead.@id")?.segments == [.key("lead"), .attribute("id")])
        for bad in ["", "a..b", "a.@id.b", "a[x]", "a[-1]", "a]", "@", "a[1"] { #expect(ValuePath(bad) == nil, "\(bad)") }
    }
}
