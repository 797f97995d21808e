import GavelCore
import Hummingbird

extension DashboardRoutes {
    /// The webhooks pages for every role: the list and the form that registers one (its secret
    /// shown once, on the page that answers the form), a webhook's page with its deliveries, and
    /// the forms that delete a webhook and redeliver a delivery. They act through the
    /// ``WebhookRegistry``, as `/v1/webhooks` does, with the same scoping.
    func registerWebhooks(on router: Routes) {
        router.get("/webhooks") { request, context in
            await page(request, context) { viewer in
                DashboardHTTP.page("webhooks", try await webhooksPage(viewer, notice: Self.webhookNotice(request)))
            }
        }
        router.post("/webhooks") { request, context in
            await form(request, context) { viewer, body in try await createWebhook(viewer, body) }
        }
        router.get("/webhooks/:id") { request, context in
            await page(request, context) { viewer in
                DashboardHTTP.page("webhook", try await webhookPage(request, context, viewer))
            }
        }
        router.post("/webhooks/:id/delete") { request, context in
            await form(request, context) { viewer, _ in
                try await webhooks.delete(id: try context.parameters.require("id"), by: viewer.webhookOwner)
                return DashboardHTTP.redirect("/webhooks?done=deleted")
            }
        }
        router.post("/webhooks/:id/deliveries/:delivery_id/redeliver") { request, context in
            await form(request, context) { viewer, _ in
                let id = try context.parameters.require("id")
                _ = try await webhooks.redeliver(
                    webhookID: id, deliveryID: try context.parameters.require("delivery_id"), by: viewer.webhookOwner)
                return DashboardHTTP.redirect(DashboardPath.webhook(id) + "?done=redelivered")
            }
        }
    }

    private func webhooksPage(
        _ viewer: Viewer, form: FormBody? = nil, errors: [String] = [], created: Webhook? = nil, notice: String? = nil
    )
        async throws -> WebhooksPage
    {
        WebhooksPage(
            try await webhooks.list(for: viewer.webhookOwner), viewer: viewer, config: data.config, form: form, errors: errors,
            created: created, notice: notice)
    }

    /// Registers a webhook from the form and shows the list with its secret, or the form again
    /// with what was typed and why it was refused.
    private func createWebhook(_ viewer: Viewer, _ body: FormBody) async throws -> Response {
        do {
            let webhook = try await webhooks.create(json: WebhooksPage.document(body), owner: viewer.webhookOwner)
            return DashboardHTTP.page("webhooks", try await webhooksPage(viewer, created: webhook))
        } catch let problem as Problem where problem.status == .unprocessableContent || problem.status == .conflict {
            let errors = problem.errors.isEmpty ? [problem.detail ?? problem.title] : problem.errors.map(\.description)
            return DashboardHTTP.page("webhooks", try await webhooksPage(viewer, form: body, errors: errors), status: problem.status)
        }
    }

    private func webhookPage(_ request: Request, _ context: GavelRequestContext, _ viewer: Viewer) async throws -> WebhookPage {
        let id = try context.parameters.require("id")
        let webhook: Webhook
        do {
            webhook = try await webhooks.webhook(id: id, for: viewer.webhookOwner)
        } catch let problem as Problem where problem.status == .notFound {
            throw Problem.dashboardNotFound("webhook")
        }
        let (status, _) = try WebhookRoutes.deliveryQuery(request)
        let deliveries = try await webhooks.deliveries(webhookID: id, for: viewer.webhookOwner, status: status, limit: 200)
        return WebhookPage(
            webhook, deliveries: deliveries, status: status, viewer: viewer, config: data.config, notice: Self.webhookNotice(request))
    }

    /// The message after a webhook action (fixed texts: nothing from the query is shown).
    static func webhookNotice(_ request: Request) -> String? {
        switch request.uri.queryParameters["done"] {
        case "deleted": "The webhook was deleted, with its deliveries."
        case "redelivered": "The delivery is pending again and is sent within moments."
        default: nil
        }
    }
}
