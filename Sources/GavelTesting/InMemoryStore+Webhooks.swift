import GavelCore

/// The webhooks an ``InMemoryStore`` holds, their outbox (with each delivery's lease) and the
/// once keys written.
struct InMemoryWebhooks: Sendable {
    /// A delivery with its lease and its place in the outbox.
    struct Entry: Sendable {
        var delivery: WebhookDelivery
        var leaseOwner: String?
        var leaseUntil: Timestamp?
        var seq: Int
    }

    var webhooks: [String: Webhook] = [:]
    var deliveries: [String: Entry] = [:]
    var onceKeys: [String: Timestamp] = [:]
    var nextSeq = 0
}

extension InMemoryStore {
    /// Stores a new webhook (journaled and chained, its secret masked); ``StorageError/conflict(_:)``
    /// when its id exists.
    public func createWebhook(_ webhook: Webhook) async throws {
        try locked { state in
            guard state.webhooks.webhooks[webhook.id] == nil else { throw StorageError.conflict(webhook.id) }
            state.webhooks.webhooks[webhook.id] = webhook
            state.journal(.webhookCreated(webhook))
        }
    }

    /// Every webhook, oldest first.
    public func webhooks() async throws -> [Webhook] {
        try locked { state in state.webhooks.webhooks.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) } }
    }

    /// Deletes a webhook and its deliveries (journaled and chained).
    public func deleteWebhook(id: String) async throws -> Bool {
        let change = ConfigChange.webhookDeleted(id: id, at: clock.now())
        return try locked { state in
            guard state.webhooks.webhooks.removeValue(forKey: id) != nil else { return false }
            state.webhooks.deliveries = state.webhooks.deliveries.filter { $0.value.delivery.message.webhookID != id }
            state.journal(change)
            return true
        }
    }

    /// Writes messages of events that change nothing else.
    public func enqueueWebhookMessages(_ messages: [WebhookMessage]) async throws -> Int {
        try locked { $0.writeWebhookMessages(messages) }
    }

    /// Forgets a once key.
    public func clearWebhookOnceKey(_ key: String) async throws {
        try locked { state in _ = state.webhooks.onceKeys.removeValue(forKey: key) }
    }

    /// Claims due, unleased pending deliveries, oldest due first.
    public func claimWebhookDeliveries(owner: String, now: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [WebhookDispatch] {
        try locked { $0.claimWebhookDeliveries(owner: owner, now: now, leaseUntil: leaseUntil, limit: limit) }
    }

    /// Records an attempt while `owner` holds the lease.
    public func recordWebhookAttempt(_ attempt: WebhookAttempt, owner: String) async throws -> Bool {
        try locked { state in
            guard var entry = state.webhooks.deliveries[attempt.deliveryID], entry.leaseOwner == owner else { return false }
            entry.delivery.apply(attempt)
            (entry.leaseOwner, entry.leaseUntil) = (nil, nil)
            state.webhooks.deliveries[attempt.deliveryID] = entry
            return true
        }
    }

    /// Ends `owner`'s leases.
    public func releaseWebhookLeases(owner: String) async throws {
        try locked { state in
            for (id, entry) in state.webhooks.deliveries where entry.leaseOwner == owner {
                state.webhooks.deliveries[id]?.leaseOwner = nil
                state.webhooks.deliveries[id]?.leaseUntil = nil
            }
        }
    }

    /// Ends every lease (only this process uses the store).
    public func reclaimWebhookLeases(now: Timestamp) async throws -> Int {
        try locked { state in
            let leased = state.webhooks.deliveries.filter { $0.value.leaseOwner != nil }.keys
            for id in leased {
                state.webhooks.deliveries[id]?.leaseOwner = nil
                state.webhooks.deliveries[id]?.leaseUntil = nil
            }
            return leased.count
        }
    }

    /// A webhook's deliveries, newest first.
    public func webhookDeliveries(webhookID: String, status: WebhookDeliveryStatus?, limit: Int) async throws -> [WebhookDelivery] {
        try locked { state in
            state.webhooks.deliveries.values.filter {
                $0.delivery.message.webhookID == webhookID && (status == nil || $0.delivery.status == status)
            }
            .sorted { ($0.delivery.message.createdAt, $0.seq) > ($1.delivery.message.createdAt, $1.seq) }.prefix(max(0, limit))
            .map(\.delivery)
        }
    }

    /// Makes a delivery pending again, due now.
    public func redeliverWebhook(
        webhookID: String, deliveryID: String, now: Timestamp, retryUntil: Timestamp
    ) async throws
        -> WebhookDelivery?
    {
        try locked { state in
            guard var entry = state.webhooks.deliveries[deliveryID], entry.delivery.message.webhookID == webhookID else { return nil }
            entry.delivery.redeliver(now: now, retryUntil: retryUntil)
            state.webhooks.deliveries[deliveryID] = entry
            return entry.delivery
        }
    }

    /// Deletes finished deliveries created before a time, and old cap once keys.
    public func purgeWebhookDeliveries(createdBefore time: Timestamp) async throws -> Int {
        try locked { state in
            let old = state.webhooks.deliveries.filter {
                $0.value.delivery.status != .pending && $0.value.delivery.message.createdAt < time
            }
            for id in old.keys { state.webhooks.deliveries[id] = nil }
            state.webhooks.onceKeys = state.webhooks.onceKeys.filter { !$0.key.hasPrefix(WebhookOnceKey.capPrefix) || $0.value >= time }
            return old.count
        }
    }
}

extension InMemoryState {
    /// Writes messages whose webhook exists; a message with a once key only if the key was
    /// never written. Returns how many were written.
    @discardableResult
    mutating func writeWebhookMessages(_ messages: [WebhookMessage]) -> Int {
        var (allowed, refused) = (Set<String>(), Set<String>())
        var written = 0
        for message in messages where webhooks.webhooks[message.webhookID] != nil {
            if let key = message.onceKey, !allowed.contains(key) {
                if refused.contains(key) || webhooks.onceKeys[key] != nil {
                    refused.insert(key)
                    continue
                }
                webhooks.onceKeys[key] = message.createdAt
                allowed.insert(key)
            }
            webhooks.deliveries[message.id] = InMemoryWebhooks.Entry(
                delivery: WebhookDelivery(pending: message), leaseOwner: nil, leaseUntil: nil, seq: webhooks.nextSeq)
            webhooks.nextSeq += 1
            written += 1
        }
        return written
    }

    mutating func claimWebhookDeliveries(owner: String, now: Timestamp, leaseUntil: Timestamp, limit: Int) -> [WebhookDispatch] {
        let due = webhooks.deliveries.values.filter { entry in
            entry.delivery.status == .pending && (entry.delivery.nextAttemptAt ?? now) <= now
                && (entry.leaseUntil.map { $0 <= now } ?? true)
        }
        .sorted { ($0.delivery.nextAttemptAt ?? now, $0.seq) < ($1.delivery.nextAttemptAt ?? now, $1.seq) }
        var claimed: [WebhookDispatch] = []
        for entry in due {
            guard claimed.count < limit, let webhook = webhooks.webhooks[entry.delivery.message.webhookID] else { continue }
            webhooks.deliveries[entry.delivery.id]?.leaseOwner = owner
            webhooks.deliveries[entry.delivery.id]?.leaseUntil = leaseUntil
            claimed.append(
                WebhookDispatch(
                    message: entry.delivery.message, attempts: entry.delivery.attempts, url: webhook.url, secret: webhook.secret))
        }
        return claimed
    }
}
