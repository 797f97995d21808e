import Foundation
import GavelCore
import HTTPTypes
import Hummingbird

/// Authenticates every `/v1/` route by its key, sent as `Authorization: Bearer <key>` or as
/// `X-API-Key: <key>`; other routes (health, metrics, the OpenAPI document, the dashboard) are
/// public. A key in the URL is refused before anything else (see ``Problem/keyInURL``).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GavelRequestContext

    let keys: KeyRing

    /// The header that may carry the key instead of `Authorization`.
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    /// Query parameter names that would put a key in the URL (compared case-insensitively).
    static let keyParameters: Set<String> = [
        "api_key", "apikey", "api-key", "key", "token", "access_token", "auth", "auth_token", "authorization", "x-api-key",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/") else { return try await next(request, context) }
        if Self.carriesKeyInURL(request) { throw Problem.keyInURL }
        guard let key = Self.key(request), let identity = keys.identity(forKey: key) else { throw Problem.unauthorized }
        var context = context
        context.identity = identity
        return try await next(request, context)
    }

    /// The presented key: the `Authorization` bearer when that header is sent, else `X-API-Key`.
    static func key(_ request: Request) -> String? {
        if let header = request.headers[.authorization] { return bearer(header) }
        guard let key = request.headers[apiKeyHeader]?.trimmingCharacters(in: .whitespaces), !key.isEmpty else { return nil }
        return key
    }

    static func bearer(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let key = parts[1].trimmingCharacters(in: .whitespaces)
        return key.isEmpty ? nil : key
    }

    /// Whether the query string has a parameter named like a key, whatever its value.
    static func carriesKeyInURL(_ request: Request) -> Bool {
        guard let query = request.uri.query, !query.isEmpty else { return false }
        return query.split(separator: "&").contains { pair in
            let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            let decoded = String(name).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(name)
            return keyParameters.contains(decoded.lowercased())
        }
    }
}
