import AsyncHTTPClient
import GavelCore
import Logging

/// The exchange's buyer calls over HTTP: signed JSON pings and posts through one shared,
/// pooled AsyncHTTPClient, each bounded by its deadline and read into a typed answer.
///
/// It never throws and never crashes on what a buyer sends: a slow, down or nonsensical buyer
/// becomes a typed no-bid or rejection, and cancelling the calling task ends a call promptly.
/// Create one per process and call ``shutdown()`` before it goes away (or use
/// ``withHTTPBuyerGateway(configuration:observers:isolation:_:)``).
public final class HTTPBuyerGateway: BuyerGateway {
    private let transport: BuyerTransport
    private let ownsClient: Bool
    private let observers: [any BuyerCallObserver]
    private let logger: Logger

    /// Creates a gateway with its own HTTP client made from `configuration`.
    public convenience init(
        configuration: Configuration = Configuration(), observers: [any BuyerCallObserver] = [],
        wallClock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "gavel.buyers")
    ) {
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration.httpClientConfiguration,
            backgroundActivityLogger: logger)
        self.init(client: client, owned: true, configuration: configuration, observers: observers, wallClock: wallClock, logger: logger)
    }

    /// Creates a gateway over a client the caller owns (and shuts down). Only the body limit,
    /// user agent and default post deadline of `configuration` apply; the pool is the client's.
    public convenience init(
        client: HTTPClient, configuration: Configuration = Configuration(), observers: [any BuyerCallObserver] = [],
        wallClock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "gavel.buyers")
    ) {
        self.init(client: client, owned: false, configuration: configuration, observers: observers, wallClock: wallClock, logger: logger)
    }

    private init(
        client: HTTPClient, owned: Bool, configuration: Configuration, observers: [any BuyerCallObserver],
        wallClock: any WallClock, logger: Logger
    ) {
        transport = BuyerTransport(
            client: client, configuration: configuration, wallClock: wallClock, logger: logger,
            addressGuard: AddressGuard(allowPrivate: configuration.allowPrivateAddresses))
        ownsClient = owned
        self.observers = observers
        self.logger = logger
    }

    /// The configuration in use.
    public var configuration: Configuration { transport.configuration }

    /// Shuts down the HTTP client if the gateway created it (calls still in flight end as
    /// failures, never crashes). A client passed in is left to its owner.
    public func shutdown() async throws {
        guard ownsClient else { return }
        try await transport.client.shutdown()
    }

    /// Pings the campaign's ping URL with the request's non-personal JSON and answers within
    /// `timeoutMS` (see ``BuyerResponse/ping(status:body:)`` for how the answer is read).
    public func ping(_ request: PingRequest, campaign: Campaign, timeoutMS: Int) async -> PingAnswer {
        let start = ContinuousClock.now
        var answer = await pingAnswer(request, campaign: campaign, timeoutMS: timeoutMS)
        answer.latencyMicros = Self.micros(since: start)
        finished(campaignID: campaign.id, ping: answer)
        return answer
    }

    /// Posts the full lead to the campaign's post URL within its `post_timeout_ms` (see
    /// ``BuyerResponse/post(status:body:)``); a failure is a rejection with a reason such as
    /// `timeout` or `http_status_500`.
    public func post(_ request: PostRequest, campaign: Campaign) async -> PostAnswer {
        let start = ContinuousClock.now
        let (verdict, failure) = await postAnswer(request, campaign: campaign)
        var answer = verdict
        answer.latencyMicros = Self.micros(since: start)
        finished(campaignID: campaign.id, post: answer, failure: failure)
        return answer
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

    private func pingAnswer(_ request: PingRequest, campaign: Campaign, timeoutMS: Int) async -> PingAnswer {
        guard let url = campaign.delivery.pingURL else { return PingAnswer(kind: .connectError, detail: "no ping URL") }
        let body = request.body
        let result = await transport.call(url: url, body: body, secret: campaign.delivery.secret, timeoutMS: timeoutMS)
        switch result {
        case .response(let status, let body): return BuyerResponse.ping(status: status, body: body)
        case .tooLarge: return PingAnswer(kind: .tooLarge, detail: "body over \(configuration.maxResponseBytes) bytes")
        case .timeout(let detail): return PingAnswer(kind: .timeout, detail: detail)
        case .failed(let detail): return PingAnswer(kind: .connectError, detail: detail)
        }
    }

    private func postAnswer(_ request: PostRequest, campaign: Campaign) async -> (PostAnswer, PostFailure?) {
        guard let url = campaign.delivery.postURL else { return (BuyerResponse.rejected(.noPostURL), .noPostURL) }
        let timeoutMS = campaign.delivery.postTimeoutMS > 0 ? campaign.delivery.postTimeoutMS : configuration.defaultPostTimeoutMS
        let body = JSONWriter.bytes(request.json)
        let result = await transport.call(url: url, body: body, secret: campaign.delivery.secret, timeoutMS: timeoutMS)
        switch Self.verdict(result) {
        case .success(let answer): return (answer, nil)
        case .failure(let failure): return (BuyerResponse.rejected(failure), failure)
        }
    }

    private static func verdict(_ result: CallResult) -> Result<PostAnswer, PostFailure> {
        switch result {
        case .response(let status, let body): BuyerResponse.post(status: status, body: body)
        case .tooLarge: .failure(.tooLarge)
        case .timeout: .failure(.timeout)
        case .failed: .failure(.connectError)
        }
    }

    private static func micros(since start: ContinuousClock.Instant) -> Int64 {
        let parts = start.duration(to: .now).components
        return parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
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
