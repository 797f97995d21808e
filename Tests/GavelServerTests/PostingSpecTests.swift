import GavelCore
import GavelServer
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /v1/sellers/{id}/spec`: a generated posting guide whose curl examples work as written.
@Suite("Posting guides")
struct PostingSpecTests {
    static let guidePath = "/v1/sellers/S1/spec?vertical=auto_insurance"

    /// Copies every curl command out of the Markdown guide and sends it with exactly the URL,
    /// headers and body curl would send: the one-call JSON and form examples sell, the ping
    /// bids and the post of that ping sells.
    @Test func theGuidesCurlExamplesWorkAsWritten() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("h", base: "10")
            let guide = try await client.text(Self.guidePath, key: key, accept: "text/markdown")
            #expect(guide.status == .ok)
            #expect(guide.headers[.contentType] == "text/markdown; charset=utf-8")
            let commands = curlBlocks(guide.body)
            #expect(commands.count == 4)
            let answers = try await Self.run(commands, key: key, client: client)
            let statuses = answers.map { $0["status"]?.stringValue ?? "\($0)" }
            #expect(answers.allSatisfy { $0["test"] == true }, "the examples are test leads")
            #expect(statuses == ["sold", "sold", "bid", "sold"])
            #expect(try await client.call(.get, "/v1/reports?group_by=seller").body == [], "trying the examples cost nothing")
        }
    }

    /// Runs the commands in order as curl would send them, with `$GAVEL_KEY` set and
    /// `$PING_ID` set from a ping's answer, as the guide tells the reader to; returns the answers.
    static func run(_ commands: [String], key: String, client: any TestClientProtocol) async throws -> [JSONValue] {
        var environment = ["GAVEL_KEY": key]
        var answers: [JSONValue] = []
        for command in commands {
            let curl = try CurlCommand.parse(command, environment: environment)
            #expect(curl.url.hasPrefix("http://localhost/v1/"))
            var headers = HTTPFields()
            for (name, value) in curl.headers { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
            headers[.contentType] = curl.contentType
            let path = String(curl.url.dropFirst("http://localhost".count))
            let answer = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: curl.body)) {
                try JSONParser.parse(Array($0.body.readableBytesView))
            }
            answers.append(answer)
            if let pingID = answer["ping_id"]?.stringValue { environment["PING_ID"] = pingID }
        }
        return answers
    }

    @Test func theGuideDescribesEveryFieldAnswerAndErrorWithoutAKey() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.settings(["ping_ttl_s": 45])
            let guide = try await client.text(Self.guidePath, key: key, accept: "text/markdown").body
            for spec in BuiltInVerticals.autoInsurance.fields {
                #expect(guide.contains("| `\(spec.name)` | \(spec.kind.rawValue) | \(spec.required ? "required" : "optional") |"))
            }
            #expect(guide.contains("| `phone` | phone | required | personal |"))
            #expect(guide.contains("| `zip` | string | required | no | A US ZIP code"))
            #expect(guide.contains("One of `single`, `married`, `divorced`, `widowed`."))
            #expect(guide.contains("A whole number from 16 to 110."))
            for name in ["tcpa_text", "trustedform_cert_url", "leadid_token"] { #expect(guide.contains("`\(name)`")) }
            for status in ["sold", "unsold", "duplicate", "rejected", "bid", "no_bid"] { #expect(guide.contains("### \(status)\n")) }
            for status in [400, 401, 403, 404, 409, 410, 413, 415, 422, 429, 503] { #expect(guide.contains("### \(status)\n")) }
            #expect(guide.contains("held for 45 seconds"))
            #expect(guide.contains("Your status is **active**: leads are sold for real"))
            #expect(guide.contains("X-API-Key"))
            #expect(guide.contains("Never put the key in the URL."))
            #expect(guide.contains(#"-H "Authorization: Bearer $GAVEL_KEY""#))
            #expect(!guide.contains(key), "never a real key")
            #expect(guide.contains(#""field":"fields.favorite_color""#) || guide.contains(#""field": "fields.favorite_color""#))
        }
    }

    @Test func theGuideFollowsTheConfiguration() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", extra: ["status": "testing"])
            let vertical: JSONValue = [
                "id": "pets", "name": "Pet insurance",
                "fields": [
                    ["name": "zip", "type": "string", "required": true], ["name": "source", "type": "integer"],
                    ["name": "owner_email", "type": "email", "required": true, "pii": true],
                ],
            ]
            #expect(try await client.call(.post, "/v1/verticals", json: vertical).status == .created)
            try await market.hosted("pet-h", base: "4", vertical: "pets")
            let guide = try await client.text("/v1/sellers/S1/spec?vertical=pets", key: key, accept: "text/markdown").body
            #expect(guide.contains("Your status is **testing**: every lead is a test lead"))
            #expect(guide.contains("| `owner_email` | email | required | personal |"))
            #expect(guide.contains("--data-urlencode 'fields[source]=1'"), "a field named like the envelope")
            let statuses = try await Self.run(curlBlocks(guide), key: key, client: client).map { $0["status"]?.stringValue ?? "\($0)" }
            #expect(statuses == ["sold", "sold", "bid", "sold"])
        }
    }

    @Test func theGuideIsEscapedHTMLInTheDashboardsLookByDefault() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", extra: ["name": "<script>alert(1)</script> & co"])
            let page = try await client.text(Self.guidePath, key: key)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(!page.body.lowercased().contains("<script"))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"))
            #expect(page.body.contains(#"<link rel="stylesheet" href="/dashboard.css">"#))
            #expect(page.body.contains("<pre class=\"code\" data-language=\"sh\"><code>curl -sS &#39;http://localhost/v1/leads&#39;"))
            let proxied = try await client.execute(
                uri: Self.guidePath, method: .get,
                headers: [.authorization: "Bearer \(key)", .accept: "text/markdown", HTTPField.Name("X-Forwarded-Proto")!: "https"]
            ) { String(buffer: $0.body) }
            #expect(proxied.contains("curl -sS 'https://localhost/v1/leads'"))
            let markdown = try await client.text(Self.guidePath, key: key, accept: "text/markdown").body
            #expect(markdown.hasPrefix("# Posting guide: Auto insurance for \\<script\\>alert(1)\\</script\\> & co\n"))
        }
    }

    @Test func withoutAVerticalTheGuideListsTheVerticals() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            let list = try await client.text("/v1/sellers/S1/spec", key: key, accept: "text/markdown").body
            for vertical in BuiltInVerticals.all {
                #expect(list.contains("[\(vertical.name)](/v1/sellers/S1/spec?vertical=\(vertical.id))"))
            }
            let html = try await client.text("/v1/sellers/S1/spec?vertical=", key: key).body
            #expect(html.contains(#"<a href="/v1/sellers/S1/spec?vertical=mortgage">Mortgage</a>"#))
        }
    }

    @Test func onlyTheOperatorAndTheSellerItselfReadItsGuide() async throws {
        try await withMarket { client, market, _ in
            let own = try await market.seller("S1")
            let other = try await market.seller("S2")
            try await market.buyer("B1")
            let buyer = try await ScopedMarket.buyerKey(client, "B1")
            #expect(try await client.text(Self.guidePath, key: own).status == .ok)
            #expect(try await client.text(Self.guidePath, key: adminToken).status == .ok)
            let foreign = try await client.call(.get, Self.guidePath, key: other)
            #expect(foreign.status == .notFound)
            #expect(foreign.headers[.contentType] == "application/problem+json")
            #expect(try await client.call(.get, Self.guidePath, key: buyer).status == .forbidden)
            #expect(try await client.call(.get, Self.guidePath, key: nil).status == .unauthorized)
            #expect(try await client.call(.get, "/v1/sellers/S9/spec").status == .notFound)
            #expect(try await client.call(.get, "/v1/sellers/S1/spec?vertical=nope", key: own).status == .notFound)
        }
    }
}
