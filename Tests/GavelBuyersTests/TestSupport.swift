import Foundation
import GavelBuyers
import GavelCore
import GavelSim
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A remote campaign pointed at a sandbox buyer.
func campaign(_ buyer: SandboxBuyer, secret: String? = nil, postTimeoutMS: Int = 30_000) -> Campaign {
    var delivery = buyer.delivery(timeoutMS: 250, postTimeoutMS: postTimeoutMS)
    if let secret { delivery.secret = secret }
    return Campaign(id: "\(buyer.name)-campaign", buyerID: buyer.name, vertical: "auto_insurance", delivery: delivery)
}

/// A remote campaign whose URLs point at `url`.
func campaign(url: String, secret: String = "s", postTimeoutMS: Int = 30_000) -> Campaign {
    Campaign(
        id: "c", buyerID: "b", vertical: "auto_insurance",
        delivery: Campaign.Delivery(mode: .remote, pingURL: url, postURL: url, postTimeoutMS: postTimeoutMS, secret: secret))
}

/// A ping with non-personal fields only.
func pingRequest(state: String = "CA") -> PingRequest {
    PingRequest(
        pingID: "P1", vertical: "auto_insurance", tmaxMS: 250, test: false, sellerAlias: "S-alias", source: "fb-spring-7",
        fields: ["zip": "94105", "state": .string(state), "age": 34])
}

/// A post of a full lead, personal fields included.
func postRequest(bidID: String? = "acme-1") -> PostRequest {
    PostRequest(
        pingID: "P1", bidID: bidID, leadID: "L1", price: Money("12.50"), vertical: "auto_insurance", test: false,
        fields: ["zip": "94105", "state": "CA", "first_name": "Ada", "phone": "4155550100"],
        consent: ["tcpa_text": "I agree"])
}

/// Runs `body` with a live sandbox and a gateway, shutting both down afterwards.
func withLive<Result>(
    gatewayConfiguration: HTTPBuyerGateway.Configuration = HTTPBuyerGateway.Configuration(allowPrivateAddresses: true),
    observers: [any BuyerCallObserver] = [],
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SandboxBuyers, HTTPBuyerGateway) async throws -> Result
) async throws -> Result {
    try await withSandboxBuyers { buyers in
        try await withHTTPBuyerGateway(configuration: gatewayConfiguration, observers: observers) { gateway in
            try await body(buyers, gateway)
        }
    }
}

/// Runs `body` with a loopback URL where nothing listens: a port bound by a socket that never
/// listens, so connections are refused and no other test can take the port meanwhile.
func withClosedPortURL<Result>(
    isolation: isolated (any Actor)? = #isolation, _ body: (String) async throws -> Result
) async throws -> Result {
    let socket = try ReservedPort()
    defer { socket.close() }
    return try await body("http://127.0.0.1:\(socket.port)/buyers/gone/ping")
}

/// A TCP socket bound to a free loopback port and never listening.
struct ReservedPort {
    let descriptor: Int32
    let port: Int

    struct Failure: Error {}

    init() throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure() }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                Glibc.bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw Failure()
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        Glibc.close(descriptor)
    }
}

/// Seconds elapsed since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    start.duration(to: .now).seconds
}

/// An observer that keeps what it saw.
final class RecordingObserver: BuyerCallObserver, Sendable {
    private struct State: Sendable {
        var pings: [(String, PingAnswer)] = []
        var posts: [(String, PostAnswer, PostFailure?)] = []
    }

    private let state = Locked(State())

    var pings: [(String, PingAnswer)] { state.withLock { $0.pings } }
    var posts: [(String, PostAnswer, PostFailure?)] { state.withLock { $0.posts } }

    func pingFinished(campaignID: String, answer: PingAnswer) {
        state.withLock { $0.pings.append((campaignID, answer)) }
    }

    func postFinished(campaignID: String, answer: PostAnswer, failure: PostFailure?) {
        state.withLock { $0.posts.append((campaignID, answer, failure)) }
    }
}

extension HTTPBuyerGateway {
    /// A ping bounded the way the exchange bounds it (``Deadline``): cancelled at `timeoutMS`,
    /// when it reads as a timeout.
    func ping(_ request: PingRequest, campaign: Campaign, timeoutMS: Int) async -> PingAnswer {
        let clock = ContinuousClock()
        return await Deadline.race(until: clock.now.advanced(by: .milliseconds(timeoutMS)), clock: clock) {
            await self.ping(request, campaign: campaign)
        } late: { answer in
            // As the exchange does: a cancelled call took the whole deadline, however late its task began.
            PingAnswer(kind: .timeout, latencyMicros: Int64(timeoutMS) * 1_000, detail: answer?.detail)
        }
    }

    /// A post bounded the way the exchange bounds it: cancelled at the campaign's post timeout,
    /// when it is a `timeout` rejection.
    func postWithinDeadline(_ request: PostRequest, campaign: Campaign) async -> PostAnswer {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(campaign.delivery.effectivePostTimeoutMS))
        return await Deadline.race(until: deadline, clock: clock) {
            await self.post(request, campaign: campaign)
        } late: { answer in
            answer?.reason == "timeout" ? answer! : PostAnswer(outcome: .rejected, reason: "timeout")
        }
    }
}

/// A ping deadline for calls that must never reach it: a minute, so that a test run that
/// starts hundreds of tests at once on two cores (and can hold a job back for seconds) never
/// turns a prompt answer into a timeout.
let patientMS = 60_000
