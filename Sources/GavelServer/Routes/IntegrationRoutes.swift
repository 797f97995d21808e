import GavelCore
import Hummingbird

/// `GET /v1/integration-presets` (operator and buyers) and the test console
/// `POST /v1/campaigns/{id}/test` (operator, and the campaign's own buyer).
struct IntegrationRoutes {
    let market: MarketCache
    let console: TestConsole
    let ids = IDGenerator()

    func register(on router: Routes) {
        router.get("/v1/integration-presets", presets)
        router.post("/v1/campaigns/:id/test", test)
    }

    @Sendable private func presets(_ request: Request, _ context: GavelRequestContext) async throws -> Response {
        _ = try context.require(.admin, .buyer)
        return JSONIO.response(.array(IntegrationPresets.all.map(\.json)))
    }

    @Sendable private func test(_ request: Request, _ context: GavelRequestContext) async throws -> Response {
        let identity = try context.require(.admin, .buyer)
        let id = try context.parameters.require("id")
        let config = market.current.config
        guard let campaign = config.campaigns[id], identity.role == .admin || campaign.buyerID == identity.subjectID else {
            throw Problem.notFound("No campaign '\(id)' of yours.")
        }
        guard let vertical = config.verticals[campaign.vertical] else { throw Problem.notFound("No vertical '\(campaign.vertical)'.") }
        let input = try TestInput.parse(try await JSONIO.body(request, context: context), vertical: vertical)
        let run = await console.run(
            campaign: campaign, vertical: vertical, fields: input.fields, settings: config.settings, pingID: ids.make("P"),
            leadID: ids.make("L"), post: input.post)
        return JSONIO.response(TestRunPresenter.json(run, campaign: campaign, generated: input.generated))
    }
}

/// The test console's request: `{"fields": {...}, "post": true}`, both optional; without
/// fields a sample lead of the vertical is made.
struct TestInput {
    var fields: [String: JSONValue]
    var post: Bool
    var generated: Bool

    static func parse(_ json: JSONValue, vertical: Vertical) throws -> TestInput {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { throw Problem.invalid(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["fields", "post"])
        let post = reader.bool("post") ?? true
        let given = reader.object("fields")
        try log.throwIfAny()
        guard let given else { return TestInput(fields: SampleLead.fields(for: vertical), post: post, generated: true) }
        let fields = try vertical.validate(fields: given.members, mode: .full).orProblem()
        return TestInput(fields: fields, post: post, generated: false)
    }
}

/// The test console's answer: per call, the request as sent (secrets masked), the raw answer
/// and how it was read.
enum TestRunPresenter {
    static func json(_ run: TestConsole.Run, campaign: Campaign, generated: Bool) -> JSONValue {
        [
            "campaign_id": .string(campaign.id), "mode": .string(campaign.delivery.mode.rawValue),
            "ping_protocol": .string(campaign.delivery.integration?.ping == nil ? "native" : "mapped"),
            "post_protocol": .string(campaign.delivery.integration?.post == nil ? "native" : "mapped"),
            "lead": ["test": true, "generated": .bool(generated), "fields": .object(run.fields)],
            "ping": run.ping.map { step(step: $0.trace, reading: pingReading($0.answer)) } ?? .null,
            "post": run.post.map { step(step: $0.trace, reading: postReading($0.answer, offered: run.price)) } ?? .null,
            "price": run.price?.json ?? .null, "note": run.note.map(JSONValue.string) ?? .null,
        ]
    }

    static func step(step trace: CallTrace?, reading: JSONValue) -> JSONValue {
        guard let trace else { return ["request": .null, "response": .null, "failure": .null, "reading": reading] }
        return [
            "request": request(trace.request), "response": trace.reply.map { response($0, truncated: trace.truncated) } ?? .null,
            "failure": trace.failure.map(JSONValue.string) ?? .null,
            "latency_ms": .number(Number(significand: trace.latencyMicros / 100, exponent: -1)), "reading": reading,
        ]
    }

    static func request(_ request: RenderedRequest) -> JSONValue {
        [
            "method": .string(request.method), "url": .string(request.url), "headers": headers(request.headers),
            "body": .string(String(decoding: request.body, as: UTF8.self)),
        ]
    }

    static func response(_ reply: BuyerReply, truncated: Bool) -> JSONValue {
        [
            "status": .number(Number(reply.status)), "headers": headers(reply.headers),
            "body": .string(String(decoding: reply.body, as: UTF8.self)), "truncated": .bool(truncated),
        ]
    }

    static func headers(_ fields: [HeaderField]) -> JSONValue {
        .array(fields.map { ["name": .string($0.name), "value": .string($0.value)] })
    }

    static func pingReading(_ answer: PingAnswer) -> JSONValue {
        [
            "answer": .string(answer.kind.rawValue), "bid": answer.bid?.json ?? .null,
            "bid_id": answer.bidID.map(JSONValue.string) ?? .null, "captures": .object(answer.captures),
            "detail": answer.detail.map(JSONValue.string) ?? .null,
        ]
    }

    static func postReading(_ answer: PostAnswer, offered: Money?) -> JSONValue {
        let charged = answer.outcome == .accepted ? (answer.confirmedPrice ?? offered) : nil
        return [
            "outcome": .string(answer.outcome.rawValue), "reason": answer.reason.map(JSONValue.string) ?? .null,
            "buyer_lead_id": answer.buyerLeadID.map(JSONValue.string) ?? .null,
            "redirect_url": answer.redirectURL.map(JSONValue.string) ?? .null,
            "confirmed_price": answer.confirmedPrice?.json ?? .null, "charged": charged?.json ?? .null,
        ]
    }
}
