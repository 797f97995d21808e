import GavelCore
import Hummingbird

/// Money after the sale: `POST /v1/returns`, `POST /v1/conversions`, `GET /v1/buyer/leads`
/// (buyer keys) and `POST /v1/buyers/{id}/payments` (the operator).
struct MoneyRoutes {
    let store: any MoneyStore & LeadStore
    let market: MarketCache
    let clock: any WallClock
    let intelligence: MarketIntelligence
    let webhooks: WebhookHub

    /// The buyer export's columns, in order (lead fields follow as `field.<name>`).
    static let leadColumns = ["lead_id", "campaign", "price", "sold_at", "returned", "vertical", "source", "received_at", "erased_at"]

    func register(on router: Routes) {
        router.post("/v1/returns") { request, context in try await returnLead(request, context) }
        router.post("/v1/conversions") { request, context in try await convert(request, context) }
        router.get("/v1/buyer/leads") { request, context in try await boughtLeads(request, context) }
        router.post("/v1/buyers/:id/payments") { request, context in try await pay(request, context) }
    }

    /// Tells quality ranking which campaign's sale came back.
    private func learnReturn(leadID: String, buyerID: String) async {
        guard let detail = try? await store.lead(id: leadID), detail.lead.test == false,
            let sale = detail.outcome?.sales.first(where: { $0.buyerID == buyerID })
        else { return }
        intelligence.recordReturn(campaignID: sale.campaignID)
    }

    private func returnLead(_ request: Request, _ context: GavelRequestContext) async throws -> Response {
        let buyer = try context.requireBuyer()
        let log = FieldErrorLog()
        guard let reader = JSONReader(try await JSONIO.body(request, context: context), log: log) else {
            throw Problem.invalid(ValidationFailure(log.errors))
        }
        reader.rejectUnknown(["lead_id", "reason"])
        let leadID = reader.string("lead_id", required: true, maxLength: 64)
        let reason = reader.string("reason", required: true, maxLength: 500)
        try log.throwIfAny()
        let returned = ReturnRequest(
            leadID: leadID!, buyerID: buyer, reason: reason!, at: clock.now(), maxReturnRate: market.current.config.settings.maxReturnRate,
            webhooks: webhooks.fanOut(for: [.leadReturned, .returnDecided]))
        switch try await store.recordReturn(returned) {
        case .approved(let refund):
            await learnReturn(leadID: leadID!, buyerID: buyer)
            return JSONIO.response(["status": "approved", "reason": .string(reason!), "refund": refund.json])
        case .denied(let why): return JSONIO.response(["status": "denied", "reason": .string(why)])
        case .notFound: throw Problem.notFound("You did not buy lead '\(leadID!)'.")
        case .alreadyReturned: throw Problem.conflict("Lead '\(leadID!)' was already returned.")
        }
    }

    private func convert(_ request: Request, _ context: GavelRequestContext) async throws -> Response {
        let buyer = try context.requireBuyer()
        let log = FieldErrorLog()
        guard let reader = JSONReader(try await JSONIO.body(request, context: context), log: log) else {
            throw Problem.invalid(ValidationFailure(log.errors))
        }
        reader.rejectUnknown(["lead_id", "value"])
        let leadID = reader.string("lead_id", required: true, maxLength: 64)
        let value = reader.money("value")
        try log.throwIfAny()
        let fanOut = webhooks.fanOut(for: [.conversionRecorded])
        switch try await store.recordConversion(leadID: leadID!, buyerID: buyer, value: value, at: clock.now(), webhooks: fanOut) {
        case .recorded: return JSONIO.response(["status": "recorded", "lead_id": .string(leadID!)], status: .accepted)
        case .notFound: throw Problem.notFound("You did not buy lead '\(leadID!)'.")
        case .alreadyRecorded: throw Problem.conflict("A conversion of lead '\(leadID!)' was already recorded.")
        }
    }

    private func boughtLeads(_ request: Request, _ context: GavelRequestContext) async throws -> Response {
        let buyer = try context.requireBuyer()
        let (from, to) = try Query.range(request, now: clock.now())
        let format = try Query.format(request)
        let leads = try await store.boughtLeads(buyerID: buyer, from: from, to: to, limit: 10_000)
        let rows = leads.map(Self.json)
        let fieldNames = Set(leads.flatMap(\.lead.fields.keys)).sorted().map { "field.\($0)" }
        guard format == .csv else { return Query.respond(rows, columns: [], format: .json, name: "leads") }
        let flat = rows.map { row -> JSONValue in
            var members = row.objectValue ?? [:]
            for (name, value) in row["fields"]?.objectValue ?? [:] { members["field.\(name)"] = value }
            return .object(members)
        }
        return Query.respond(flat, columns: Self.leadColumns + fieldNames, format: .csv, name: "leads")
    }

    static func json(_ bought: BoughtLead) -> JSONValue {
        .object([
            "lead_id": .string(bought.lead.id), "campaign": .string(bought.campaignID), "price": bought.price.json,
            "sold_at": bought.soldAt.json, "returned": .bool(bought.returned), "vertical": .string(bought.lead.vertical),
            "source": .string(bought.lead.source), "received_at": bought.lead.receivedAt.json, "test": .bool(bought.lead.test),
            "fields": .object(bought.lead.fields), "consent": bought.lead.consent, "erased_at": bought.lead.erasedAt?.json ?? .null,
        ])
    }

    private func pay(_ request: Request, _ context: GavelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        let buyer = try context.parameters.require("id")
        guard market.current.config.buyers[buyer] != nil else { throw Problem.notFound("No buyer '\(buyer)'.") }
        let log = FieldErrorLog()
        guard let reader = JSONReader(try await JSONIO.body(request, context: context), log: log) else {
            throw Problem.invalid(ValidationFailure(log.errors))
        }
        reader.rejectUnknown(["amount"])
        let amount = reader.money("amount", required: true)
        if amount?.cents == 0 { reader.fail("amount", "must be more than 0") }
        try log.throwIfAny()
        try await store.recordPayment(buyerID: buyer, amount: amount!, at: clock.now())
        return JSONIO.response(["buyer_id": .string(buyer), "amount": amount!.json], status: .created)
    }
}
