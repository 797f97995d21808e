import GavelCore
import Hummingbird

/// The sign-in page.
struct LoginPage: Sendable {
    /// The browser tab's title.
    var pageTitle = "Sign in"
    /// The form's CSRF token (also in the `gavel_login` cookie).
    var csrf: String
    /// Why the last attempt failed, if it did.
    var message: String?
}

extension DashboardRoutes {
    /// `GET /login` (the form, or a one-time link's `token`), `POST /login`, `POST /logout`,
    /// `POST /preferences` and `POST /v1/dashboard/links` (mint a one-time link with a key).
    func registerAuth(on router: Routes) {
        router.get("/login") { request, _ in
            if let token = request.uri.queryParameters["token"].map(String.init) { return redeem(token, request) }
            if viewer(request) != nil { return DashboardHTTP.redirect("/") }
            return login(request)
        }
        router.post("/login") { request, context in await signIn(request, context) }
        router.post("/logout") { request, context in
            guard viewer(request) != nil else { return signedOut(request) }
            return await form(request, context) { viewer, _ in
                sessions.signOut(id: viewer.sessionID)
                return signedOut(request)
            }
        }
        router.post("/preferences") { request, context in
            await form(request, context) { viewer, body in
                guard let zone = body["timezone"], ZoneConverter.isValid(zone) else {
                    throw Problem.invalid(field: "timezone", "must be an IANA time zone such as America/New_York")
                }
                sessions.setTimezone(id: viewer.sessionID, zone: zone)
                return DashboardHTTP.redirect(DashboardPath.local(body["back"]))
            }
        }
        router.post("/v1/dashboard/links") { request, context in try mintLink(request, context) }
    }

    /// The sign-in form with a fresh CSRF token in its cookie.
    private func login(_ request: Request, message: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let token = sessions.secret()
        let cookie = DashboardHTTP.cookie(DashboardHTTP.loginCookie, token, maxAge: 900, secure: DashboardHTTP.isSecure(request))
        return DashboardHTTP.page("login", LoginPage(csrf: token, message: message), status: status, cookies: [cookie])
    }

    /// Checks the form's token against its cookie, then the key against the key ring.
    private func signIn(_ request: Request, _ context: GavelRequestContext) async -> Response {
        let body: FormBody
        do {
            body = try await DashboardHTTP.form(request)
        } catch {
            return errorPage(error, viewer: nil, logger: context.logger)
        }
        guard DashboardHTTP.sameOrigin(request), let token = body["csrf"],
            let expected = DashboardHTTP.cookieValue(request, DashboardHTTP.loginCookie),
            !expected.isEmpty, DashboardHTTP.constantTimeEqual(token, expected)
        else { return refused("The sign-in form's security token is missing or wrong. Reload the sign-in page and try again.") }
        guard let key = body["key"], !key.isEmpty, let session = sessions.signIn(key: key) else {
            return login(request, message: "That key is not valid, or it was revoked.", status: .unauthorized)
        }
        if let old = DashboardHTTP.cookieValue(request, DashboardHTTP.sessionCookie) { sessions.signOut(id: old) }
        return started(session.id, request)
    }

    /// A one-time link: used up at once; starts a session when it was good.
    private func redeem(_ token: String, _ request: Request) -> Response {
        guard let session = sessions.redeem(token: token) else {
            return login(request, message: "That sign-in link is invalid, used or expired.", status: .unauthorized)
        }
        return started(session.id, request)
    }

    private func started(_ id: String, _ request: Request) -> Response {
        let secure = DashboardHTTP.isSecure(request)
        let lifetime = Int(sessions.policy.lifetime / 1_000)
        return DashboardHTTP.redirect(
            "/",
            cookies: [
                DashboardHTTP.cookie(DashboardHTTP.sessionCookie, id, maxAge: lifetime, secure: secure),
                DashboardHTTP.cookie(DashboardHTTP.loginCookie, "", maxAge: 0, secure: secure),
            ])
    }

    private func signedOut(_ request: Request) -> Response {
        DashboardHTTP.redirect(
            "/login", cookies: [DashboardHTTP.cookie(DashboardHTTP.sessionCookie, "", maxAge: 0, secure: DashboardHTTP.isSecure(request))])
    }

    /// `POST /v1/dashboard/links`: any key may mint a one-time, short-lived link that signs its
    /// bearer in as that key's identity (for a browser that cannot send the key itself, such as
    /// a headless screenshot). The link holds a random token, never the key.
    private func mintLink(_ request: Request, _ context: GavelRequestContext) throws -> Response {
        let identity = try context.require(.admin, .seller, .buyer)
        guard let header = request.headers[.authorization], let key = AuthMiddleware.bearer(header) else { throw Problem.unauthorized }
        let (token, expiresAt) = sessions.mintLink(key: key, identity: identity)
        let body: JSONValue = ["url": .string("/login?token=\(token)"), "expires_at": expiresAt.json]
        return JSONIO.response(body, status: .created, headers: [.cacheControl: "no-store"])
    }
}
