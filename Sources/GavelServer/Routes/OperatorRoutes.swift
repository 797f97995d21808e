import GavelCore
import Hummingbird

/// `/v1/verticals`, `/v1/sellers`, `/v1/buyers`, `/v1/campaigns`, `/v1/settings`: the operator's
/// configuration API (role `admin`).
struct OperatorRoutes {
    let config: ConfigService
    let market: MarketCache

    static let collections: [(path: String, kind: ConfigKind)] = [
        ("verticals", .vertical), ("sellers", .seller), ("buyers", .buyer), ("campaigns", .campaign),
    ]

    func register(on router: Routes) {
        for (path, kind) in Self.collections {
            router.post("/v1/\(path)") { request, context in try await create(kind, request, context) }
            router.get("/v1/\(path)") { request, context in try list(kind, request, context) }
            router.get("/v1/\(path)/:id") { _, context in try read(kind, context) }
            router.put("/v1/\(path)/:id") { request, context in try await replace(kind, request, context) }
            router.patch("/v1/\(path)/:id") { request, context in try await patch(kind, request, context) }
            router.delete("/v1/\(path)/:id") { _, context in try await delete(kind, context) }
        }
        router.get("/v1/settings") { _, context in
            _ = try context.require(.admin)
            return JSONIO.response(market.current.config.settings.json)
        }
        router.put("/v1/settings") { request, context in
            _ = try context.require(.admin)
            let settings = try await config.updateSettings(json: try await JSONIO.body(request, context: context))
            return JSONIO.response(settings.json)
        }
    }

    private func create(_ kind: ConfigKind, _ request: Request, _ context: GavelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        let record = try await config.create(kind, json: try await JSONIO.body(request, context: context))
        return JSONIO.response(record.json(revealSecret: true), status: .created, headers: [.location: "\(request.uri.path)/\(record.id)"])
    }

    private func list(_ kind: ConfigKind, _ request: Request, _ context: GavelRequestContext) throws -> Response {
        _ = try context.require(.admin)
        let config = market.current.config
        let records: [ConfigRecord]
        switch kind {
        case .vertical: records = config.verticals.values.map(ConfigRecord.vertical)
        case .seller: records = config.sellers.values.map(ConfigRecord.seller)
        case .buyer: records = config.buyers.values.map(ConfigRecord.buyer)
        case .campaign:
            let query = request.uri.queryParameters
            records = config.campaigns.values.filter { campaign in
                query["buyer_id"].map { campaign.buyerID == String($0) } ?? true
                    && query["vertical"].map { campaign.vertical == String($0) } ?? true
            }.map(ConfigRecord.campaign)
        }
        return JSONIO.response(.array(records.sorted { $0.id < $1.id }.map { $0.json() }))
    }

    private func read(_ kind: ConfigKind, _ context: GavelRequestContext) throws -> Response {
        _ = try context.require(.admin)
        let id = try context.parameters.require("id")
        let config = market.current.config
        guard config.contains(kind, id: id) else { throw Problem.notFound("No \(kind.rawValue) '\(id)'.") }
        let record: ConfigRecord =
            switch kind {
            case .vertical: .vertical(config.verticals[id]!)
            case .seller: .seller(config.sellers[id]!)
            case .buyer: .buyer(config.buyers[id]!)
            case .campaign: .campaign(config.campaigns[id]!)
            }
        return JSONIO.response(record.json())
    }

    private func replace(_ kind: ConfigKind, _ request: Request, _ context: GavelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        let id = try context.parameters.require("id")
        let record = try await config.replace(kind, id: id, json: try await JSONIO.body(request, context: context))
        return JSONIO.response(record.json())
    }

    private func patch(_ kind: ConfigKind, _ request: Request, _ context: GavelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        let id = try context.parameters.require("id")
        let record = try await config.patch(kind, id: id, json: try await JSONIO.body(request, context: context))
        return JSONIO.response(record.json())
    }

    private func delete(_ kind: ConfigKind, _ context: GavelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        try await config.delete(kind, id: try context.parameters.require("id"))
        return Response(status: .noContent)
    }
}
