import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem details error (`application/problem+json`), the one shape every error
/// of the API takes.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable kind, e.g. `validation`, `not-found`.
    public var slug: String
    /// A short human-readable summary of the kind.
    public var title: String
    /// An explanation of this occurrence.
    public var detail: String?
    /// Each bad field, for validation errors.
    public var errors: [FieldError]
    /// Extra headers, e.g. `Retry-After`.
    public var headers: HTTPFields

    /// Creates a problem.
    public init(
        _ status: HTTPResponse.Status, slug: String, title: String, detail: String? = nil, errors: [FieldError] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The `type` URI.
    public var type: String { "urn:gavel:problem:\(slug)" }

    /// The problem+json body.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(type), "title": .string(title), "status": .number(Number(Int(status.code))),
        ]
        if let detail { members["detail"] = .string(detail) }
        if !errors.isEmpty {
            members["errors"] = .array(errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
        }
        return .object(members)
    }

    /// The response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(json))))
    }
}

extension Problem {
    /// 400: the body is not JSON.
    public static func unparseable(_ detail: String) -> Problem {
        Problem(.badRequest, slug: "unparseable", title: "The request body is not valid JSON", detail: detail)
    }

    /// 401: no key, or a key that is unknown or revoked.
    public static let unauthorized = Problem(
        .unauthorized, slug: "unauthorized", title: "Missing or invalid API key",
        detail: "Send 'Authorization: Bearer <api key>' (or 'X-API-Key: <api key>') with a valid, unrevoked key.",
        headers: [.wwwAuthenticate: "Bearer"])

    /// 400: a key in the URL (`?api_key=`, `?key=`, `?token=`, …), refused whatever it is,
    /// because URLs are written to server and proxy logs, browser history and `Referer`
    /// headers. The key itself is never echoed.
    public static let keyInURL = Problem(
        .badRequest, slug: "key-in-url", title: "API keys are not accepted in the URL",
        detail: "Send the key in the 'Authorization: Bearer <api key>' header or in 'X-API-Key', never in the URL: "
            + "URLs end up in server and proxy logs, browser history and Referer headers. "
            + "If a real key was in this URL, treat it as exposed and ask the operator for a new one.")

    /// 400: the body is not a valid `application/x-www-form-urlencoded` form.
    public static func unparseableForm(_ detail: String) -> Problem {
        Problem(.badRequest, slug: "unparseable", title: "The request body is not a valid form", detail: detail)
    }

    /// 415: a `multipart/form-data` body, which the seller routes do not read.
    public static let multipartUnsupported = Problem(
        .unsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported content type",
        detail: "Send JSON (application/json) or a URL-encoded form (application/x-www-form-urlencoded, as curl --data-urlencode "
            + "sends it); multipart bodies (curl -F) are not read.")

    /// 403: the key's role may not do this.
    public static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, slug: "forbidden", title: "This key's role may not do that", detail: detail)
    }

    /// 403: the operator paused the seller; nothing was stored.
    public static let sellerPaused = Problem(
        .forbidden, slug: "seller-paused", title: "This seller is paused",
        detail: "The operator has paused this seller: leads, pings and posts are refused and nothing was stored. "
            + "Ask the operator to activate it again.")

    /// 404: nothing here, or not yours.
    public static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, slug: "not-found", title: "Not found", detail: detail)
    }

    /// 409: a conflict with the current state.
    public static func conflict(_ detail: String) -> Problem {
        Problem(.conflict, slug: "conflict", title: "Conflict with the current state", detail: detail)
    }

    /// 422: well-formed but invalid, with every bad field.
    public static func invalid(_ failure: ValidationFailure) -> Problem {
        Problem(
            .unprocessableContent, slug: "validation", title: "The request is invalid",
            detail: failure.errors.map(\.description).joined(separator: "; "), errors: failure.errors)
    }

    /// 422 for a single field.
    public static func invalid(field: String, _ message: String) -> Problem {
        invalid(ValidationFailure(field: field, message))
    }

    /// 413: a body over the limit.
    public static let tooLarge = Problem(
        .contentTooLarge, slug: "too-large", title: "The request body is too large", detail: "The limit is 1 MiB.")

    /// 429: a key over its rate limit, to retry after `wait` seconds.
    public static func rateLimited(rate: Int, wait: Int) -> Problem {
        Problem(
            .tooManyRequests, slug: "rate-limited", title: "Too many requests",
            detail: "This key sends more than \(rate) requests per second.", headers: [.retryAfter: String(wait)])
    }

    /// 503: not available now.
    public static func unavailable(_ detail: String) -> Problem {
        Problem(.serviceUnavailable, slug: "unavailable", title: "Service unavailable", detail: detail, headers: [.retryAfter: "1"])
    }
}

/// Turns every error a route throws into problem+json, so clients never see another shape.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.problem(for: error, context: context).response(from: request, context: context)
        }
    }

    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case let failure as ValidationFailure: return .invalid(failure)
        case let error as ExchangeError: return problem(for: error)
        case let error as StorageError: return problem(for: error, context: context)
        case is NIOTooManyBytesError: return .tooLarge
        case let error as HTTPError:
            return Problem(error.status, slug: "http-\(error.status.code)", title: error.status.reasonPhrase, detail: error.body)
        case let error as any HTTPResponseError:
            return Problem(error.status, slug: "http-\(error.status.code)", title: error.status.reasonPhrase)
        default:
            context.logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
            return Problem(.internalServerError, slug: "internal", title: "Internal error", detail: "The error was logged.")
        }
    }

    static func problem(for error: ExchangeError) -> Problem {
        switch error {
        case .invalid(let failure): .invalid(failure)
        case .sellerInactive: .forbidden("This seller is unknown or deactivated.")
        case .sellerPaused: .sellerPaused
        case .pingNotFound: .notFound("No such ping for this seller.")
        case .pingExpired: Problem(.gone, slug: "ping-expired", title: "The ping has expired", detail: "Its bids have lapsed; ping again.")
        case .pingAlreadyPosted: .conflict("This ping was already posted.")
        case .unavailable: .unavailable("The exchange is shutting down.")
        }
    }

    static func problem(for error: StorageError, context: Context) -> Problem {
        switch error {
        case .conflict(let id): return .conflict("'\(id)' already exists.")
        case .notFound(let id): return .notFound("'\(id)' does not exist.")
        case .unavailable(let detail):
            context.logger.error("storage unavailable", metadata: ["detail": "\(detail)"])
            return .unavailable("The database is unavailable.")
        }
    }
}

extension Problem {
    /// 405: the path exists but does not take this method; `Allow` lists the methods it takes.
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> Problem {
        Problem(
            .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed",
            detail: "This path does not take \(method); it takes \(allowed.joined(separator: ", ")).",
            headers: [.allow: allowed.joined(separator: ", ")])
    }
}

/// Answers a request for a path the router knows, with a method it does not take, with 405 and
/// an `Allow` header (RFC 9110 §15.5.6) instead of the router's 404, for every route registered
/// on ``Routes`` (so new routes get it too). A path no route has is still 404.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: Routes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(forPath: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            throw Problem.methodNotAllowed(request.method.rawValue, allowed: allowed)
        }
    }
}
