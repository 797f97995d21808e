import GavelCore
import Hummingbird

/// `/v1/webhooks`: any key registers endpoints for events (`POST`, the signing secret shown
/// once), lists (`GET`, secrets masked), reads and deletes them, and lists and redelivers their
/// deliveries. Operators see every webhook; sellers and buyers their own (docs/WEBHOOKS.md).
struct WebhookRoutes {
    let registry: WebhookRegistry

    /// The most deliveries one listing returns.
    static let maxDeliveries = 500

    func register(on router: Routes) {
        router.post("/v1/webhooks") { request, context in
            let owner = try Self.owner(context)
            let webhook = try await registry.create(json: try await JSONIO.body(request, context: context), owner: owner)
            return JSONIO.response(webhook.json(revealSecret: true), status: .created, headers: [.location: "/v1/webhooks/\(webhook.id)"])
        }
        router.get("/v1/webhooks") { _, context in
            JSONIO.response(.array(try await registry.list(for: try Self.owner(context)).map { $0.json() }))
        }
        router.get("/v1/webhooks/:id") { _, context in
            let id = try context.parameters.require("id")
            return JSONIO.response(try await registry.webhook(id: id, for: try Self.owner(context)).json())
        }
        router.delete("/v1/webhooks/:id") { _, context in
            try await registry.delete(id: try context.parameters.require("id"), by: try Self.owner(context))
            return Response(status: .noContent)
        }
        router.get("/v1/webhooks/:id/deliveries") { request, context in try await deliveries(request, context) }
        router.post("/v1/webhooks/:id/deliveries/:delivery_id/redeliver") { _, context in
            let delivery = try await registry.redeliver(
                webhookID: try context.parameters.require("id"), deliveryID: try context.parameters.require("delivery_id"),
                by: try Self.owner(context))
            return JSONIO.response(delivery.json, status: .accepted)
        }
    }

    private func deliveries(_ request: Request, _ context: GavelRequestContext) async throws -> Response {
        let (status, limit) = try Self.deliveryQuery(request)
        let list = try await registry.deliveries(
            webhookID: try context.parameters.require("id"), for: try Self.owner(context), status: status, limit: limit)
        return JSONIO.response(.array(list.map(\.json)))
    }

    /// `?status=pending|delivered|failed` and `?limit=1..500` (default 100), or 422.
    static func deliveryQuery(_ request: Request) throws -> (WebhookDeliveryStatus?, Int) {
        let log = FieldErrorLog()
        var status: WebhookDeliveryStatus?
        if let text = request.uri.queryParameters["status"].map(String.init), !text.isEmpty {
            status = WebhookDeliveryStatus(rawValue: text)
            if status == nil { log.add("status", "must be one of pending, delivered, failed") }
        }
        var limit = 100
        if let text = request.uri.queryParameters["limit"].map(String.init) {
            if let value = Int(text), (1...maxDeliveries).contains(value) {
                limit = value
            } else {
                log.add("limit", "must be 1 to \(maxDeliveries)")
            }
        }
        try log.throwIfAny()
        return (status, limit)
    }

    /// The caller as a webhook owner: the operator, or the seller or buyer its key is bound to.
    static func owner(_ context: GavelRequestContext) throws -> WebhookOwner {
        let identity = try context.require(.admin, .seller, .buyer)
        switch identity.role {
        case .admin: return .admin
        case .seller: return .seller(try context.requireSeller())
        case .buyer: return .buyer(try context.requireBuyer())
        }
    }
}
