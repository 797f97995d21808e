import GavelBuyers
import GavelCore

/// Registers, lists and deletes webhooks on their owners' behalf, and lists and redelivers
/// their deliveries: checks each new webhook (every problem at once, including the SSRF
/// guard's verdict on its URL), writes it, then updates the in-memory hub so the next event
/// sees it. Creates are serialized so the per-owner limit holds.
///
/// Every caller sees only the webhooks it may: the operator all of them, a seller or buyer its
/// own; another's is answered as missing.
public actor WebhookRegistry {
    let store: any WebhookStore
    let hub: WebhookHub
    let urlGuard: AddressGuard
    let clock: any WallClock
    let ids = IDGenerator()

    /// Creates the registry.
    public init(store: any WebhookStore, hub: WebhookHub, urlGuard: AddressGuard, clock: any WallClock) {
        self.store = store
        self.hub = hub
        self.urlGuard = urlGuard
        self.clock = clock
    }

    /// Creates a webhook from `{"url", "events", "description"?}` for `owner`, with a new
    /// signing secret (returned here, masked everywhere after). 422 with every problem, 409
    /// when the owner has the most webhooks allowed; nothing changes on either.
    public func create(json: JSONValue, owner: WebhookOwner) async throws -> Webhook {
        let input = try await checked(json, owner: owner)
        let mine = try await store.webhooks().filter { $0.owner == owner }
        guard mine.count < Webhook.maxPerOwner else {
            throw Problem.conflict("You have \(mine.count) webhooks, the most allowed; delete one first.")
        }
        let now = clock.now()
        let webhook = Webhook(
            id: ids.make("W", at: now), owner: owner, url: input.url, events: input.events, description: input.description,
            secret: ids.secret(length: 40), createdAt: now)
        try await store.createWebhook(webhook)
        hub.add(webhook)
        return webhook
    }

    /// The input, or a 422 listing every problem: the document's and the SSRF guard's.
    private func checked(_ json: JSONValue, owner: WebhookOwner) async throws -> WebhookInput {
        let parsed = WebhookInput.parse(json, owner: owner)
        var errors: [FieldError] = []
        if case .failure(let failure) = parsed { errors = failure.errors }
        if let url = json["url"]?.stringValue, Identifier.isHTTPURL(url), !errors.contains(where: { $0.field == "url" }),
            let problem = await urlGuard.problem(with: url)
        {
            errors.append(FieldError(field: "url", message: problem))
        }
        guard errors.isEmpty, case .success(let input) = parsed else { throw Problem.invalid(ValidationFailure(errors)) }
        return input
    }

    /// The webhooks `viewer` may see, oldest first.
    public func list(for viewer: WebhookOwner) async throws -> [Webhook] {
        try await store.webhooks().filter { $0.owner.isVisible(to: viewer) }
    }

    /// A webhook `viewer` may see, or 404.
    public func webhook(id: String, for viewer: WebhookOwner) async throws -> Webhook {
        guard let webhook = try await store.webhooks().first(where: { $0.id == id }), webhook.owner.isVisible(to: viewer) else {
            throw Problem.notFound("No webhook '\(id)' of yours.")
        }
        return webhook
    }

    /// Deletes a webhook `viewer` may see (and its deliveries), or 404.
    public func delete(id: String, by viewer: WebhookOwner) async throws {
        _ = try await webhook(id: id, for: viewer)
        guard try await store.deleteWebhook(id: id) else { throw Problem.notFound("No webhook '\(id)' of yours.") }
        hub.remove(id: id)
    }

    /// A webhook's deliveries, newest first (404 for a webhook `viewer` may not see).
    public func deliveries(
        webhookID: String, for viewer: WebhookOwner, status: WebhookDeliveryStatus?, limit: Int
    ) async throws -> [WebhookDelivery] {
        _ = try await webhook(id: webhookID, for: viewer)
        return try await store.webhookDeliveries(webhookID: webhookID, status: status, limit: limit)
    }

    /// Sends a delivery again: pending, due now, retried for a new window; 404 when the
    /// webhook or the delivery is not the viewer's.
    public func redeliver(webhookID: String, deliveryID: String, by viewer: WebhookOwner) async throws -> WebhookDelivery {
        _ = try await webhook(id: webhookID, for: viewer)
        let now = clock.now()
        let until = now.adding(milliseconds: hub.retry.window.milliseconds)
        guard let delivery = try await store.redeliverWebhook(webhookID: webhookID, deliveryID: deliveryID, now: now, retryUntil: until)
        else { throw Problem.notFound("No delivery '\(deliveryID)' of webhook '\(webhookID)'.") }
        return delivery
    }

    /// Deletes the webhooks of a seller or buyer that no longer exists.
    public func deleteAll(of owner: WebhookOwner) async throws {
        for webhook in try await store.webhooks() where webhook.owner == owner {
            _ = try await store.deleteWebhook(id: webhook.id)
            hub.remove(id: webhook.id)
        }
    }
}
