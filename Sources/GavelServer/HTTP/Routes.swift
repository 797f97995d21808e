import GavelCore
import HTTPTypes
import Hummingbird

/// Registers routes on the router and remembers each one, so the OpenAPI document can be
/// checked against what the server really serves.
///
/// `@unchecked` because Hummingbird's `Router` is not `Sendable`: routes are registered while the
/// server is built, before it is shared; the list of routes is behind a lock.
public final class Routes: @unchecked Sendable {
    /// A route: its method and its path pattern (`/v1/leads/{id}` style).
    public struct Route: Hashable, Sendable {
        /// The method, e.g. `GET`.
        public var method: String
        /// The path in OpenAPI form.
        public var path: String

        /// Creates a route.
        public init(method: String, path: String) {
            self.method = method
            self.path = path
        }
    }

    /// A route handler.
    public typealias Handler = @Sendable (Request, GavelRequestContext) async throws -> Response

    let router: Router<GavelRequestContext>
    private let routes = Locked<[Route]>([])

    init(router: Router<GavelRequestContext>) {
        self.router = router
    }

    /// Every route registered.
    public var all: [Route] { routes.withLock { $0 } }

    /// The methods registered for a concrete request path, e.g. `["GET", "DELETE"]` for
    /// `/v1/webhooks/W1`, sorted; empty when no route has that path. A `{name}` segment matches
    /// any one non-empty segment, as the router's `:name` does.
    public func methods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        let methods = all.filter { Self.pattern($0.path, matches: segments) }.map(\.method)
        return Set(methods).sorted()
    }

    private static func pattern(_ pattern: String, matches segments: [Substring]) -> Bool {
        let parts = pattern.split(separator: "/")
        guard parts.count == segments.count else { return false }
        return zip(parts, segments).allSatisfy { part, segment in part.hasPrefix("{") || part == segment }
    }

    func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        router.on(RouterPath(path), method: method, use: handler)
        let openAPIPath = path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
        routes.withLock { $0.append(Route(method: method.rawValue, path: openAPIPath)) }
    }

    func get(_ path: String, _ handler: @escaping Handler) { on(.get, path, handler) }
    func post(_ path: String, _ handler: @escaping Handler) { on(.post, path, handler) }
    func put(_ path: String, _ handler: @escaping Handler) { on(.put, path, handler) }
    func patch(_ path: String, _ handler: @escaping Handler) { on(.patch, path, handler) }
    func delete(_ path: String, _ handler: @escaping Handler) { on(.delete, path, handler) }
}
