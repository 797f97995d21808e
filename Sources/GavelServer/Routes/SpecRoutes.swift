import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/sellers/{id}/spec?vertical=`: a seller's posting guide, for the operator and that
/// seller only; HTML by default, Markdown with `Accept: text/markdown`.
struct SpecRoutes: Sendable {
    let market: MarketCache
    let rateLimit: Int

    func register(on router: Routes) {
        router.get("/v1/sellers/:id/spec") { request, context in
            let identity = try context.require(.seller, .admin)
            let id = try context.parameters.require("id")
            let config = market.current.config
            guard let seller = config.sellers[id], identity.role == .admin || identity.subjectID == id else {
                throw Problem.notFound("No seller '\(id)' of yours.")
            }
            let document = try PostingGuides.document(
                seller: seller, vertical: request.uri.queryParameters["vertical"].map(String.init), config: config,
                rateLimit: rateLimit, baseURL: RequestOrigin.baseURL(request)
            ) { "/v1/sellers/\(DashboardPath.segment(id))/spec?vertical=\(DashboardPath.segment($0))" }
            return PostingGuides.response(document, request: request, chrome: nil)
        }
    }
}

/// Builds and serves posting guides, for the API and the dashboard alike.
enum PostingGuides {
    /// A seller's guide for a vertical, or the list of its guides when `vertical` is absent or
    /// empty; 404 for an unknown vertical.
    static func document(
        seller: Seller, vertical: String?, config: MarketConfig, rateLimit: Int, baseURL: String,
        link: @escaping @Sendable (String) -> String
    ) throws -> GuideDocument {
        guard let verticalID = vertical, !verticalID.isEmpty else {
            let verticals = config.verticals.values.sorted { $0.id < $1.id }
            return PostingGuideIndex(seller: seller, verticals: verticals, link: link).document
        }
        guard let chosen = config.verticals[verticalID] else { throw Problem.notFound("No vertical '\(verticalID)'.") }
        return PostingGuide(seller: seller, vertical: chosen, settings: config.settings, rateLimit: rateLimit, baseURL: baseURL).document
    }

    /// Markdown when the request accepts `text/markdown`, else an HTML page in the dashboard's
    /// look (with the dashboard's chrome when one is given).
    static func response(_ document: GuideDocument, request: Request, chrome: Chrome?) -> Response {
        let accept = request.headers[.accept]?.lowercased() ?? ""
        guard accept.contains("text/markdown") else {
            var response = DashboardHTTP.page("spec", SpecPage(document, chrome: chrome))
            response.headers[.vary] = "Accept"
            return response
        }
        let headers: HTTPFields = [
            .contentType: "text/markdown; charset=utf-8", .cacheControl: "no-store", .vary: "Accept", .xContentTypeOptions: "nosniff",
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: GuideMarkdown.render(document))))
    }
}

/// A posting guide as a page.
struct SpecPage: Sendable {
    /// The dashboard's chrome, when a signed-in person views it there.
    var chrome: Chrome?
    /// The browser tab's title without a chrome.
    var pageTitle: String
    /// The heading.
    var heading: String
    /// The guide's sections as HTML, every text escaped by ``GuideHTML``.
    var guideMarkup: String

    /// The page of a guide.
    init(_ document: GuideDocument, chrome: Chrome?) {
        self.chrome = chrome
        pageTitle = document.title
        heading = document.title
        guideMarkup = GuideHTML.render(document)
    }
}

/// The base URL a request reached the server at, for examples that must work as they are.
enum RequestOrigin {
    /// `http://` or, behind a TLS proxy that says so (`X-Forwarded-Proto: https`), `https://`,
    /// then the `Host` the client sent; a missing or implausible host gives
    /// `http://127.0.0.1:8080`, the default address.
    static func baseURL(_ request: Request) -> String {
        let scheme = DashboardHTTP.isSecure(request) ? "https" : "http"
        guard let host = request.head.authority, isPlausibleHost(host) else { return "http://127.0.0.1:8080" }
        return "\(scheme)://\(host)"
    }

    /// Letters, digits and `.-:[]` only (a name, IPv4 or bracketed IPv6, and a port), so a
    /// host can break neither the page nor a shell command.
    static func isPlausibleHost(_ host: String) -> Bool {
        !host.isEmpty && host.utf8.count <= 255
            && host.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
                    true
                default: false
                }
            }
    }
}
