import GavelCore
import Hummingbird
import Logging

/// The dashboard for people at `/`: server-rendered pages for the operator, sellers and buyers
/// from the same stores and the same scoping as the reports API, signed in by API key into a
/// cookie session. Pages without a session redirect to `/login`; every form carries the
/// session's CSRF token and a POST without a valid one is refused with 403.
struct DashboardRoutes: Sendable {
    let data: DashboardData
    let keys: KeyRing
    let config: ConfigService
    let sessions: DashboardSessions
    let console: TestConsole
    /// Requests per second per key, as the posting guides state it.
    let rateLimit: Int
    let webhooks: WebhookRegistry
    let privacy: PrivacyService

    /// Creates the dashboard over the exchange's parts.
    init(
        store: any LeadStore & CapStore & MoneyStore & ReportStore & ChainStore, market: MarketCache, keys: KeyRing, config: ConfigService,
        circuits: any CircuitBoard, clock: any WallClock,
        console: TestConsole, rateLimit: Int = RateLimiter.Configuration().rate, webhooks: WebhookRegistry,
        privacy: PrivacyService
    ) {
        data = DashboardData(store: store, market: market, circuits: circuits, clock: clock)
        self.console = console
        self.rateLimit = rateLimit
        self.webhooks = webhooks
        self.privacy = privacy
        self.keys = keys
        self.config = config
        sessions = DashboardSessions(keys: keys, clock: clock)
    }

    /// Registers every dashboard route.
    func register(on router: Routes) {
        registerAuth(on: router)
        registerPages(on: router)
        registerActions(on: router)
        registerSellerPages(on: router)
        registerWebhooks(on: router)
        registerInsights(on: router)
        registerPrivacy(on: router)
        router.get("/dashboard.css") { _, _ in DashboardHTTP.stylesheet() }
    }

    /// The viewer of a request with a live session cookie.
    func viewer(_ request: Request) -> Viewer? {
        guard let id = DashboardHTTP.cookieValue(request, DashboardHTTP.sessionCookie), !id.isEmpty,
            let session = sessions.session(id: id)
        else { return nil }
        return Viewer(sessionID: id, session: session)
    }

    /// A page for a signed-in viewer (others are sent to `/login`); errors become HTML pages.
    func page(
        _ request: Request, _ context: GavelRequestContext, _ build: @escaping @Sendable (Viewer) async throws -> Response
    ) async -> Response {
        guard let viewer = viewer(request) else { return DashboardHTTP.redirect("/login") }
        do {
            return try await build(viewer)
        } catch {
            return errorPage(error, viewer: viewer, logger: context.logger)
        }
    }

    /// A form POST: a live session, a same-site origin and the session's CSRF token, or 403.
    func form(
        _ request: Request, _ context: GavelRequestContext, _ act: @escaping @Sendable (Viewer, FormBody) async throws -> Response
    ) async -> Response {
        guard let viewer = viewer(request) else { return refused("Sign in first: this form needs a session.") }
        let body: FormBody
        do {
            body = try await DashboardHTTP.form(request)
        } catch {
            return errorPage(error, viewer: viewer, logger: context.logger)
        }
        guard DashboardHTTP.sameOrigin(request), let token = body["csrf"], DashboardHTTP.constantTimeEqual(token, viewer.session.csrf)
        else {
            return refused("The form's security token is missing or wrong. Reload the page and try again.", viewer: viewer)
        }
        do {
            return try await act(viewer, body)
        } catch {
            return errorPage(error, viewer: viewer, logger: context.logger)
        }
    }

    /// A 403 page.
    func refused(_ detail: String, viewer: Viewer? = nil) -> Response {
        DashboardHTTP.page(
            "error", ErrorPage(status: 403, heading: "Not allowed", detail: detail, viewer: viewer, market: data.config), status: .forbidden
        )
    }

    /// An error as a page: problems keep their status and detail; storage trouble is 503; anything
    /// else is logged by type only and shown as 500.
    func errorPage(_ error: any Error, viewer: Viewer?, logger: Logger) -> Response {
        let (status, heading, detail): (HTTPResponse.Status, String, String)
        switch error {
        case let problem as Problem:
            (status, heading, detail) = (problem.status, problem.title, problem.detail ?? problem.title)
        case let error as StorageError where !error.isFailure:
            (status, heading, detail) = (.serviceUnavailable, "Unavailable", "The database is unavailable. Try again shortly.")
        default:
            logger.error("dashboard error", metadata: ["error.type": "\(type(of: error))"])
            (status, heading, detail) = (.internalServerError, "Internal error", "The error was logged.")
        }
        let model = ErrorPage(status: Int(status.code), heading: heading, detail: detail, viewer: viewer, market: data.config)
        return DashboardHTTP.page("error", model, status: status)
    }
}

/// An error page.
struct ErrorPage: Sendable {
    /// The chrome, when someone is signed in.
    var chrome: Chrome?
    /// The browser tab's title.
    var pageTitle: String
    /// The heading.
    var heading: String
    /// What happened.
    var detail: String

    /// Creates the page.
    init(status: Int, heading: String, detail: String, viewer: Viewer?, market: MarketConfig) {
        chrome = viewer.map { Chrome(title: heading, viewer: $0, path: "/", market: market) }
        pageTitle = heading
        self.heading = "\(heading) (\(status))"
        self.detail = detail
    }
}

extension Problem {
    /// 404 for something the viewer may not see, without telling whether it exists.
    static func dashboardNotFound(_ what: String) -> Problem {
        Problem(.notFound, slug: "not-found", title: "Not found", detail: "No \(what) of yours by that id.")
    }
}
