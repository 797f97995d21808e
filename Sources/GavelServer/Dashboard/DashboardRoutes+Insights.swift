import GavelCore
import Hummingbird

extension DashboardRoutes {
    /// The Insights page (buyers, and the operator for a chosen buyer) and its CSV download.
    func registerInsights(on router: Routes) {
        router.get("/insights") { request, context in
            await page(request, context) { viewer in DashboardHTTP.page("insights", try await insightsPage(request, viewer)) }
        }
        router.get("/insights/csv") { request, context in
            await page(request, context) { viewer in try csv(try await insightsPage(request, viewer).tables, request, name: "insights") }
        }
    }

    private func insightsPage(_ request: Request, _ viewer: Viewer) async throws -> InsightsPage {
        let config = data.config
        let buyerID = try insightsBuyer(request, viewer: viewer, config: config)
        let now = data.clock.now()
        let facts = try await data.store.bidFacts(
            BidFactsQuery(buyerID: buyerID, from: now.minus(days: 30), to: now.adding(milliseconds: 1)))
        var page = InsightsPage(BidGuidance(facts), buyerID: buyerID, viewer: viewer, config: config)
        if viewer.isOperator {
            page.buyerChoices = config.buyers.values.sorted { $0.id < $1.id }.map {
                InsightsPage.Choice(label: $0.name, href: "/insights?buyer_id=\(DashboardPath.segment($0.id))", current: $0.id == buyerID)
            }
        }
        return page
    }

    /// A buyer's own; for the operator `?buyer_id=` or the first buyer.
    private func insightsBuyer(_ request: Request, viewer: Viewer, config: MarketConfig) throws -> String {
        switch viewer.role {
        case .buyer: return viewer.subject ?? ""
        case .seller: throw Problem.forbidden("Insights are for buyers and the operator.")
        case .admin:
            if let named = request.uri.queryParameters["buyer_id"].map(String.init) {
                guard config.buyers[named] != nil else { throw Problem.notFound("No buyer '\(named)'.") }
                return named
            }
            guard let first = config.buyers.keys.min() else { throw Problem.notFound("There are no buyers yet.") }
            return first
        }
    }
}
