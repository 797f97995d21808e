import GavelCore
import Hummingbird

extension DashboardRoutes {
    /// The pages and their CSV downloads.
    func registerPages(on router: Routes) {
        router.get("/") { request, context in
            await page(request, context) { viewer in DashboardHTTP.page("overview", try await overview(viewer)) }
        }
        router.get("/overview.csv") { request, context in
            await page(request, context) { viewer in try csv(try await overview(viewer).tables, request, name: "overview") }
        }
        router.get("/reports.csv") { request, context in
            await page(request, context) { viewer in try await reportCSV(request, viewer) }
        }
        router.get("/chain-head.json") { request, context in
            await page(request, context) { viewer in try await chainHead(viewer) }
        }
        router.get("/leads") { request, context in
            await page(request, context) { viewer in
                if let id = request.uri.queryParameters["id"].map(String.init), !id.isEmpty {
                    return DashboardHTTP.redirect(DashboardPath.lead(id))
                }
                return DashboardHTTP.page("leads", try await leads(request, viewer))
            }
        }
        router.get("/leads.csv") { request, context in
            await page(request, context) { viewer in
                try csv(["leads": try await leads(request, viewer).sections[0].tables[0].source], request, name: "leads", table: "leads")
            }
        }
        router.get("/leads/:id") { request, context in
            await page(request, context) { viewer in DashboardHTTP.page("lead", try await lead(context, viewer)) }
        }
        router.get("/leads/:id/csv") { request, context in
            await page(request, context) { viewer in try csv(try await lead(context, viewer).tables, request, name: "lead") }
        }
        registerCampaignPages(on: router)
    }

    private func registerCampaignPages(on router: Routes) {
        router.get("/campaigns") { request, context in
            await page(request, context) { viewer in DashboardHTTP.page("campaigns", try await campaigns(viewer)) }
        }
        router.get("/campaigns.csv") { request, context in
            await page(request, context) { viewer in
                try csv(
                    ["campaigns": try await campaigns(viewer).sections[0].tables[0].source], request, name: "campaigns", table: "campaigns")
            }
        }
        router.get("/campaigns/:id") { request, context in
            await page(request, context) { viewer in DashboardHTTP.page("campaign", try await campaign(request, context, viewer)) }
        }
        router.get("/campaigns/:id/csv") { request, context in
            await page(request, context) { viewer in try csv(try await campaign(request, context, viewer).tables, request, name: "campaign")
            }
        }
    }

    func overview(_ viewer: Viewer) async throws -> OverviewPage {
        OverviewPage(try await OverviewInput.load(data, viewer: viewer), viewer: viewer, config: data.config)
    }

    /// `/reports.csv`: exactly `GET /v1/reports?format=csv` for the signed-in identity (the
    /// API's query scoping, view and CSV writer).
    private func reportCSV(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let reports = data.store
        let query = try ReportRoutes.query(request, identity: viewer.identity, now: data.clock.now())
        let rows = try await reports.report(query)
        let view = ReportView(role: viewer.role)
        var response = Query.respond(
            rows.map(view.json), columns: ReportRoutes.columns, format: .csv, name: "report-\(query.groupBy.rawValue)")
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// `/chain-head.json` (the operator's): exactly `GET /v1/audit/chain-head`, to anchor the
    /// books' chain head elsewhere.
    private func chainHead(_ viewer: Viewer) async throws -> Response {
        guard viewer.role == .admin else { throw Problem.forbidden("The books' chain head is the operator's.") }
        return JSONIO.response(try await data.store.chainHead().json, headers: [.cacheControl: "no-store"])
    }

    private func leads(_ request: Request, _ viewer: Viewer) async throws -> LeadsPage {
        let status = request.uri.queryParameters["status"].map(String.init) ?? ""
        guard LeadsPage.filters.contains(where: { $0.0 == status }) else {
            throw Problem.invalid(field: "status", "must be sold or returned")
        }
        let sales = try await data.recentSales(viewer: viewer, limit: LeadsPage.limit)
        return LeadsPage(sales: sales, status: status, viewer: viewer, config: data.config)
    }

    private func lead(_ context: GavelRequestContext, _ viewer: Viewer) async throws -> LeadPage {
        let id = try context.parameters.require("id")
        guard let detail = try await data.store.lead(id: id), DashboardScope.mayOpen(detail, viewer: viewer) else {
            throw Problem.dashboardNotFound("lead")
        }
        return LeadPage(detail, viewer: viewer, config: data.config)
    }

    private func campaigns(_ viewer: Viewer) async throws -> CampaignsPage {
        guard viewer.role != .seller else {
            throw Problem.forbidden("Sellers see the campaign that bought a lead from that lead's page.")
        }
        let campaigns = DashboardScope.campaigns(data.config, viewer: viewer)
        let usage = try await data.capUsage(campaigns)
        return CampaignsPage(campaigns, usage: usage, circuits: data.circuits.circuitStates(), viewer: viewer, config: data.config)
    }

    /// A campaign's page: the operator's any, a buyer's own, and for a seller only a campaign
    /// that bought one of its leads, reached through that lead (`?lead=`).
    func campaign(_ request: Request, _ context: GavelRequestContext, _ viewer: Viewer, notice: String? = nil) async throws -> CampaignPage
    {
        let id = try context.parameters.require("id")
        guard let campaign = data.config.campaigns[id] else { throw Problem.dashboardNotFound("campaign") }
        switch viewer.role {
        case .admin: break
        case .buyer: guard campaign.buyerID == viewer.subject else { throw Problem.dashboardNotFound("campaign") }
        case .seller: return try await sellerCampaign(campaign, request, viewer)
        }
        let input = try await CampaignInput.load(campaign, data: data, viewer: viewer)
        return CampaignPage(input, viewer: viewer, config: data.config, notice: notice ?? Self.notice(request))
    }

    private func sellerCampaign(_ campaign: Campaign, _ request: Request, _ viewer: Viewer) async throws -> CampaignPage {
        guard let leadID = request.uri.queryParameters["lead"].map(String.init), let detail = try await data.store.lead(id: leadID),
            detail.lead.sellerID == viewer.subject, detail.outcome?.sales.contains(where: { $0.campaignID == campaign.id }) == true
        else { throw Problem.dashboardNotFound("campaign") }
        return CampaignPage(sellerView: campaign, lead: leadID, viewer: viewer, config: data.config)
    }

    /// The message after an operator action (fixed texts: nothing from the query is shown).
    static func notice(_ request: Request) -> String? {
        switch request.uri.queryParameters["done"] {
        case "paused": "The campaign is paused: it gets no pings or posts until resumed."
        case "active": "The campaign is active again."
        case "caps": "The caps were saved."
        default: nil
        }
    }

    /// One table of a page as CSV (`?table=` names it unless given).
    func csv(_ tables: [String: DashboardTable], _ request: Request, name: String, table: String? = nil) throws -> Response {
        let id = table ?? request.uri.queryParameters["table"].map(String.init) ?? ""
        guard let chosen = tables[id] else { throw Problem.notFound("No table '\(id)' on this page.") }
        return DashboardHTTP.csv(chosen.csv, name: "\(name)-\(id)")
    }
}
