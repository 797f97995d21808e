import GavelCore
import Logging

/// The exchange's buyer calls over HTTP: signed JSON pings and posts over pooled keep-alive
/// HTTP/1.1 connections (``HTTP1Connections``), each bounded by its deadline and read into a
/// typed answer.
///
/// It never throws and never crashes on what a buyer sends: a slow, down or nonsensical buyer
/// becomes a typed no-bid or rejection, and cancelling the calling task ends a call promptly.
/// Create one per process and call ``shutdown()`` before it goes away (or use
/// ``withHTTPBuyerGateway(configuration:observers:isolation:_:)``).
public final class HTTPBuyerGateway: BuyerGateway {
    private let transport: BuyerTransport
    private let observers: [any BuyerCallObserver]
    private let logger: Logger

    /// Creates a gateway with connections of its own made from `configuration`.
    public init(
        configuration: Configuration = Configuration(), observers: [any BuyerCallObserver] = [],
        wallClock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "gavel.buyers")
    ) {
        transport = BuyerTransport(configuration: configuration, wallClock: wallClock)
        self.observers = observers
        self.logger = logger
    }

    /// The configuration in use.
    public var configuration: Configuration { transport.configuration }

    /// Closes the gateway's connections (calls still in flight end as failures, never crashes;
    /// later calls fail at once).
    public func shutdown() async throws {
        await transport.connections.shutdown()
    }

    /// Pings the campaign: the native protocol's signed JSON to its ping URL (see
    /// ``BuyerResponse/ping(status:body:)``), or the mapped request of its integration, read by
    /// the integration's rules. The caller bounds the call (a cancelled call is a `timeout`).
    public func ping(_ request: PingRequest, campaign: Campaign) async -> PingAnswer {
        await tracedPing(request, campaign: campaign, tracing: false).0
    }

    /// Posts the full lead to the campaign, natively (see ``BuyerResponse/post(status:body:)``)
    /// or mapped; a failure is a rejection with a reason such as `timeout` (cancelled by the
    /// caller at the post deadline) or `http_status_500`.
    public func post(_ request: PostRequest, campaign: Campaign) async -> PostAnswer {
        await tracedPost(request, campaign: campaign, tracing: false).0
    }

    /// Pings and also returns the exact exchange on the wire (secrets masked).
    public func tracedPing(_ request: PingRequest, campaign: Campaign) async -> (PingAnswer, CallTrace?) {
        await tracedPing(request, campaign: campaign, tracing: true)
    }

    /// Posts and also returns the exact exchange on the wire (secrets masked).
    public func tracedPost(_ request: PostRequest, campaign: Campaign) async -> (PostAnswer, CallTrace?) {
        await tracedPost(request, campaign: campaign, tracing: true)
    }

    private func tracedPing(_ request: PingRequest, campaign: Campaign, tracing: Bool) async -> (PingAnswer, CallTrace?) {
        let start = ContinuousClock.now
        guard let rendered = pingRequest(request, campaign: campaign) else {
            return (PingAnswer(kind: .connectError, detail: "no ping URL"), nil)
        }
        let mapped = campaign.delivery.integration?.ping
        let result = await transport.send(rendered, readsBody: Self.readsBody(mapped: mapped != nil))
        var answer = pingAnswer(result, rules: mapped?.response)
        answer.latencyMicros = start.duration(to: .now).microseconds
        finished(campaignID: campaign.id, ping: answer)
        return (answer, tracing ? Self.trace(rendered, result, latencyMicros: answer.latencyMicros) : nil)
    }

    private func tracedPost(_ request: PostRequest, campaign: Campaign, tracing: Bool) async -> (PostAnswer, CallTrace?) {
        let start = ContinuousClock.now
        guard let rendered = postRequest(request, campaign: campaign) else {
            return (BuyerResponse.rejected(.noPostURL), nil)
        }
        let mapped = campaign.delivery.integration?.post
        let result = await transport.send(rendered, readsBody: Self.readsBody(mapped: mapped != nil))
        let (verdict, failure) = postAnswer(result, rules: mapped?.response)
        var answer = verdict
        answer.latencyMicros = start.duration(to: .now).microseconds
        finished(campaignID: campaign.id, post: answer, failure: failure)
        return (answer, tracing ? Self.trace(rendered, result, latencyMicros: answer.latencyMicros) : nil)
    }

    /// Which answers' bodies are read: a native call reads only 2xx bodies (other than 204), a
    /// mapped one every body (its rules may read a 4xx's).
    private static func readsBody(mapped: Bool) -> @Sendable (Int) -> Bool {
        if mapped { return { _ in true } }
        return { BuyerTransport.isReadable(status: $0) }
    }

    /// The request a ping sends: the integration's mapped call, or the native signed JSON.
    func pingRequest(_ request: PingRequest, campaign: Campaign) -> RenderedRequest? {
        let delivery = campaign.delivery
        if let call = delivery.integration?.ping {
            return mapped(call, CallValues(ping: request, campaign: campaign), campaign: campaign)
        }
        return delivery.pingURL.map { transport.nativeRequest(url: $0, body: request.body, secret: delivery.secret) }
    }

    /// The request a post sends: the integration's mapped call, or the native signed JSON.
    func postRequest(_ request: PostRequest, campaign: Campaign) -> RenderedRequest? {
        let delivery = campaign.delivery
        if let call = delivery.integration?.post {
            return mapped(call, CallValues(post: request, campaign: campaign), campaign: campaign)
        }
        return delivery.postURL.map { transport.nativeRequest(url: $0, body: JSONWriter.bytes(request.json), secret: delivery.secret) }
    }

    private func mapped(_ call: Integration.Call, _ values: CallValues, campaign: Campaign) -> RenderedRequest {
        var rendered = call.render(values)
        if campaign.delivery.integration?.sign == true { transport.sign(&rendered, secret: campaign.delivery.secret) }
        return rendered
    }

    private func pingAnswer(_ result: CallResult, rules: ResponseRules?) -> PingAnswer {
        switch result {
        case .response(let reply):
            var answer = rules.map { ReplyReader.ping(reply, rules: $0) } ?? BuyerResponse.ping(status: reply.status, body: reply.body)
            answer.httpStatus = reply.status
            return answer
        case .tooLarge(let status):
            return PingAnswer(kind: .tooLarge, detail: "body over \(configuration.maxResponseBytes) bytes", httpStatus: status)
        case .timeout(let detail): return PingAnswer(kind: .timeout, detail: detail)
        case .failed(let detail): return PingAnswer(kind: .connectError, detail: detail)
        }
    }

    private func postAnswer(_ result: CallResult, rules: ResponseRules?) -> (PostAnswer, PostFailure?) {
        switch result {
        case .response(let reply):
            guard let rules else { return Self.native(reply) }
            let answer = ReplyReader.post(reply, rules: rules)
            return (answer, Self.failure(of: answer))
        case .tooLarge: return (BuyerResponse.rejected(.tooLarge), .tooLarge)
        case .timeout: return (BuyerResponse.rejected(.timeout), .timeout)
        case .failed: return (BuyerResponse.rejected(.connectError), .connectError)
        }
    }

    private static func native(_ reply: BuyerReply) -> (PostAnswer, PostFailure?) {
        switch BuyerResponse.post(status: reply.status, body: reply.body) {
        case .success(var answer):
            answer.httpStatus = reply.status
            return (answer, nil)
        case .failure(let failure):
            var answer = BuyerResponse.rejected(failure)
            answer.httpStatus = reply.status
            return (answer, failure)
        }
    }

    /// A mapped post's rejection that is the buyer misbehaving rather than deciding.
    private static func failure(of answer: PostAnswer) -> PostFailure? {
        guard answer.outcome == .rejected, let reason = answer.reason else { return nil }
        if reason == "malformed" { return .malformed }
        if reason.hasPrefix("http_status_"), let code = Int(reason.dropFirst("http_status_".count)) { return .httpStatus(code) }
        return nil
    }

    private static func trace(_ request: RenderedRequest, _ result: CallResult, latencyMicros: Int64) -> CallTrace {
        switch result {
        case .response(let reply): CallTrace(request: request, reply: reply, failure: nil, latencyMicros: latencyMicros)
        case .tooLarge(let status):
            CallTrace(request: request, reply: BuyerReply(status: status), failure: "body too large", latencyMicros: latencyMicros)
        case .timeout(let detail), .failed(let detail):
            CallTrace(request: request, reply: nil, failure: detail, latencyMicros: latencyMicros)
        }
    }

    /// Logs a fault (the campaign and the kind, never the lead) and tells the observers.
    private func finished(campaignID: String, ping answer: PingAnswer) {
        if answer.isFault {
            logger.debug(
                "buyer ping fault",
                metadata: ["campaign": "\(campaignID)", "kind": "\(answer.kind.rawValue)", "detail": "\(answer.detail ?? "")"])
        }
        for observer in observers { observer.pingFinished(campaignID: campaignID, answer: answer) }
    }

    private func finished(campaignID: String, post answer: PostAnswer, failure: PostFailure?) {
        if let failure {
            logger.debug("buyer post fault", metadata: ["campaign": "\(campaignID)", "reason": "\(failure.reason)"])
        }
        for observer in observers { observer.postFinished(campaignID: campaignID, answer: answer, failure: failure) }
    }
}

/// Runs `body` with a new gateway and shuts the gateway down afterwards, whether `body`
/// returns or throws.
public func withHTTPBuyerGateway<Result>(
    configuration: HTTPBuyerGateway.Configuration = HTTPBuyerGateway.Configuration(), observers: [any BuyerCallObserver] = [],
    isolation: isolated (any Actor)? = #isolation, _ body: (HTTPBuyerGateway) async throws -> Result
) async throws -> Result {
    let gateway = HTTPBuyerGateway(configuration: configuration, observers: observers)
    do {
        let result = try await body(gateway)
        try await gateway.shutdown()
        return result
    } catch {
        try? await gateway.shutdown()
        throw error
    }
}
