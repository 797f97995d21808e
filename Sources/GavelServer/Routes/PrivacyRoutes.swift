import GavelCore
import Hummingbird

/// `POST /v1/privacy/erasures` and `GET /v1/privacy/erasures` (the operator): erase a
/// consumer's personal data by phone and/or email, and list what was erased.
struct PrivacyRoutes {
    let privacy: PrivacyService

    /// The most erasures one list returns.
    static let maxLimit = 1_000

    /// Registers the routes.
    func register(on router: Routes) {
        router.post("/v1/privacy/erasures") { request, context in
            _ = try context.require(.admin)
            let erasure = try ErasureRequest.parse(try await JSONIO.body(request, context: context)).orProblem()
            let record = try await privacy.erase(erasure)
            context.logger.info("privacy erasure", metadata: ["erasure_id": "\(record.id)", "leads": "\(record.leads)"])
            return JSONIO.response(record.json, status: .created)
        }
        router.get("/v1/privacy/erasures") { request, context in
            _ = try context.require(.admin)
            let limit = try Self.limit(request)
            return JSONIO.response(.array(try await privacy.erasures(limit: limit).map(\.json)))
        }
    }

    /// `limit` (1 to 1,000, default 100).
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"].map(String.init) else { return 100 }
        guard let limit = Int(text), (1...maxLimit).contains(limit) else {
            throw Problem.invalid(field: "limit", "must be an integer from 1 to \(maxLimit)")
        }
        return limit
    }
}
