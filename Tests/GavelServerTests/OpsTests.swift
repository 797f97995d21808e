import GavelCore
import GavelServer
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Operations endpoints")
struct OpsTests {
    @Test func healthReadinessAndMetrics() async throws {
        try await TestExchange.run { client, _ in
            #expect(try await client.call(.get, "/healthz", key: nil).body["status"] == "ok")
            #expect(try await client.call(.get, "/readyz", key: nil).body["database"] == "ok")
            _ = try await client.call(.get, "/v1/buyers")
            let metrics = try await client.call(.get, "/metrics", key: nil)
            guard case .string(let text) = metrics.body else {
                Issue.record("metrics is not text")
                return
            }
            #expect(text.contains("gavel_http_requests_total"))
            #expect(text.contains("route=\"/v1/buyers\""))
            #expect(text.contains("gavel_http_request_duration_seconds_bucket"))
        }
    }

    @Test func unknownRoutesAnswerProblemJSON() async throws {
        try await TestExchange.run { client, _ in
            let response = try await client.call(.get, "/v1/nothing-here")
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func openAPIDocumentDescribesExactlyTheRoutesServed() async throws {
        try await TestExchange.run { client, exchange in
            let document = try await client.call(.get, "/openapi.json", key: nil)
            #expect(document.body["openapi"] == "3.1.0")
            let paths = try #require(document.body["paths"]?.objectValue)
            var documented = Set<Routes.Route>()
            for (path, item) in paths {
                for method in item.objectValue?.keys ?? [:].keys where method != "parameters" {
                    documented.insert(Routes.Route(method: method.uppercased(), path: path))
                }
            }
            let served = Set(exchange.app.router().1.all)
            #expect(served.subtracting(documented).isEmpty, "served but undocumented: \(served.subtracting(documented))")
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served))")
        }
    }
}
