import Foundation
import GavelCore
import Hummingbird

/// Authenticates `Authorization: Bearer <key>` on every `/v1/` route; other routes (health,
/// metrics, the OpenAPI document) are public.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GavelRequestContext

    let keys: KeyRing

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/") else { return try await next(request, context) }
        guard let header = request.headers[.authorization], let key = Self.bearer(header),
            let identity = keys.identity(forKey: key)
        else { throw Problem.unauthorized }
        var context = context
        context.identity = identity
        return try await next(request, context)
    }

    static func bearer(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        return key.isEmpty ? nil : key
    }
}
