import GavelCore
import Hummingbird

/// The seller API: `POST /v1/leads`, `POST /v1/ping`, `POST /v1/post`, `GET /v1/leads/{id}`.
struct SellerRoutes<C: Clock>: Sendable where C.Duration == Duration {
    let exchange: Exchange<C>
    let store: any LeadStore
    let gate: AdmissionGate
    let idempotency: IdempotencyGate

    /// A seller POST: the seller's key, the body read once (JSON, or a URL-encoded form read
    /// into the same JSON document), idempotency, then the admission gate (503 while shutting
    /// down) around the exchange's work.
    private func sell(
        _ request: Request, _ context: GavelRequestContext, route: SellerForm.Route,
        _ work: @escaping @Sendable (String, JSONValue) async throws -> JSONValue
    ) async throws -> Response {
        let seller = try context.requireSeller()
        let format = try SellerBodyFormat(contentType: request.headers[.contentType])
        let body = try await JSONIO.bytes(request, context: context)
        return try await idempotency.run(request, body: body, sellerID: seller, form: format == .form) {
            let json = try format.document(body, route: route)
            return try await gate.admit { try await work(seller, json) }
        }
    }

    func register(on router: Routes) {
        router.post("/v1/leads") { request, context in
            try await sell(request, context, route: .lead) { seller, json in
                let submission = try LeadSubmission.parse(json).orProblem()
                return try await exchange.submit(submission, sellerID: seller).json
            }
        }
        router.post("/v1/ping") { request, context in
            try await sell(request, context, route: .lead) { seller, json in
                let submission = try LeadSubmission.parse(json).orProblem()
                return try await exchange.ping(submission, sellerID: seller).json
            }
        }
        router.post("/v1/post") { request, context in
            try await sell(request, context, route: .post) { seller, json in
                let submission = try PostSubmission.parse(json).orProblem()
                return try await exchange.post(submission, sellerID: seller).json
            }
        }
        router.get("/v1/leads/:id") { _, context in
            let identity = try context.require(.seller, .admin)
            let id = try context.parameters.require("id")
            guard let detail = try await store.lead(id: id),
                identity.role == .admin || detail.lead.sellerID == identity.subjectID
            else { throw Problem.notFound("No lead '\(id)' of yours.") }
            return JSONIO.response(LeadPresenter.json(detail, forOperator: identity.role == .admin))
        }
    }
}

/// Lets requests in while the server runs and turns new ones away (503) once it is shutting
/// down, while those already admitted finish.
public final class AdmissionGate: Sendable {
    private struct State: Sendable {
        var closed = false
        var inFlight = 0
    }

    private let state = Locked(State())

    /// Creates an open gate.
    public init() {}

    /// Stops admitting new work.
    public func close() {
        state.withLock { $0.closed = true }
    }

    /// How many admitted operations are running.
    public var running: Int { state.withLock { $0.inFlight } }

    /// Runs `work` if the gate is open, else throws ``ExchangeError/unavailable``.
    public func admit<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        try state.withLock { state in
            if state.closed { throw ExchangeError.unavailable }
            state.inFlight += 1
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        return try await work()
    }
}

/// The lead as its seller (or the operator) sees it: status, payout, timeline.
enum LeadPresenter {
    static func json(_ detail: LeadDetail, forOperator: Bool) -> JSONValue {
        let lead = detail.lead
        let outcome = detail.outcome
        var members: [String: JSONValue] = [
            "lead_id": .string(lead.id), "status": .string(detail.status.rawValue), "vertical": .string(lead.vertical),
            "source": .string(lead.source), "seller_id": .string(lead.sellerID), "test": .bool(lead.test),
            "received_at": lead.receivedAt.json, "finished_at": outcome?.finishedAt.json ?? .null,
            "price": (outcome?.payout ?? .zero).json, "buyer": outcome?.sales.first.map { .string($0.campaignID) } ?? .null,
            "buyers": .array((outcome?.sales ?? []).map { .string($0.campaignID) }),
            "reason": outcome?.reason.map(JSONValue.string) ?? .null,
            "elapsed_ms": .number(Number(Int((outcome?.elapsedMicros ?? 0) / 1_000))),
            "ping_id": lead.pingID.map(JSONValue.string) ?? .null,
            "redirect_url": outcome?.redirectURL.map(JSONValue.string) ?? .null,
            "erased_at": lead.erasedAt?.json ?? .null,
            "timeline": .array(timeline(detail, forOperator: forOperator)),
        ]
        if forOperator {
            members["fields"] = .object(lead.fields)
            members["revenue"] = (outcome?.revenue ?? .zero).json
        }
        return .object(members)
    }

    static func timeline(_ detail: LeadDetail, forOperator: Bool) -> [JSONValue] {
        var events: [JSONValue] = [.object(["event": "received", "at": detail.lead.receivedAt.json])]
        guard let outcome = detail.outcome else { return events }
        events += outcome.skips.map {
            .object(["event": "skipped", "campaign": .string($0.campaignID), "reason": .string($0.reason.rawValue)])
        }
        if forOperator, let note = outcome.note { events += auction(note) }
        events += outcome.pings.map { ping(($0), forOperator: forOperator, factor: outcome.note?.factors[$0.campaignID]) }
        events += outcome.posts.map { post($0, forOperator: forOperator) }
        var final: [String: JSONValue] = ["event": .string(outcome.status.rawValue), "at": outcome.finishedAt.json]
        if let reason = outcome.reason { final["reason"] = .string(reason) }
        if outcome.status == .sold { final["price"] = outcome.payout.json }
        events.append(.object(final))
        return events
    }

    /// The operator's `floor` and `ranking` events: which floor applied and why, and how the bids
    /// were ordered.
    static func auction(_ note: AuctionNote) -> [JSONValue] {
        let floor = note.floor
        var ranking: [String: JSONValue] = [
            "event": "ranking", "ranking": .string(note.ranking.rawValue), "explanation": .string(note.rankingExplanation),
        ]
        if note.ranking == .quality {
            ranking["factors"] = .object(note.factors.mapValues(\.json))
            ranking["rejection_cost"] = (note.rejectionCost ?? .one).json
        }
        return [
            .object([
                "event": "floor", "floor": floor.floor.json, "static_floor": floor.staticFloor.json,
                "source": .string(floor.source.rawValue), "segment": floor.segment.isEmpty ? .null : .string(floor.segment),
                "samples": .number(Number(floor.samples)), "explanation": .string(floor.explanation),
            ]),
            .object(ranking),
        ]
    }

    static func ping(_ record: PingRecord, forOperator: Bool, factor: Rate? = nil) -> JSONValue {
        var members: [String: JSONValue] = [
            "event": "ping", "campaign": .string(record.campaignID), "answer": .string(record.answer.kind.rawValue),
            "latency_ms": .number(Number(significand: record.answer.latencyMicros / 100, exponent: -1)),
        ]
        if let status = record.answer.httpStatus { members["http_status"] = .number(Number(status)) }
        if forOperator {
            members["bid"] = record.answer.bid?.json ?? .null
            members["effective_bid"] = record.effectiveBid?.json ?? .null
            if let detail = record.answer.detail { members["detail"] = .string(detail) }
            if !record.answer.captures.isEmpty { members["captures"] = .object(record.answer.captures) }
            if let factor { members["quality_factor"] = factor.json }
        }
        return .object(members)
    }

    static func post(_ record: PostRecord, forOperator: Bool) -> JSONValue {
        var members: [String: JSONValue] = [
            "event": "post", "campaign": .string(record.campaignID), "outcome": .string(record.outcome.rawValue),
            "reason": record.reason.map(JSONValue.string) ?? .null, "origin": .string(record.origin.rawValue),
            "latency_ms": .number(Number(significand: record.latencyMicros / 100, exponent: -1)), "at": record.at.json,
        ]
        if let status = record.httpStatus { members["http_status"] = .number(Number(status)) }
        if let url = record.redirectURL { members["redirect_url"] = .string(url) }
        if forOperator {
            members["price"] = record.price.json
            if let confirmed = record.confirmedPrice { members["confirmed_price"] = confirmed.json }
            if let id = record.buyerLeadID { members["buyer_lead_id"] = .string(id) }
        }
        return .object(members)
    }
}
