import GavelCore
import Hummingbird

extension DashboardRoutes {
    /// The sellers' pages: the operator's list, a seller's page (the operator's any, a seller
    /// its own), its posting guides, and the operator's status form, which changes the seller
    /// through ``ConfigService/patch(_:id:json:)`` as `PATCH /v1/sellers/{id}` does.
    func registerSellerPages(on router: Routes) {
        router.get("/sellers") { request, context in
            await page(request, context) { viewer in
                if let own = viewer.sellerID { return DashboardHTTP.redirect(DashboardPath.seller(own)) }
                return DashboardHTTP.page("sellers", try sellers(viewer))
            }
        }
        router.get("/sellers.csv") { request, context in
            await page(request, context) { viewer in
                let table = try sellers(viewer).sections[0].tables[0].source
                return DashboardHTTP.csv(table.csv, name: "sellers-sellers")
            }
        }
        router.get("/sellers/:id") { request, context in
            await page(request, context) { viewer in
                let seller = try seller(context, viewer)
                let notice = SellerPage.notice(request.uri.queryParameters["done"].map(String.init))
                return DashboardHTTP.page("seller", SellerPage(seller, viewer: viewer, config: data.config, notice: notice))
            }
        }
        router.get("/sellers/:id/spec") { request, context in
            await page(request, context) { viewer in try spec(request, context, viewer) }
        }
        router.post("/sellers/:id/status") { request, context in
            await form(request, context) { viewer, body in
                guard viewer.isOperator else { return refused("Only the operator changes a seller's status.", viewer: viewer) }
                let id = try context.parameters.require("id")
                guard let status = body["status"], Seller.Status(rawValue: status) != nil else {
                    throw Problem.invalid(field: "status", "must be testing, active or paused")
                }
                _ = try await config.patch(.seller, id: id, json: ["status": .string(status)])
                return DashboardHTTP.redirect(DashboardPath.seller(id) + "?done=\(status)")
            }
        }
    }

    private func sellers(_ viewer: Viewer) throws -> SellersPage {
        guard viewer.isOperator else { throw Problem.forbidden("Only the operator sees the list of sellers.") }
        let sellers = data.config.sellers.values.sorted { $0.id < $1.id }
        return SellersPage(sellers, viewer: viewer, config: data.config)
    }

    /// A seller the viewer may see: the operator any, a seller itself; 404 otherwise.
    private func seller(_ context: GavelRequestContext, _ viewer: Viewer) throws -> Seller {
        let id = try context.parameters.require("id")
        guard let seller = data.config.sellers[id], viewer.isOperator || viewer.sellerID == id else {
            throw Problem.dashboardNotFound("seller")
        }
        return seller
    }

    /// A seller's posting guide for `?vertical=`, or the list of its guides, in the dashboard.
    private func spec(_ request: Request, _ context: GavelRequestContext, _ viewer: Viewer) throws -> Response {
        let seller = try seller(context, viewer)
        let document = try PostingGuides.document(
            seller: seller, vertical: request.uri.queryParameters["vertical"].map(String.init), config: data.config,
            rateLimit: rateLimit, baseURL: RequestOrigin.baseURL(request)
        ) { DashboardPath.sellerSpec(seller.id, vertical: $0) }
        let chrome = Chrome(title: document.title, viewer: viewer, path: DashboardPath.seller(seller.id), market: data.config)
        return PostingGuides.response(document, request: request, chrome: chrome)
    }
}
