import GavelCore
import Hummingbird
import Logging

extension DashboardRoutes {
    /// The operator's privacy page and its erasure form.
    func registerPrivacy(on router: Routes) {
        router.get("/privacy") { request, context in
            await page(request, context) { viewer in
                DashboardHTTP.page("privacy", try await privacyPage(viewer, notice: Self.privacyNotice(request)))
            }
        }
        router.get("/privacy.csv") { request, context in
            await page(request, context) { viewer in
                let table = try await privacyPage(viewer).sections[0].tables[0].source
                return DashboardHTTP.csv(table.csv, name: "privacy-erasures")
            }
        }
        router.post("/privacy/erasures") { request, context in
            await form(request, context) { viewer, body in
                guard viewer.isOperator else { return refused("Only the operator erases personal data.", viewer: viewer) }
                return try await erase(viewer, body, logger: context.logger)
            }
        }
    }

    /// Erases the consumer the form names and returns to the list, or shows the form again
    /// with why it was refused.
    private func erase(_ viewer: Viewer, _ body: FormBody, logger: Logger) async throws -> Response {
        let (phone, email) = (body["phone"] ?? "", body["email"] ?? "")
        var json: [String: JSONValue] = [:]
        if !phone.trimmingCharacters(in: .whitespaces).isEmpty { json["phone"] = .string(phone) }
        if !email.trimmingCharacters(in: .whitespaces).isEmpty { json["email"] = .string(email) }
        switch ErasureRequest.parse(.object(json)) {
        case .success(let request):
            let record = try await privacy.erase(request)
            logger.info("privacy erasure", metadata: ["erasure_id": "\(record.id)", "leads": "\(record.leads)"])
            return DashboardHTTP.redirect(DashboardPath.privacy + "?done=erased")
        case .failure(let failure):
            let page = try await privacyPage(viewer, phone: phone, email: email, errors: failure.errors.map(\.description))
            return DashboardHTTP.page("privacy", page, status: .unprocessableContent)
        }
    }

    private func privacyPage(
        _ viewer: Viewer, notice: String? = nil, phone: String = "", email: String = "", errors: [String] = []
    ) async throws -> PrivacyPage {
        guard viewer.isOperator else { throw Problem.forbidden("Only the operator sees erasures.") }
        let erasures = try await privacy.erasures(limit: PrivacyPage.limit)
        return PrivacyPage(
            erasures: erasures, viewer: viewer, config: data.config, notice: notice, phone: phone, email: email, errors: errors)
    }

    /// The message after an erasure (a fixed text: nothing from the query is shown).
    static func privacyNotice(_ request: Request) -> String? {
        request.uri.queryParameters["done"] == "erased" ? "The erasure is done and recorded below." : nil
    }
}
