import GavelCore
import Testing

extension StorageConformance {
    static func webhook(
        _ id: String, owner: WebhookOwner = .admin, events: [WebhookEventType] = WebhookEventType.allCases
    )
        -> Webhook
    {
        Webhook(
            id: id, owner: owner, url: "https://hooks.example/\(id)", events: events, description: "note \(id)", secret: "secret-\(id)",
            createdAt: Fixtures.now)
    }

    static func message(
        _ id: String, webhook: String = "W1", event: String? = nil, type: WebhookEventType = .leadSold, at offset: Int64 = 0,
        onceKey: String? = nil
    ) -> WebhookMessage {
        let at = Fixtures.now.adding(milliseconds: offset)
        return WebhookMessage(
            id: id, webhookID: webhook, eventID: event ?? "E-\(id)", type: type, body: #"{"id":"E-\#(id)"}"#, createdAt: at,
            retryUntil: at.adding(milliseconds: day), onceKey: onceKey)
    }

    /// Webhooks are stored, listed oldest first, refused twice, and deleted with their deliveries.
    static func webhookCRUD(_ harness: some StoreHarness) async throws {
        let original = try await harness.open()
        let first = webhook("W1", owner: .seller("S1"), events: [.leadSold, .leadUnsold])
        var second = webhook("W2", owner: .buyer("acme"), events: [.balanceLow])
        second.createdAt = Fixtures.now.adding(milliseconds: 1)
        try await original.createWebhook(first)
        try await original.createWebhook(second)
        await #expect(throws: StorageError.conflict("W1")) { try await original.createWebhook(first) }
        #expect(try await original.webhooks() == [first, second])
        let store = try await harness.open()
        #expect(try await store.webhooks() == [first, second])

        #expect(try await store.enqueueWebhookMessages([message("D1"), message("D2", webhook: "W2")]) == 2)
        #expect(try await store.deleteWebhook(id: "W1"))
        #expect(try await !store.deleteWebhook(id: "W1"))
        #expect(try await store.webhooks() == [second])
        #expect(try await store.webhookDeliveries(webhookID: "W1", status: nil, limit: 10).isEmpty)
        #expect(try await store.webhookDeliveries(webhookID: "W2", status: nil, limit: 10).map(\.id) == ["D2"])
    }

    /// An outcome writes its messages in its own transaction: pending and due at once; none for a
    /// webhook that does not exist, and none when the outcome is refused.
    static func outcomeWritesItsWebhookMessages(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.createWebhook(webhook("W1"))
        _ = try await store.insertLead(Fixtures.lead("L1"), dedupeSince: nil)
        var outcome = Fixtures.soldOutcome("L1")
        outcome.webhooks = [message("D1", at: 80), message("D2", webhook: "W-gone", at: 80)]
        try await store.recordOutcome(outcome, sellerID: "S1")
        let written = try await store.webhookDeliveries(webhookID: "W1", status: nil, limit: 10)
        #expect(written == [WebhookDelivery(pending: message("D1", at: 80))])
        #expect(written.first?.nextAttemptAt == Fixtures.now.adding(milliseconds: 80))
        #expect(try await store.lead(id: "L1")?.outcome?.webhooks == [])

        var again = outcome
        again.webhooks = [message("D3")]
        await #expect(throws: StorageError.conflict("L1")) { try await store.recordOutcome(again, sellerID: "S1") }
        #expect(try await store.webhookDeliveries(webhookID: "W1", status: nil, limit: 10).map(\.id) == ["D1"])
        #expect(try await harness.open().webhookDeliveries(webhookID: "W1", status: .pending, limit: 10).map(\.id) == ["D1"])
    }

    /// A once key lets its event be written once, by any write, until it is cleared.
    static func webhookOnceKeys(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.createWebhook(webhook("W1"))
        try await store.createWebhook(webhook("W2"))
        let key = WebhookOnceKey.balanceLow(buyerID: "acme")
        let first = [message("D1", event: "E1", type: .balanceLow, onceKey: key), message("D2", webhook: "W2", event: "E1", onceKey: key)]
        #expect(try await store.enqueueWebhookMessages(first) == 2)
        #expect(try await store.enqueueWebhookMessages([message("D3", event: "E2", onceKey: key)]) == 0)
        _ = try await store.insertLead(Fixtures.lead("L1"), dedupeSince: nil)
        var outcome = Fixtures.soldOutcome("L1")
        outcome.webhooks = [message("D4", event: "E3", onceKey: key), message("D5", event: "E4")]
        try await store.recordOutcome(outcome, sellerID: "S1")
        #expect(try await store.webhookDeliveries(webhookID: "W1", status: nil, limit: 10).map(\.id).sorted() == ["D1", "D5"])

        try await store.clearWebhookOnceKey(key)
        #expect(try await store.enqueueWebhookMessages([message("D6", event: "E5", onceKey: key)]) == 1)
        #expect(try await harness.open().enqueueWebhookMessages([message("D7", event: "E6", onceKey: key)]) == 0)
    }

    /// Returns and conversions write what their fan-out makes of the decision, in their own
    /// transaction: scoped to each subscriber, nothing for a request that decided nothing.
    static func returnsAndConversionsWriteTheirEvents(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        for hook in [webhook("W-op"), webhook("W-seller", owner: .seller("S1")), webhook("W-buyer", owner: .buyer("acme"))] {
            try await store.createWebhook(hook)
        }
        let subscribers = try await store.webhooks().map {
            WebhookFanOut.Subscriber(webhookID: $0.id, owner: $0.owner, events: Set($0.events))
        }
        let fanOut = WebhookFanOut(subscribers: subscribers, retryWindowMS: day)
        try await sell(store, "L1")
        try await sell(store, "L2", sales: [Fixtures.sale(returnWindowDays: 0)], phone: "4155550177")
        let at = Fixtures.now.adding(milliseconds: 60_000)
        func decide(_ lead: String, _ buyer: String = "acme") async throws -> ReturnResult {
            try await store.recordReturn(ReturnRequest(leadID: lead, buyerID: buyer, reason: "no answer", at: at, webhooks: fanOut))
        }
        #expect(try await decide("L1") == .approved(refund: Money("12.50")))
        #expect(try await decide("L2") == .denied(reason: "outside_return_window"))
        #expect(try await decide("L1") == .alreadyReturned)
        #expect(try await decide("L1", "zeta") == .notFound)
        #expect(
            try await store.recordConversion(leadID: "L1", buyerID: "acme", value: Money("90.00"), at: at, webhooks: fanOut) == .recorded)
        #expect(try await store.recordConversion(leadID: "L1", buyerID: "acme", value: nil, at: at, webhooks: fanOut) == .alreadyRecorded)

        func events(_ id: String) async throws -> [String] {
            try await store.webhookDeliveries(webhookID: id, status: nil, limit: 20).map(\.message.type.rawValue).sorted()
        }
        #expect(try await events("W-op") == ["conversion.recorded", "lead.returned", "return.decided", "return.decided"])
        #expect(try await events("W-buyer") == ["conversion.recorded", "lead.returned", "return.decided", "return.decided"])
        #expect(try await events("W-seller") == ["conversion.recorded", "lead.returned"])
        for delivery in try await store.webhookDeliveries(webhookID: "W-seller", status: nil, limit: 20) {
            let body = try JSONParser.parse(Array(delivery.message.body.utf8))
            let data = try #require(body["data"]?.objectValue)
            #expect(Set(data.keys).isSubset(of: ["lead_id", "payout"]), "a seller's \(delivery.message.type.rawValue): \(data.keys)")
            #expect(!data.values.contains(.string("acme")))
        }
    }

    /// Claims take due, unleased deliveries oldest first; a lease keeps other senders off until
    /// it runs out, and only the lease's holder records an attempt.
    static func webhookClaimsAndLeases(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.createWebhook(webhook("W1"))
        try await store.enqueueWebhookMessages([
            message("D1", at: 0), message("D2", at: 10), message("D3", at: 20), message("D4", at: 60_000),
        ])
        let now = Fixtures.now.adding(milliseconds: 1_000)
        let lease = now.adding(milliseconds: 30_000)
        let first = try await store.claimWebhookDeliveries(owner: "A", now: now, leaseUntil: lease, limit: 2)
        #expect(first.map(\.message.id) == ["D1", "D2"])
        #expect(first.allSatisfy { $0.url == "https://hooks.example/W1" && $0.secret == "secret-W1" && $0.attempts == 0 })
        #expect(try await store.claimWebhookDeliveries(owner: "B", now: now, leaseUntil: lease, limit: 5).map(\.message.id) == ["D3"])
        #expect(try await store.claimWebhookDeliveries(owner: "B", now: now, leaseUntil: lease, limit: 5).isEmpty)

        // A's lease runs out: another sender takes the delivery, and A's late result is refused.
        let later = lease.adding(milliseconds: 1)
        let taken = try await store.claimWebhookDeliveries(owner: "C", now: later, leaseUntil: later.adding(milliseconds: 30_000), limit: 1)
        #expect(taken.map(\.message.id) == ["D1"])
        let failed = WebhookAttempt(
            deliveryID: "D1", at: now, status: .pending, nextAttemptAt: later.adding(milliseconds: 5_000), httpStatus: 500,
            error: "http_status_500")
        #expect(try await !store.recordWebhookAttempt(failed, owner: "A"))
        #expect(try await store.recordWebhookAttempt(failed, owner: "C"))
        let delivered = WebhookAttempt(deliveryID: "D3", at: now, status: .delivered, nextAttemptAt: nil, httpStatus: 204, error: nil)
        #expect(try await store.recordWebhookAttempt(delivered, owner: "B"))
        #expect(try await !store.recordWebhookAttempt(delivered, owner: "B"))

        let listed = try await store.webhookDeliveries(webhookID: "W1", status: nil, limit: 10)
        #expect(listed.map(\.id) == ["D4", "D3", "D2", "D1"])
        let d1 = try #require(listed.last)
        #expect(d1.status == .pending && d1.attempts == 1 && d1.lastStatus == 500 && d1.lastError == "http_status_500")
        #expect(d1.nextAttemptAt == later.adding(milliseconds: 5_000) && d1.lastAttemptAt == now)
        let d3 = listed[1]
        #expect(d3.status == .delivered && d3.deliveredAt == now && d3.nextAttemptAt == nil && d3.attempts == 1)
        #expect(try await store.webhookDeliveries(webhookID: "W1", status: .delivered, limit: 10).map(\.id) == ["D3"])
        #expect(try await store.webhookDeliveries(webhookID: "W1", status: .pending, limit: 2).map(\.id) == ["D4", "D2"])

        // D1 is due again only at its next attempt; D2 is still A's until its lease runs out.
        #expect(try await store.claimWebhookDeliveries(owner: "B", now: later, leaseUntil: later, limit: 5).map(\.message.id) == ["D2"])
        let due = later.adding(milliseconds: 60_000)
        #expect(
            try await store.claimWebhookDeliveries(owner: "B", now: due, leaseUntil: due, limit: 5).map(\.message.id) == ["D2", "D1", "D4"])
    }

    /// Senders claiming at the same moment never get one delivery twice.
    static func concurrentWebhookClaims(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.createWebhook(webhook("W1"))
        try await store.enqueueWebhookMessages((0..<60).map { message("D\($0)", at: Int64($0)) })
        let now = Fixtures.now.adding(milliseconds: 1_000)
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for sender in 0..<6 {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let batch = try await store.claimWebhookDeliveries(
                            owner: "S\(sender)", now: now, leaseUntil: now.adding(milliseconds: 60_000), limit: 4)
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.message.id)
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 60)
        #expect(Set(claimed).count == 60)
    }

    /// A redelivery makes a finished delivery pending and due at once; releasing and
    /// reclaiming leases free claimed ones; purging drops old finished deliveries and old cap
    /// once keys, never pending deliveries or balance keys.
    static func webhookRedeliveryAndHousekeeping(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.createWebhook(webhook("W1"))
        let capKey = WebhookOnceKey.capReached(campaignID: "acme-auto-ca", cap: "daily_leads", period: "2026-11-30")
        let balanceKey = WebhookOnceKey.balanceLow(buyerID: "acme")
        try await store.enqueueWebhookMessages([
            message("D1"), message("D2", at: 1), message("D3", at: 2, onceKey: capKey), message("D4", at: 3, onceKey: balanceKey),
        ])
        let now = Fixtures.now.adding(milliseconds: 1_000)
        let lease = now.adding(milliseconds: 60_000)
        _ = try await store.claimWebhookDeliveries(owner: "A", now: now, leaseUntil: lease, limit: 2)
        let gaveUp = WebhookAttempt(deliveryID: "D1", at: now, status: .failed, nextAttemptAt: nil, httpStatus: nil, error: "timeout")
        #expect(try await store.recordWebhookAttempt(gaveUp, owner: "A"))
        #expect(
            try await store.claimWebhookDeliveries(owner: "B", now: now, leaseUntil: lease, limit: 5).map(\.message.id) == ["D3", "D4"])
        try await store.releaseWebhookLeases(owner: "A")
        #expect(try await store.claimWebhookDeliveries(owner: "B", now: now, leaseUntil: lease, limit: 5).map(\.message.id) == ["D2"])

        let until = now.adding(milliseconds: day)
        let again = try #require(try await store.redeliverWebhook(webhookID: "W1", deliveryID: "D1", now: now, retryUntil: until))
        #expect(again.status == .pending && again.nextAttemptAt == now && again.message.retryUntil == until && again.attempts == 1)
        #expect(try await store.redeliverWebhook(webhookID: "W-other", deliveryID: "D1", now: now, retryUntil: until) == nil)
        #expect(try await store.redeliverWebhook(webhookID: "W1", deliveryID: "D-none", now: now, retryUntil: until) == nil)
        let due = try await store.claimWebhookDeliveries(owner: "C", now: now, leaseUntil: lease, limit: 5)
        #expect(due.map(\.message.id) == ["D1"] && due.first?.attempts == 1)
        let delivered = WebhookAttempt(deliveryID: "D1", at: now, status: .delivered, nextAttemptAt: nil, httpStatus: 200, error: nil)
        #expect(try await store.recordWebhookAttempt(delivered, owner: "C"))
        // Leases run out or are reclaimed at start (every one on a store this process alone
        // uses, the run-out ones on a shared database): then their deliveries are claimable.
        #expect(try await store.reclaimWebhookLeases(now: lease) == 3)
        #expect(
            try await store.claimWebhookDeliveries(owner: "D", now: now, leaseUntil: lease, limit: 5).map(\.message.id) == [
                "D2", "D3", "D4",
            ])

        #expect(try await store.purgeWebhookDeliveries(createdBefore: Fixtures.now.adding(milliseconds: 10)) == 1)
        #expect(try await store.webhookDeliveries(webhookID: "W1", status: nil, limit: 10).map(\.id) == ["D4", "D3", "D2"])
        #expect(try await store.enqueueWebhookMessages([message("D5", event: "E5", onceKey: capKey)]) == 1)
        #expect(try await store.enqueueWebhookMessages([message("D6", event: "E6", onceKey: balanceKey)]) == 0)
    }
}
