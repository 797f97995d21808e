import GavelCore
import Hummingbird

/// `GET /v1/buyer/insights`: bid guidance for one buyer's campaigns (its own key, or the
/// operator's with `buyer_id`), aggregated per campaign and segment and k-anonymous
/// (``BidGuidance``).
struct InsightRoutes {
    let store: any ReportStore
    let market: MarketCache
    let clock: any WallClock

    func register(on router: Routes) {
        router.get("/v1/buyer/insights") { request, context in
            let identity = try context.require(.admin, .buyer)
            let buyerID = try Self.buyer(request, identity: identity, market: market.current)
            let (from, to) = try Query.range(request, now: clock.now())
            let guidance = BidGuidance(try await store.bidFacts(BidFactsQuery(buyerID: buyerID, from: from, to: to)))
            return JSONIO.response(Self.json(guidance, buyerID: buyerID, from: from, to: to))
        }
    }

    /// The buyer asked about: a buyer's own (naming another is 403); the operator's `buyer_id`.
    static func buyer(_ request: Request, identity: Identity, market: Market) throws -> String {
        let named = request.uri.queryParameters["buyer_id"].map(String.init)
        guard identity.role == .admin else {
            guard let own = identity.subjectID, named == nil || named == own else {
                throw Problem.forbidden("A buyer sees only its own insights.")
            }
            return own
        }
        guard let named, !named.isEmpty else { throw Problem.invalid(field: "buyer_id", "is required with an operator key") }
        guard market.config.buyers[named] != nil else { throw Problem.notFound("buyer '\(named)'") }
        return named
    }

    /// The answer: the range, and the guidance.
    static func json(_ guidance: BidGuidance, buyerID: String, from: Timestamp, to: Timestamp) -> JSONValue {
        guard case .object(var members) = guidance.json else { return guidance.json }
        members["buyer_id"] = .string(buyerID)
        members["from"] = from.json
        members["to"] = to.json
        return .object(members)
    }
}
