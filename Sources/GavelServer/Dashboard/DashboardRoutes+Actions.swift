import GavelCore
import Hummingbird

extension DashboardRoutes {
    /// The operator's campaign forms: pause or resume, and change caps. They change the
    /// campaign through ``ConfigService/patch(_:id:json:)``, as `PATCH /v1/campaigns/{id}` does.
    func registerActions(on router: Routes) {
        router.post("/campaigns/:id/status") { request, context in
            await form(request, context) { viewer, body in
                guard viewer.isOperator else { return refused("Only the operator pauses and resumes campaigns.", viewer: viewer) }
                let id = try context.parameters.require("id")
                guard let status = body["status"], Campaign.Status(rawValue: status) != nil else {
                    throw Problem.invalid(field: "status", "must be active or paused")
                }
                _ = try await config.patch(.campaign, id: id, json: ["status": .string(status)])
                return DashboardHTTP.redirect(DashboardPath.campaign(id) + "?done=\(status)")
            }
        }
        router.post("/campaigns/:id/test") { request, context in
            await form(request, context) { viewer, body in try await test(request, context, viewer, body) }
        }
        router.post("/campaigns/:id/caps") { request, context in
            await form(request, context) { viewer, body in
                guard viewer.isOperator else { return refused("Only the operator changes campaign caps.", viewer: viewer) }
                return try await changeCaps(request, context, viewer, body)
            }
        }
    }

    /// Runs the test console for the operator or the campaign's buyer and shows the page with
    /// the calls; a fields box that is not a valid lead shows the page again with why.
    private func test(_ request: Request, _ context: GavelRequestContext, _ viewer: Viewer, _ body: FormBody) async throws -> Response {
        var page = try await campaign(request, context, viewer)
        guard let campaign = data.config.campaigns[page.campaignID], let vertical = data.config.verticals[campaign.vertical],
            page.testing != nil
        else { throw Problem.dashboardNotFound("campaign") }
        let typed = body["fields"] ?? ""
        let post = body["post"] == "on"
        do {
            var input: [String: JSONValue] = ["post": .bool(post)]
            if !typed.isEmpty { input["fields"] = try JSONIO.parse(Array(typed.utf8)) }
            let test = try TestInput.parse(.object(input), vertical: vertical)
            let run = await console.run(
                campaign: campaign, vertical: vertical, fields: test.fields, settings: data.config.settings,
                pingID: IDGenerator().make("P"),
                leadID: IDGenerator().make("L"), post: test.post)
            page.testing = CampaignTestView(campaign, run: run, typedFields: typed, post: post)
            return DashboardHTTP.page("campaign", page)
        } catch let problem as Problem where problem.status == .unprocessableContent || problem.status == .badRequest {
            var testing = CampaignTestView(campaign, typedFields: typed, post: post)
            testing.errors = problem.errors.isEmpty ? [problem.detail ?? problem.title] : problem.errors.map(\.description)
            page.testing = testing
            return DashboardHTTP.page("campaign", page, status: .unprocessableContent)
        }
    }

    /// Saves the caps form, or shows the page again with what was typed and why it was refused.
    private func changeCaps(_ request: Request, _ context: GavelRequestContext, _ viewer: Viewer, _ body: FormBody) async throws -> Response
    {
        let id = try context.parameters.require("id")
        do {
            switch CampaignPageBuilder.capsPatch(body) {
            case .success(let patch): _ = try await config.patch(.campaign, id: id, json: patch)
            case .failure(let failure): throw Problem.invalid(failure)
            }
            return DashboardHTTP.redirect(DashboardPath.campaign(id) + "?done=caps")
        } catch let problem as Problem where problem.status == .unprocessableContent {
            var page = try await campaign(request, context, viewer)
            let typed = body.fields.filter { $0.key != "csrf" }
            page.capFields = CampaignPageBuilder.capFields(data.config.campaigns[id]?.caps ?? Campaign.Caps(), typed: typed)
            page.formErrors = problem.errors.isEmpty ? [problem.detail ?? problem.title] : problem.errors.map(\.description)
            page.hasErrors = true
            return DashboardHTTP.page("campaign", page, status: .unprocessableContent)
        }
    }
}
