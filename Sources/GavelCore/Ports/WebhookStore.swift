/// Webhooks and their durable outbox.
///
/// Messages are written by the change that causes them, in its own transaction:
/// ``LeadStore/recordOutcome(_:sellerID:)`` writes ``LeadOutcome/webhooks``,
/// ``MoneyStore/recordReturn(_:)`` and ``MoneyStore/recordConversion(leadID:buyerID:value:at:webhooks:)``
/// write what their ``WebhookFanOut`` makes of the decision; events that change nothing else
/// (a circuit that opened, a balance that crossed its threshold) are written by
/// ``enqueueWebhookMessages(_:)``. A message whose webhook no longer exists is not written.
/// A message with a ``WebhookMessage/onceKey`` is written only if that key never was (the
/// key is kept, so the event is sent once however many nodes see it).
///
/// Senders claim due deliveries with a lease, so that one delivery is attempted by one sender
/// at a time on any number of nodes, and record each attempt only while they hold the lease.
public protocol WebhookStore: Sendable {
    /// Stores a new webhook; `StorageError.conflict` when its id exists.
    func createWebhook(_ webhook: Webhook) async throws
    /// Every webhook, oldest first.
    func webhooks() async throws -> [Webhook]
    /// Deletes a webhook and its deliveries; `false` when it did not exist.
    func deleteWebhook(id: String) async throws -> Bool
    /// Writes messages of events that change nothing else; returns how many were written.
    @discardableResult
    func enqueueWebhookMessages(_ messages: [WebhookMessage]) async throws -> Int
    /// Forgets a once key, so that its event may be sent again (a balance back under its
    /// threshold).
    func clearWebhookOnceKey(_ key: String) async throws
    /// Claims up to `limit` pending deliveries due at `now` that no live lease holds, oldest
    /// due first, for `owner` until `leaseUntil`; each comes with its webhook's URL and secret.
    func claimWebhookDeliveries(owner: String, now: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [WebhookDispatch]
    /// Records an attempt on a claimed delivery and ends the lease; `false` (nothing changed)
    /// when `owner` no longer holds it.
    @discardableResult
    func recordWebhookAttempt(_ attempt: WebhookAttempt, owner: String) async throws -> Bool
    /// Ends the leases `owner` holds without recording anything (a sender stopping).
    func releaseWebhookLeases(owner: String) async throws
    /// Ends the leases of senders that are gone, at start-up: on a store only this process uses,
    /// every lease (a crash left them); on a shared database, those of nodes that stopped
    /// beating. Returns how many.
    @discardableResult
    func reclaimWebhookLeases(now: Timestamp) async throws -> Int
    /// A webhook's deliveries, newest first, at most `limit`; only those in `status` when given.
    func webhookDeliveries(webhookID: String, status: WebhookDeliveryStatus?, limit: Int) async throws -> [WebhookDelivery]
    /// Makes a delivery of the webhook pending again, due at `now` and retried until
    /// `retryUntil` (its attempts are kept); `nil` when the webhook has no such delivery.
    func redeliverWebhook(webhookID: String, deliveryID: String, now: Timestamp, retryUntil: Timestamp) async throws -> WebhookDelivery?
    /// Deletes delivered and failed deliveries created before a time, and once keys of cap
    /// periods noted before it; returns how many deliveries.
    @discardableResult
    func purgeWebhookDeliveries(createdBefore time: Timestamp) async throws -> Int
}

/// Sends one signed webhook delivery over HTTP; never throws, keeps no deadline of its own
/// (the sender bounds each call with ``Deadline``).
public protocol WebhookPoster: Sendable {
    /// POSTs `body` to `url`, signed with `secret` (`X-Gavel-Timestamp`, `X-Gavel-Signature`)
    /// and carrying `headers`; the SSRF guard checks the address it connects to.
    func post(url: String, body: [UInt8], secret: String, headers: [HeaderField]) async -> WebhookReply
}
