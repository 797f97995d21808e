import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The dashboard's templates and static file, shipped as package resources
/// (`Resources/templates`), loaded once.
enum DashboardTemplates {
    /// The folder of the templates.
    static let folder: URL? = {
        let known = Bundle.module.url(forResource: "head", withExtension: "mustache", subdirectory: "Resources/templates")
        return known?.deletingLastPathComponent() ?? Bundle.module.bundleURL.appendingPathComponent("Resources/templates")
    }()

    /// Every `*.mustache` template by name (file name without extension); partials by the same
    /// names. HTML-escaping is Mustache's default for `{{ }}`.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        guard let folder, let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return library }
        for file in files where file.hasSuffix(".mustache") {
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { continue }
            try? library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        return library
    }()

    /// The style sheet.
    static let stylesheet: [UInt8] = {
        guard let folder, let data = try? Data(contentsOf: folder.appendingPathComponent("dashboard.css")) else { return [] }
        return Array(data)
    }()

    /// Renders a page (a missing template renders a plain message, never crashes).
    static func render(_ name: String, _ model: Any) -> String {
        library.render(model, withTemplate: name) ?? "<!doctype html><title>Gavel</title><p>The page template '\(name)' is missing.</p>"
    }
}

/// The dashboard's responses: HTML with strict security headers, redirects, CSV downloads and
/// its cookies.
enum DashboardHTTP {
    /// The session cookie: an opaque random id.
    static let sessionCookie = "gavel_session"
    /// The sign-in form's CSRF cookie (double-submitted with the form's field).
    static let loginCookie = "gavel_login"

    /// Headers of every dashboard page: no caching, no framing, no sniffing, no referrer, and a
    /// content security policy allowing only the served style sheet and same-origin forms.
    static let securityHeaders: HTTPFields = [
        .cacheControl: "no-store",
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("X-Frame-Options")!: "DENY",
    ]

    /// A page rendered from a template.
    static func page(_ template: String, _ model: Any, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: DashboardTemplates.render(template, model))))
    }

    /// A `303 See Other` to a local path.
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// A CSV download.
    static func csv(_ text: String, name: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The style sheet.
    static func stylesheet() -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(bytes: DashboardTemplates.stylesheet)))
    }

    /// A `Set-Cookie` value: host-only, whole site, HttpOnly, SameSite=Strict, and Secure when
    /// the request came over TLS (as a proxy in front reports it).
    static func cookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Whether the request came over TLS: `X-Forwarded-Proto: https` from a proxy in front.
    static func isSecure(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// A cookie's value.
    static func cookieValue(_ request: Request, _ name: String) -> String? {
        request.cookies[name]?.value
    }

    /// Whether a form POST comes from this site: an `Origin` header, when present, must name
    /// the host the request was sent to (the CSRF token is checked as well).
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// Compares secrets in time independent of where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The request body as a form (at most 64 KiB).
    static func form(_ request: Request) async throws -> FormBody {
        var request = request
        let buffer = try await request.collectBody(upTo: FormBody.maxBytes)
        return FormBody(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }
}
