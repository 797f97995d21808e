import GavelBuyers
import GavelCore
import GavelServer
import GavelSim
import HTTPTypes
import HummingbirdTesting
import Testing

/// `/v1/webhooks` through the router, and real deliveries from the outbox to a loopback
/// receiver, signed and scoped.
@Suite("Webhooks API")
struct WebhookAPITests {
    /// Registers a webhook for a key; returns its id and secret.
    static func register(
        _ client: any TestClientProtocol, key: String = adminToken, url: String, events: [String]
    ) async throws -> (id: String, secret: String) {
        let created = try await client.call(
            .post, "/v1/webhooks", key: key, json: ["url": .string(url), "events": .array(events.map { .string($0) })])
        #expect(created.status == .created, "\(created.body)")
        return (try #require(created.body["id"]?.stringValue), try #require(created.body["secret"]?.stringValue))
    }

    /// A sender on the exchange's outbox, posting to loopback.
    static func sender(_ exchange: TestExchange) -> (WebhookDispatcher<ContinuousClock>, HTTPWebhookPoster) {
        let poster = HTTPWebhookPoster(allowPrivateAddresses: true)
        let dispatcher = WebhookDispatcher(
            store: exchange.store, poster: poster, hub: exchange.app.webhooks, wallClock: SystemWallClock(), clock: ContinuousClock(),
            configuration: .init(concurrency: 16, timeout: .seconds(10)))
        return (dispatcher, poster)
    }

    @Test func ownersRegisterListAndDeleteTheirOwnWebhooks() async throws {
        try await withMarket { client, market, _ in
            let sellerKey = try await market.seller("S1")
            let otherKey = try await market.seller("S2")
            let created = try await client.call(
                .post, "/v1/webhooks", key: sellerKey,
                json: ["url": "https://hooks.example/gavel", "events": ["lead.sold", "lead.unsold"], "description": "CRM"])
            #expect(created.status == .created)
            let id = try #require(created.body["id"]?.stringValue)
            let secret = try #require(created.body["secret"]?.stringValue)
            #expect(secret.count == 40 && created.headers[.location] == "/v1/webhooks/\(id)")
            #expect(created.body["owner"] == ["role": "seller", "id": "S1"])

            let listed = try await client.call(.get, "/v1/webhooks", key: sellerKey)
            #expect(listed.body.arrayValue?.map { $0["id"] } == [.string(id)])
            #expect(listed.body.arrayValue?.first?["secret"] == "********")
            #expect(try await client.call(.get, "/v1/webhooks/\(id)", key: sellerKey).body["secret"] == "********")
            #expect(try await client.call(.get, "/v1/webhooks", key: otherKey).body == [])
            for (method, path) in [
                (HTTPRequest.Method.get, "/v1/webhooks/\(id)"), (.get, "/v1/webhooks/\(id)/deliveries"), (.delete, "/v1/webhooks/\(id)"),
            ] {
                #expect(try await client.call(method, path, key: otherKey).status == .notFound, "\(method) \(path) by another seller")
            }
            #expect(try await client.call(.get, "/v1/webhooks").body.arrayValue?.count == 1, "the operator sees every webhook")
            #expect(try await client.call(.delete, "/v1/webhooks/\(id)", key: sellerKey).status == .noContent)
            #expect(try await client.call(.get, "/v1/webhooks", key: sellerKey).body == [])
            #expect(try await client.call(.delete, "/v1/webhooks/\(id)", key: sellerKey).status == .notFound)
        }
    }

    @Test func badInputIsRefusedWithEveryErrorAndChangesNothing() async throws {
        try await withMarket(configure: { $0.allowPrivateBuyerURLs = false }) { client, market, exchange in
            let buyerKey = try await Self.buyerKey(client, market, "acme")
            let refused = try await client.call(
                .post, "/v1/webhooks", key: buyerKey,
                json: ["url": "http://127.0.0.1:9/hooks", "events": ["lead.unsold", "nope"], "colour": "red"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(Set(errorFields(refused.body)) == ["url", "events[0]", "events[1]", "colour"], "\(refused.body)")
            #expect(try await exchange.store.webhooks().isEmpty)
            #expect(exchange.app.webhooks.isEmpty)
            #expect(try await client.call(.post, "/v1/webhooks", key: buyerKey, raw: "{").status == .badRequest)
            #expect(try await client.call(.post, "/v1/webhooks", key: nil, json: [:]).status == .unauthorized)
        }
    }

    @Test func anOwnerHasAtMostTwentyWebhooks() async throws {
        try await withMarket { client, _, _ in
            for n in 0..<Webhook.maxPerOwner {
                _ = try await Self.register(client, url: "https://hooks.example/\(n)", events: ["lead.sold"])
            }
            let refused = try await client.call(.post, "/v1/webhooks", json: ["url": "https://hooks.example/x", "events": ["lead.sold"]])
            #expect(refused.status == .conflict)
            #expect(try await client.call(.get, "/v1/webhooks").body.arrayValue?.count == Webhook.maxPerOwner)
        }
    }

    static func buyerKey(_ client: any TestClientProtocol, _ market: MarketFixture, _ buyer: String) async throws -> String {
        try await market.buyer(buyer)
        let key = try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": .string(buyer)])
        return try #require(key.body["key"]?.stringValue)
    }

    @Test func deliveriesAreSignedAndScopedToTheirOwner() async throws {
        try await withWebhookReceiver { receiver in
            try await withMarket { client, market, exchange in
                let sellerKey = try await market.seller("S1")
                try await market.hosted("acme-ca", base: "20")
                let buyerKey = try await Self.buyerKey(client, market, "buyer-acme-ca")
                let seller = try await Self.register(client, key: sellerKey, url: receiver.url("seller"), events: ["lead.sold"])
                let buyer = try await Self.register(
                    client, key: buyerKey, url: receiver.url("buyer"), events: ["lead.sold", "return.decided"])
                let admin = try await Self.register(client, url: receiver.url("admin"), events: WebhookEventType.allCases.map(\.rawValue))
                receiver.setSecret(seller.secret, for: "seller")
                receiver.setSecret(buyer.secret, for: "buyer")
                receiver.setSecret(admin.secret, for: "admin")

                let sold = try await client.call(.post, "/v1/leads", key: sellerKey, json: autoLead())
                let leadID = try #require(sold.body["lead_id"]?.stringValue)
                let returned = try await client.call(
                    .post, "/v1/returns", key: buyerKey, json: ["lead_id": .string(leadID), "reason": "bad"])
                #expect(returned.body["status"] == "approved")
                let (dispatcher, poster) = Self.sender(exchange)
                #expect(await dispatcher.pass() == 6, "lead.sold ×3, return.decided ×2, lead.returned ×1")
                try await poster.shutdown()

                let got = receiver.deliveries
                #expect(got.count == 6 && got.allSatisfy(\.signatureVerified))
                #expect(Set(got.filter { $0.event == "lead.sold" }.map(\.eventID)).count == 1, "one event id for every owner")
                let forSeller = try #require(got.first { $0.name == "seller" }?.json)
                #expect(forSeller["data"]?["payout"] == .number(Number(text: "16")!))
                let said = String(decoding: try #require(got.first { $0.name == "seller" }).body, as: UTF8.self)
                for secret in ["buyer-acme-ca", "acme-ca", "\"price\"", "revenue", "margin"] {
                    #expect(!said.contains(secret), "the seller's delivery says \(secret): \(said)")
                }
                #expect(got.filter { $0.name == "buyer" }.map(\.event).sorted() == ["lead.sold", "return.decided"])
                #expect(got.filter { $0.name == "admin" }.map(\.event).sorted() == ["lead.returned", "lead.sold", "return.decided"])
                let listed = try await client.call(.get, "/v1/webhooks/\(seller.id)/deliveries", key: sellerKey)
                #expect(listed.body.arrayValue?.map { $0["status"] } == ["delivered"])
                #expect(listed.body.arrayValue?.first?["payload"]?["data"]?["lead_id"] == .string(leadID))
            }
        }
    }

    @Test func failedDeliveriesAreListedAndRedeliverable() async throws {
        try await withWebhookReceiver { receiver in
            try await withMarket(configure: { $0.webhookRetry = WebhookRetryPolicy(firstDelay: .milliseconds(1), window: .zero) }) {
                client, market, exchange in
                let sellerKey = try await market.seller("S1")
                try await market.hosted("acme-ca", base: "20")
                let hook = try await Self.register(client, key: sellerKey, url: receiver.url("flaky"), events: ["lead.sold"])
                receiver.setSecret(hook.secret, for: "flaky")
                receiver.answer(503)
                _ = try await client.call(.post, "/v1/leads", key: sellerKey, json: autoLead())
                let (dispatcher, poster) = Self.sender(exchange)
                #expect(await dispatcher.pass() == 1)
                let failed = try await client.call(.get, "/v1/webhooks/\(hook.id)/deliveries?status=failed", key: sellerKey)
                let delivery = try #require(failed.body.arrayValue?.first)
                #expect(delivery["attempts"] == 1 && delivery["last_status"] == 503 && delivery["last_error"] == "http_status_503")
                #expect(delivery["next_attempt_at"] == .null)
                let deliveryID = try #require(delivery["id"]?.stringValue)

                receiver.answer(200)
                let path = "/v1/webhooks/\(hook.id)/deliveries/\(deliveryID)/redeliver"
                #expect(try await client.call(.post, path, key: try await market.seller("S2")).status == .notFound)
                let again = try await client.call(.post, path, key: sellerKey)
                #expect(again.status == .accepted && again.body["status"] == "pending")
                #expect(await dispatcher.pass() == 1)
                try await poster.shutdown()
                let after = try await client.call(.get, "/v1/webhooks/\(hook.id)/deliveries", key: sellerKey)
                #expect(after.body.arrayValue?.first?["status"] == "delivered" && after.body.arrayValue?.first?["attempts"] == 2)
                #expect(receiver.deliveries.map(\.attempt) == [1, 2])
                #expect(Set(receiver.deliveries.map(\.eventID)).count == 1)
                #expect(
                    try await client.call(.get, "/v1/webhooks/\(hook.id)/deliveries?status=lost", key: sellerKey).status
                        == .unprocessableContent)
                #expect(
                    try await client.call(.post, "/v1/webhooks/\(hook.id)/deliveries/D-none/redeliver", key: sellerKey).status == .notFound)
            }
        }
    }

    @Test func deletingASellerDeletesItsWebhooks() async throws {
        try await withMarket { client, market, exchange in
            let sellerKey = try await market.seller("S1")
            _ = try await Self.register(client, key: sellerKey, url: "https://hooks.example/s1", events: ["lead.sold"])
            #expect(try await client.call(.delete, "/v1/sellers/S1").status == .noContent)
            #expect(try await exchange.store.webhooks().isEmpty && exchange.app.webhooks.isEmpty)
        }
    }
}
