import Testing

@testable import GavelCore

/// Parses a call (ping or post) the way a campaign's integration would.
func call(_ text: String, role: Integration.Call.Role = .post) throws -> Integration.Call {
    let log = FieldErrorLog()
    let reader = try #require(JSONReader(try json(text), log: log))
    let parsed = Integration.Call.parse(reader, role: role)
    #expect(log.errors.isEmpty, "\(log.errors)")
    return parsed
}

/// The values of a post of a typical auto-insurance lead.
func postValues(test: Bool = false, captures: [String: JSONValue] = [:], secrets: [String: String] = ["key": "k&y 1"]) -> CallValues {
    CallValues(
        fields: [
            "zip": "94105", "state": "CA", "first_name": "Ada", "last_name": "Lovelace", "phone": "4155550100",
            "birth_date": "1958-07-04", "homeowner": true, "gender": "male", "age": 67,
        ],
        pingID: "P1", leadID: "L1", bidID: "b-9", price: Money(cents: 1250), test: test, source: "fb", seller: "s-x",
        vertical: "auto_insurance", campaignID: "c1", consent: ["leadid_token": "tok"], captures: captures, secrets: secrets)
}

@Suite("Rendering mapped requests")
struct IntegrationRenderingTests {
    @Test func jsonBodiesNestTypeAndOmitMissingMembers() throws {
        let spec = try call(
            #"""
            {"url": "https://b.example.com/post", "body": [
               {"to": "applicant.zip", "from": "zip", "type": "integer"},
               {"to": "applicant.name", "template": "{{first_name}} {{last_name}}"},
               {"to": "applicant.dob", "from": "birth_date", "date": "MM/DD/YYYY"},
               {"to": "phones[0].number", "from": "phone", "phone": "e164"},
               {"to": "own", "from": "homeowner", "boolean": ["Y", "N"]},
               {"to": "sex", "from": "gender", "map": {"male": "M"}},
               {"to": "missing", "from": "email"}, {"to": "defaulted", "from": "email", "default": "none@example.com"},
               {"to": "price", "from": "$price"}, {"to": "cents", "from": "$price_cents"},
               {"to": "auction", "from": "$capture.auction"}, {"to": "token", "from": "$consent.leadid_token"},
               {"to": "static", "value": {"a": [1, 2]}}],
             "response": {"accept": {"path": "ok", "exists": true}}}
            """#)
        let request = spec.render(postValues(captures: ["auction": 123_456]))
        let body = try JSONParser.parse(request.body)
        #expect(body["applicant"] == ["zip": 94105, "name": "Ada Lovelace", "dob": "07/04/1958"])
        #expect(body["phones"] == [["number": "+14155550100"]])
        #expect(body["own"] == "Y" && body["sex"] == "M" && body["missing"] == nil && body["defaulted"] == "none@example.com")
        #expect(body["price"] == dec("12.5") && body["cents"] == 1250 && body["auction"] == 123_456 && body["token"] == "tok")
        #expect(body["static"] == ["a": [1, 2]])
        #expect(request.method == "POST" && request.header("content-type") == "application/json")
    }

    @Test func formBodiesAndQueriesKeepOrderAndEncode() throws {
        let spec = try call(
            #"""
            {"url": "https://b.example.com/c/{{$campaign_id}}/post?fixed=1", "encoding": "form",
             "query": [{"to": "q", "template": "{{first_name}} & co"}],
             "body": [{"to": "lp_key", "from": "$secret.key"}, {"to": "contact[name]", "from": "first_name"},
                      {"to": "lp_action", "from": "$test", "boolean": ["test", null]}],
             "response": {"accept": {"path": "ok", "exists": true}}}
            """#)
        let live = spec.render(postValues())
        #expect(live.url == "https://b.example.com/c/c1/post?fixed=1&q=Ada%20%26%20co")
        #expect(String(decoding: live.body, as: UTF8.self) == "lp_key=k%26y+1&contact%5Bname%5D=Ada")
        #expect(live.header("Content-Type") == "application/x-www-form-urlencoded")
        let test = spec.render(postValues(test: true))
        #expect(String(decoding: test.body, as: UTF8.self).hasSuffix("&lp_action=test"))
    }

    @Test func xmlBodiesNestWithAttributesAndEscape() throws {
        let spec = try call(
            #"""
            {"url": "https://b.example.com/post", "encoding": "xml", "xml_root": "request",
             "body": [{"to": "auth.api_key", "from": "$secret.key"}, {"to": "lead.@id", "from": "$lead_id"},
                      {"to": "lead.zip", "from": "zip"}, {"to": "lead.names.name[1]", "from": "last_name"},
                      {"to": "lead.names.name[0]", "from": "first_name"}],
             "response": {"accept": {"path": "ok", "exists": true}}}
            """#)
        let request = spec.render(postValues())
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(
            text
                == #"<?xml version="1.0" encoding="UTF-8"?><request><auth><api_key>k&amp;y 1</api_key></auth><lead id="L1"><zip>94105</zip><names><name>Ada</name><name>Lovelace</name></names></lead></request>"#
        )
        #expect(request.header("content-type") == "application/xml; charset=utf-8")
    }

    @Test func collidingMembersAreRefusedOnSave() throws {
        for (encoding, members) in [
            ("json", #"[{"to": "a", "from": "zip"}, {"to": "a.b", "from": "zip"}]"#),
            ("json", #"[{"to": "a", "from": "zip"}, {"to": "a", "from": "state"}]"#),
            ("xml", #"[{"to": "a.b", "from": "zip"}, {"to": "a.b.c", "from": "zip"}]"#),
            ("xml", #"[{"to": "a.@x", "from": "zip"}, {"to": "a.@x", "from": "zip"}]"#),
        ] {
            let log = FieldErrorLog()
            let root = encoding == "xml" ? #""xml_root": "r", "# : ""
            let text =
                #"{"url": "https://b.example.com/p", "encoding": "\#(encoding)", \#(root)"body": \#(members), "response": {"accept": {"path": "ok", "exists": true}}}"#
            let reader = try #require(JSONReader(try json(text), log: log))
            _ = Integration.Call.parse(reader, role: .post)
            #expect(log.errors.map(\.field) == ["body[1].to"], "\(encoding) \(members): \(log.errors)")
        }
    }

    @Test func getRequestsCarryQueriesAndCredentials() throws {
        let spec = try call(
            #"""
            {"method": "GET", "url": "https://b.example.com/ping",
             "auth": {"type": "basic", "username": "gavel", "password": "{{$secret.key}}"},
             "headers": {"X-Trace": "{{$ping_id}}\r\nInjected: 1", "X-Key": "{{$secret.key}}"},
             "query": [{"to": "zip", "from": "zip"}, {"to": "test", "from": "$test", "boolean": ["1", "0"]}],
             "response": {"price": "bid"}}
            """#, role: .ping)
        let request = spec.render(postValues())
        #expect(request.method == "GET" && request.body.isEmpty && request.header("content-type") == nil)
        #expect(request.url == "https://b.example.com/ping?zip=94105&test=0")
        #expect(request.header("Authorization") == "Basic " + Encodings.base64(Array("gavel:k&y 1".utf8)))
        #expect(request.header("X-Trace") == "P1  Injected: 1", "control characters never reach a header")
        let masked = request.masked()
        #expect(masked.header("Authorization") == "********" && masked.header("X-Key") == "********")
        #expect(!String(describing: masked).contains("k&y 1"))
    }

    @Test func bearerAuthAndMaskingOfEncodedSecrets() throws {
        let spec = try call(
            #"""
            {"url": "https://b.example.com/post?key={{$secret.key}}", "encoding": "form",
             "auth": {"type": "bearer", "token": "{{$secret.key}}"}, "body": [{"to": "k", "from": "$secret.key"}],
             "response": {"accept": {"path": "ok", "exists": true}}}
            """#)
        let request = spec.render(postValues())
        #expect(request.header("Authorization") == "Bearer k&y 1")
        let masked = request.masked()
        #expect(masked.url == "https://b.example.com/post?key=********")
        #expect(String(decoding: masked.body, as: UTF8.self) == "k=********")
    }

    @Test func base64() {
        #expect(Encodings.base64(Array("".utf8)) == "")
        #expect(Encodings.base64(Array("f".utf8)) == "Zg==")
        #expect(Encodings.base64(Array("fo".utf8)) == "Zm8=")
        #expect(Encodings.base64(Array("foo".utf8)) == "Zm9v")
        #expect(Encodings.base64(Array("Aladdin:open sesame".utf8)) == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }
}

@Suite("Value transforms")
struct ValueTransformTests {
    @Test func dates() throws {
        let pattern = try #require(DatePattern("MM/DD/YYYY"))
        #expect(pattern.format(isoDate: "1958-07-04") == "07/04/1958")
        #expect(pattern.format(isoDate: "2026-12-02T10:00:00Z") == "12/02/2026")
        #expect(DatePattern("D.M.YY")?.format(isoDate: "2001-02-03") == "3.2.01")
        #expect(DatePattern("YYYYMMDD")?.format(isoDate: "2001-02-03") == "20010203")
        #expect(pattern.format(isoDate: "1958-02-30") == nil)
        #expect(pattern.format(isoDate: "tomorrow") == nil)
        #expect(DatePattern("///") == nil)
    }

    @Test func phones() {
        let cases: [(ValueTransform.PhoneFormat, String)] = [
            (.digits, "4155550100"), (.digits11, "14155550100"), (.dashed, "415-555-0100"), (.dotted, "415.555.0100"),
            (.parentheses, "(415) 555-0100"), (.e164, "+14155550100"),
        ]
        for (format, expected) in cases {
            #expect(ValueTransform.format(phone: "4155550100", as: format) == expected)
            #expect(ValueTransform.format(phone: "+1 (415) 555-0100", as: format) == expected)
        }
        #expect(ValueTransform.format(phone: "555-0100", as: .dashed) == nil)
    }

    @Test func booleansCasesTypesAndMaps() {
        #expect(ValueTransform(boolean: .init(whenTrue: "Y", whenFalse: "N")).apply(true) == "Y")
        #expect(ValueTransform(boolean: .init(whenTrue: "Y", whenFalse: "N")).apply("no") == "N")
        #expect(ValueTransform(boolean: .init(whenTrue: 1, whenFalse: 0)).apply(.bool(false)) == 0)
        #expect(ValueTransform(boolean: .init(whenTrue: "test", whenFalse: .null)).apply(false) == nil)
        #expect(ValueTransform(letterCase: .upper).apply("ca") == "CA")
        #expect(ValueTransform(letterCase: .lower).apply("CA") == "ca")
        #expect(ValueTransform(letterCase: .title).apply("ada LOVELACE-byron") == "Ada Lovelace-Byron")
        #expect(ValueTransform(maxLength: 3).apply("abcdef") == "abc")
        #expect(ValueTransform(type: .integer).apply("94105") == 94105)
        #expect(ValueTransform(type: .integer).apply(dec("12.9")) == 12)
        #expect(ValueTransform(type: .number).apply("12.50") == dec("12.5"))
        #expect(ValueTransform(type: .string).apply(94105) == "94105")
        #expect(ValueTransform(type: .boolean).apply("yes") == .bool(true))
        #expect(ValueTransform(type: .number).apply("n/a") == nil)
        #expect(ValueTransform(map: ["male": "M", "other": .null]).apply("male") == "M")
        #expect(ValueTransform(map: ["male": "M", "other": .null]).apply("female") == "female")
        #expect(ValueTransform(map: ["male": "M", "other": .null]).apply("other") == nil)
        #expect(ValueTransform(map: ["true": "Yes"]).apply(true) == "Yes", "maps key on the value's text")
    }
}
