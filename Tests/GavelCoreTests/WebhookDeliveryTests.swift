import GavelCore
import GavelStoreSupport
import GavelTesting
import Testing

/// A webhook receiver for tests: answers from a script (then 200), or hangs until cancelled.
final class ScriptedPoster: WebhookPoster {
    struct Call: Sendable {
        var url: String
        var body: [UInt8]
        var secret: String
        var headers: [HeaderField]

        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    }

    private let state = Locked<(replies: [WebhookReply], calls: [Call])>(([], []))
    let hangOn: ManualClock?

    init(_ replies: [WebhookReply] = [], hangingOn clock: ManualClock? = nil) {
        state.withLock { $0.replies = replies }
        hangOn = clock
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func post(url: String, body: [UInt8], secret: String, headers: [HeaderField]) async -> WebhookReply {
        let reply = state.withLock { state -> WebhookReply in
            state.calls.append(Call(url: url, body: body, secret: secret, headers: headers))
            return state.replies.isEmpty ? .status(200) : state.replies.removeFirst()
        }
        if let hangOn {
            try? await hangOn.sleep(for: .seconds(3_600))
            return .status(200)
        }
        return reply
    }
}

/// The outbox sender on the in-memory store with manual clocks, and the exchange writing its
/// events with each outcome.
@Suite("Webhook delivery: the sender and the exchange's events")
struct WebhookDeliveryTests {
    static let start = Timestamp(milliseconds: 1_796_050_800_000)

    struct Sender {
        let store = InMemoryStore()
        let wall = ManualWallClock(start)
        let clock = ManualClock()
        let poster: ScriptedPoster
        let hub: WebhookHub
        let dispatcher: WebhookDispatcher<ManualClock>

        init(
            _ poster: ScriptedPoster, retry: WebhookRetryPolicy = WebhookRetryPolicy(firstDelay: .seconds(10), window: .seconds(3_600))
        )
            async throws
        {
            let webhook = Webhook(
                id: "W1", owner: .admin, url: "https://hooks.example/in", events: [.leadSold], secret: "whsec", createdAt: start)
            try await store.createWebhook(webhook)
            self.poster = poster
            hub = WebhookHub([webhook], retry: retry)
            dispatcher = WebhookDispatcher(
                store: store, poster: poster, hub: hub, wallClock: wall, clock: clock, owner: "node-a",
                configuration: .init(timeout: .seconds(5)), random: { 0 })
            let message = WebhookMessage(
                id: "D1", webhookID: "W1", eventID: "E1", type: .leadSold, body: #"{"id":"E1"}"#, createdAt: start,
                retryUntil: start.adding(milliseconds: retry.window.milliseconds))
            try await store.enqueueWebhookMessages([message])
        }

        func delivery() async throws -> WebhookDelivery {
            try #require(try await store.webhookDeliveries(webhookID: "W1", status: nil, limit: 1).first)
        }
    }

    @Test func aDownReceiverIsRetriedWithBackoffUntilItAnswers() async throws {
        let sender = try await Sender(ScriptedPoster([.failed("connection refused"), .status(500), .status(204)]))
        #expect(await sender.dispatcher.pass() == 1)
        var delivery = try await sender.delivery()
        #expect(delivery.status == .pending && delivery.attempts == 1 && delivery.lastError == "connection refused")
        #expect(delivery.nextAttemptAt == Self.start.adding(milliseconds: 5_000), "10 s jittered down to its half")
        #expect(await sender.dispatcher.pass() == 0, "not due yet")

        sender.wall.advance(milliseconds: 5_000)
        #expect(await sender.dispatcher.pass() == 1)
        delivery = try await sender.delivery()
        #expect(delivery.lastStatus == 500 && delivery.nextAttemptAt == Self.start.adding(milliseconds: 15_000))
        sender.wall.advance(milliseconds: 10_000)
        #expect(await sender.dispatcher.pass() == 1)
        delivery = try await sender.delivery()
        #expect(delivery.status == .delivered && delivery.attempts == 3 && delivery.deliveredAt == Self.start.adding(milliseconds: 15_000))
        sender.wall.advance(milliseconds: 60_000)
        #expect(await sender.dispatcher.pass() == 0, "a delivered event is not sent again")

        let calls = sender.poster.calls
        #expect(calls.map { $0.header("X-Gavel-Attempt") } == ["1", "2", "3"])
        #expect(calls.allSatisfy { $0.header("X-Gavel-Event-Id") == "E1" && $0.header("X-Gavel-Event") == "lead.sold" })
        #expect(calls.allSatisfy { $0.url == "https://hooks.example/in" && $0.secret == "whsec" && $0.body == Array(#"{"id":"E1"}"#.utf8) })
    }

    @Test func aReceiverThatNeverAnswersTimesOutAtTheDeadline() async throws {
        let sender = try await Sender(ScriptedPoster(hangingOn: ManualClock()))
        async let sent = sender.dispatcher.pass()
        await sender.clock.waitForSleepers(1)
        await sender.clock.advance(by: .seconds(5))
        #expect(await sent == 1)
        let delivery = try await sender.delivery()
        #expect(delivery.status == .pending && delivery.lastError == "timeout" && delivery.lastStatus == nil)
    }

    @Test func afterTheWindowADeliveryFailsAndARedeliverySendsItAgain() async throws {
        let retry = WebhookRetryPolicy(firstDelay: .seconds(10), maxDelay: .seconds(10), window: .seconds(30))
        let sender = try await Sender(ScriptedPoster(Array(repeating: .status(503), count: 7)), retry: retry)
        var attempts = 0
        while try await sender.delivery().status == .pending, attempts < 10 {
            attempts += await sender.dispatcher.pass()
            sender.wall.advance(milliseconds: 5_000)
        }
        let failed = try await sender.delivery()
        #expect(failed.status == .failed && failed.lastStatus == 503 && failed.nextAttemptAt == nil)
        #expect(failed.lastAttemptAt == Self.start.adding(milliseconds: 30_000), "the last attempt is at the window's end")
        #expect(attempts == 7, "every 5 s (10 s jittered to its half) for 30 s")
        #expect(try await sender.store.webhookDeliveries(webhookID: "W1", status: .failed, limit: 10).map(\.id) == ["D1"])

        let now = sender.wall.now()
        _ = try await sender.store.redeliverWebhook(
            webhookID: "W1", deliveryID: "D1", now: now, retryUntil: now.adding(milliseconds: 30_000))
        #expect(await sender.dispatcher.pass() == 1)
        let delivered = try await sender.delivery()
        #expect(delivered.status == .delivered && delivered.attempts == 8)
        #expect(Set(sender.poster.calls.map { $0.header("X-Gavel-Event-Id") }) == ["E1"])
    }

    // MARK: The exchange's events

    static func exchange(_ store: InMemoryStore, hub: WebhookHub, caps: Campaign.Caps = Campaign.Caps()) -> Exchange<ManualClock> {
        let vertical = BuiltInVerticals.autoInsurance
        let campaign = Campaign(
            id: "acme-ca", buyerID: "acme", vertical: vertical.id, delivery: Campaign.Delivery(mode: .hosted),
            bid: BidPolicy(base: Money("10.00")), caps: caps)
        let config = MarketConfig(
            verticals: [vertical.id: vertical], sellers: ["S1": Seller(id: "S1", name: "S1", alias: "s-1", revenueShare: Rate("0.8"))],
            buyers: ["acme": Buyer(id: "acme", name: "Acme")], campaigns: [campaign.id: campaign])
        let clock = ManualClock()
        return Exchange(
            Exchange.Dependencies(
                store: store, gateway: ScriptedGateway(clock: clock), market: MarketCache(config), wallClock: ManualWallClock(start),
                clock: clock, hasher: SHA256ContactHasher(), webhooks: hub))
    }

    static func lead(_ n: Int, test: Bool = false) -> LeadSubmission {
        LeadSubmission(
            vertical: "auto_insurance", source: "web", test: test,
            fields: ["zip": "94105", "state": "CA", "first_name": "Ada", "last_name": "Hook", "phone": .string("41555501\(10 + n)")])
    }

    static func events(_ store: InMemoryStore, _ webhook: String) async throws -> [JSONValue] {
        try await store.webhookDeliveries(webhookID: webhook, status: nil, limit: 50).reversed().map {
            try JSONParser.parse(Array($0.message.body.utf8))
        }
    }

    @Test func anOutcomeCarriesItsEventsOnlyForSubscribers() async throws {
        let store = InMemoryStore()
        let seller = Webhook(
            id: "W-seller", owner: .seller("S1"), url: "https://h.example/s", events: [.leadSold, .leadUnsold], secret: "s",
            createdAt: Self.start)
        let other = Webhook(
            id: "W-other", owner: .seller("S2"), url: "https://h.example/o", events: [.leadSold], secret: "o", createdAt: Self.start)
        let buyer = Webhook(
            id: "W-buyer", owner: .buyer("acme"), url: "https://h.example/b", events: [.leadSold], secret: "b", createdAt: Self.start)
        for webhook in [seller, other, buyer] { try await store.createWebhook(webhook) }
        let exchange = Self.exchange(store, hub: WebhookHub([seller, other, buyer]))
        let sold = try await exchange.submit(Self.lead(1), sellerID: "S1")
        let test = try await exchange.submit(Self.lead(2, test: true), sellerID: "S1")

        let heard = try await Self.events(store, "W-seller")
        #expect(heard.map { $0["type"] } == ["lead.sold", "lead.sold"])
        #expect(heard.map { $0["data"]?["lead_id"]?.stringValue } == [sold.leadID, test.leadID])
        #expect(heard.map { $0["test"] } == [false, true])
        #expect(heard[0]["data"]?["payout"] == dec("8"))
        #expect(heard[0]["data"]?["sales"] == nil && heard[0]["data"]?["price"] == nil)
        #expect(try await Self.events(store, "W-other").isEmpty)
        let bought = try await Self.events(store, "W-buyer")
        #expect(bought.first?["data"]?["price"] == dec("10") && bought.first?["data"]?["payout"] == nil)

        let quiet = InMemoryStore()
        _ = try await Self.exchange(quiet, hub: WebhookHub()).submit(Self.lead(3), sellerID: "S1")
        #expect(try await quiet.webhookDeliveries(webhookID: "W-seller", status: nil, limit: 5).isEmpty)
    }

    @Test func aReachedCapPausesTheCampaignOncePerPeriod() async throws {
        let store = InMemoryStore()
        let buyer = Webhook(
            id: "W-buyer", owner: .buyer("acme"), url: "https://h.example/b", events: [.campaignPaused], secret: "b", createdAt: Self.start)
        try await store.createWebhook(buyer)
        let hub = WebhookHub([buyer])
        let exchange = Self.exchange(store, hub: hub, caps: Campaign.Caps(dailyLeads: 1))
        #expect(try await exchange.submit(Self.lead(1), sellerID: "S1").status == .sold)
        for n in 2...4 { #expect(try await exchange.submit(Self.lead(n), sellerID: "S1").status == .unsold) }
        let paused = try await Self.events(store, "W-buyer")
        #expect(paused.count == 1)
        #expect(
            paused.first?["data"] == [
                "campaign_id": "acme-ca", "reason": "cap_reached", "cap": "daily_leads", "period": "2026-11-30", "timezone": "UTC",
            ])

        // Another node (or a restart) that has not seen the key writes nothing either.
        let again = Self.exchange(store, hub: WebhookHub([buyer]), caps: Campaign.Caps(dailyLeads: 1))
        #expect(try await again.submit(Self.lead(5), sellerID: "S1").status == .unsold)
        #expect(try await Self.events(store, "W-buyer").count == 1)
    }
}
