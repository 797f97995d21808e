import GavelCore
import GavelServer
import GavelSim
import GavelStoreSQLite
import HTTPTypes
import HummingbirdTesting
import Testing

/// Form-encoded selling on `/v1/leads`, `/v1/ping` and `/v1/post`: the same validation, answers
/// and errors as JSON, the key in a header only, and idempotency and rate limits as for JSON.
@Suite("Seller forms")
struct SellerFormTests {
    @Test func aFormPostSellsALeadAsJSONWould() async throws {
        try await withMarket { client, market, exchange in
            let key = try await market.seller("S1")
            try await market.hosted(
                "h", base: "10", extra: ["bid": ["base": 10, "rules": [["when": ["homeowner": ["eq": true]], "add": 2]]]])
            let extra = [("age", " 41 "), ("homeowner", "Yes"), ("credit_rating", "GOOD"), ("birth_date", "1984-02-29")]
            let sold = try await client.form("/v1/leads", key: key, autoForm(phone: "(415) 555-0100", extra: extra))
            #expect(sold.status == .ok)
            #expect(sold.headers[.contentType] == "application/json")
            #expect(sold.body["status"] == "sold")
            #expect(sold.body["price"] == .number(Number(text: "9.6")!), "12 at a share of 0.8: the homeowner rule saw a boolean")
            #expect(sold.body["test"] == false)
            let json = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(3)))
            #expect(Set(sold.body.objectValue?.keys ?? [:].keys) == Set(json.body.objectValue?.keys ?? [:].keys))

            let id = try #require(sold.body["lead_id"]?.stringValue)
            let lead = try #require(try await exchange.store.lead(id: id)?.lead)
            #expect(lead.fields["age"] == 41)
            #expect(lead.fields["homeowner"] == true)
            #expect(lead.fields["credit_rating"] == "good")
            #expect(lead.fields["phone"] == "4155550100")
            #expect(lead.fields["birth_date"] == "1984-02-29")
            #expect(lead.consent == ["tcpa_text": "I agree", "leadid_token": "abc"])
            #expect(lead.source == "fb-spring-7")
            #expect(!lead.test)
        }
    }

    @Test func aFormPingThenAFormPostSell() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("h", base: "10")
            let ping = try await client.form(
                "/v1/ping", key: key, [("vertical", "auto_insurance"), ("zip", "94105"), ("state", "ca"), ("age", "30"), ("test", "on")])
            #expect(ping.body["status"] == "bid")
            #expect(ping.body["test"] == true)
            let pingID = try #require(ping.body["ping_id"]?.stringValue)
            let full =
                [("ping_id", pingID), ("zip", "94105"), ("state", "CA"), ("age", "30.0")] + [
                    ("first_name", "Ada"), ("last_name", "L"), ("phone", "415.555.0100"), ("consent[ip]", "203.0.113.9"),
                ]
            let post = try await client.form("/v1/post", key: key, full)
            #expect(post.body["status"] == "sold", "\(post.body)")
            #expect(post.body["test"] == true)
        }
    }

    /// Each bad request, sent as JSON and as a form, gets the very same status and problem.
    @Test func formsAreRefusedExactlyAsJSONIs() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("h", base: "10")
            let cases: [(path: String, json: [String: JSONValue], form: [(String, String)])] = [
                ("/v1/leads", ["age": "forty"], [("age", "forty")]),
                ("/v1/leads", ["homeowner": "maybe"], [("homeowner", "maybe")]),
                ("/v1/leads", ["credit_rating": "great"], [("credit_rating", "great")]),
                ("/v1/leads", ["phone": "555"], [("phone", "555")]),
                ("/v1/leads", ["email": "ada@"], [("email", "ada@")]),
                ("/v1/leads", ["birth_date": "1984-02-30"], [("birth_date", "1984-02-30")]),
                ("/v1/leads", ["age": "7"], [("age", "7")]),
                ("/v1/leads", ["favorite_color": "blue"], [("favorite_color", "blue")]),
                ("/v1/leads", ["zip": "", "first_name": "  "], [("zip", ""), ("first_name", "  ")]),
            ]
            for (path, fields, pairs) in cases {
                var lead = autoLead().objectValue!
                var leadFields = lead["fields"]!.objectValue!
                leadFields.merge(fields) { _, new in new }
                lead["fields"] = .object(leadFields)
                let viaJSON = try await client.call(.post, path, key: key, json: .object(lead))
                let form = autoForm().filter { name, _ in !pairs.contains { $0.0 == name } } + pairs
                let viaForm = try await client.form(path, key: key, form)
                #expect(viaJSON.status == .unprocessableContent)
                #expect(viaForm.status == viaJSON.status)
                #expect(viaForm.body == viaJSON.body, "\(pairs)")
            }
            let pingJSON = try await client.call(
                .post, "/v1/ping", key: key,
                json: ["vertical": "auto_insurance", "fields": ["zip": "94105", "state": "CA", "phone": "4155550100"]])
            let pingForm = try await client.form(
                "/v1/ping", key: key, [("vertical", "auto_insurance"), ("zip", "94105"), ("state", "CA"), ("phone", "4155550100")])
            #expect(pingForm.status == .unprocessableContent)
            #expect(pingForm.body == pingJSON.body)
            let report = try await client.call(.get, "/v1/reports?group_by=seller")
            #expect(report.body == [], "refused leads changed nothing")
        }
    }

    @Test func malformedFormsAreRefusedWithProblems() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            let badTest = try await client.form("/v1/leads", key: key, autoForm(extra: [("test", "maybe")]))
            #expect(badTest.status == .unprocessableContent)
            #expect(errorFields(badTest.body) == ["test"])
            let twice = try await client.form("/v1/leads", key: key, autoForm() + [("zip", "10001")])
            #expect(errorFields(twice.body) == ["fields.zip"])
            #expect(twice.body["detail"] == "fields.zip: is given more than once")
            let noVertical = try await client.form("/v1/leads", key: key, autoForm().filter { $0.0 != "vertical" })
            #expect(errorFields(noVertical.body) == ["vertical"])
            let escape = try await client.send("/v1/leads", key: key, body: "vertical=auto%zzinsurance")
            #expect(escape.status == .badRequest)
            #expect(escape.headers[.contentType] == "application/problem+json")
            #expect(problemSlug(escape.body) == "unparseable")
            let notUTF8 = try await client.send("/v1/leads", key: key, body: "vertical=%FF")
            #expect(notUTF8.status == .badRequest)
            let noName = try await client.send("/v1/leads", key: key, body: "=x&vertical=auto_insurance")
            #expect(errorFields(noName.body) == ["body"])
            let multipart = try await client.send(
                "/v1/leads", key: key, body: "--x\r\n\r\n--x--", contentType: "multipart/form-data; boundary=x")
            #expect(multipart.status == .unsupportedMediaType)
            #expect(problemSlug(multipart.body) == "unsupported-media-type")
            let charset = try await client.send(
                "/v1/leads", key: key, body: formBody(autoForm(test: true)), contentType: "Application/X-WWW-Form-URLEncoded; charset=UTF-8"
            )
            #expect(charset.status == .ok)
        }
    }

    @Test func theKeyGoesInAHeaderAndNeverInTheURL() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("h", base: "10")
            let viaHeader = try await client.send(
                "/v1/leads", key: key, body: formBody(autoForm()), keyHeader: HTTPField.Name("X-API-Key")!)
            #expect(viaHeader.body["status"] == "sold")
            let jsonViaHeader = try await client.send(
                "/v1/leads", key: key, body: JSONWriter.string(autoLead(phone: phone(1))), contentType: "application/json",
                keyHeader: HTTPField.Name("X-API-Key")!)
            #expect(jsonViaHeader.body["status"] == "sold")
            for query in [
                "api_key=\(key)", "key=\(key)", "token=x", "API_KEY=\(key)", "vertical=x&access_token=\(key)", "api%5Fkey=\(key)",
            ] {
                let refused = try await client.form("/v1/leads?\(query)", key: key, autoForm(phone: phone(2)))
                #expect(refused.status == .badRequest, "\(query)")
                #expect(problemSlug(refused.body) == "key-in-url")
                #expect(refused.body["detail"]?.stringValue?.contains("logs") == true)
                #expect(!JSONWriter.string(refused.body).contains(key), "the key is never echoed")
            }
            let read = try await client.call(.get, "/v1/settings?token=\(adminToken)")
            #expect(read.status == .badRequest)
            let noKey = try await client.form("/v1/leads", key: nil, autoForm())
            #expect(noKey.status == .unauthorized)
            #expect(noKey.body["detail"]?.stringValue?.contains("X-API-Key") == true)
            let wrong = try await client.send(
                "/v1/leads", key: "gvl_nope", body: formBody(autoForm()), keyHeader: HTTPField.Name("X-API-Key")!)
            #expect(wrong.status == .unauthorized)
            let report = try await client.call(.get, "/v1/reports?group_by=seller")
            #expect(report.body.arrayValue?.first?["leads"] == 2, "only the two leads with the key in a header were taken")
        }
    }

    @Test func idempotencyKeysHoldForForms() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("h", base: "10")
            let retry: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "form-1"]
            let first = try await client.form("/v1/leads", key: key, autoForm(), headers: retry)
            let again = try await client.form("/v1/leads", key: key, autoForm(), headers: retry)
            #expect(first.body["status"] == "sold")
            #expect(again.body == first.body)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let other = try await client.form("/v1/leads", key: key, autoForm(phone: phone(4)), headers: retry)
            #expect(other.status == .conflict)
            let asJSON = try await client.call(
                .post, "/v1/leads", key: key, raw: formBody(autoForm()), headers: [HTTPField.Name("Idempotency-Key")!: "form-1"])
            #expect(asJSON.status == .conflict, "the same bytes as JSON are another request")
            let invalid: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "form-2"]
            let bad = try await client.form("/v1/leads", key: key, [("vertical", "auto_insurance"), ("age", "x")], headers: invalid)
            let badAgain = try await client.form("/v1/leads", key: key, [("vertical", "auto_insurance"), ("age", "x")], headers: invalid)
            #expect(bad.status == .unprocessableContent)
            #expect(badAgain.status == .unprocessableContent)
            #expect(badAgain.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let report = try await client.call(.get, "/v1/reports?group_by=seller")
            #expect(report.body.arrayValue?.first?["leads"] == 1)
        }
    }

    /// One key, one bucket: form posts count as JSON posts do, whichever header carries the key.
    @Test func rateLimitsCountFormPostsAndBothKeyHeadersAlike() async throws {
        try await withMarket(configure: { $0.rateLimit = RateLimiter.Configuration(rate: 1, burst: 2) }) { client, market, _ in
            let key = try await market.seller("S1")
            let apiKey = HTTPField.Name("X-API-Key")!
            let started = ContinuousClock.now
            // At once, so a slow machine cannot refill the bucket between them (1 token a second).
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for n in 0..<8 {
                    let header: HTTPField.Name = n % 2 == 0 ? apiKey : .authorization
                    group.addTask {
                        let response = try await client.send("/v1/leads", key: key, body: "source=x", keyHeader: header)
                        return (response.status, response.headers[.retryAfter])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let elapsed = started.duration(to: .now)
            let statuses = answers.map(\.0)
            let retryAfter = answers.first { $0.0 == .tooManyRequests }?.1
            #expect(statuses.filter { $0 == .unprocessableContent }.count >= 2)
            #expect(statuses.contains(.tooManyRequests))
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
            if elapsed < .seconds(1) {
                #expect(statuses.filter { $0 != .tooManyRequests }.count == 2, "both headers draw on the key's one bucket")
            }
        }
    }
}
