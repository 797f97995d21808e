import GavelBuyers
import GavelCore
import Hummingbird
import Logging
import ServiceLifecycle

/// A real loopback HTTP server that receives webhook deliveries, for tests and demos: every
/// `POST /hooks/{name}` is recorded with its event id and whether its signature verifies under
/// the secret set for that name, and answered with the status set (200 by default).
///
/// It can be taken down — the port then refuses connections, as a dead receiver does — and
/// brought up again on the same port. Run it scoped with ``withWebhookReceiver(_:)``.
public final class SandboxWebhookReceiver: Sendable {
    /// One delivery received.
    public struct Delivery: Sendable, Hashable {
        /// The name in the path.
        public var name: String
        /// `X-Gavel-Event-Id`.
        public var eventID: String
        /// `X-Gavel-Event`.
        public var event: String
        /// `X-Gavel-Delivery-Id`.
        public var deliveryID: String
        /// `X-Gavel-Attempt`.
        public var attempt: Int
        /// The body.
        public var body: [UInt8]
        /// Whether the signature verified under the name's secret (and the timestamp is recent).
        public var signatureVerified: Bool

        /// The body as JSON (`null` when it is not).
        public var json: JSONValue { (try? JSONParser.parse(body, limits: .trusted)) ?? .null }
    }

    private struct State: Sendable {
        var deliveries: [Delivery] = []
        var secrets: [String: String] = [:]
        var status = 200
        var port: Int?
        var listening = false
        var up = true
        var finished = false
        var group: ServiceGroup?
        var upWaiters: [CheckedContinuation<Void, Never>] = []
        var portWaiters: [CheckedContinuation<Int?, Never>] = []
    }

    /// The address it binds.
    public let host: String
    private let firstPort: Int
    private let state = Locked(State())

    /// Creates a receiver (listening once ``run()`` runs) on `port`, 0 for a free one.
    public init(host: String = "127.0.0.1", port: Int = 0) {
        self.host = host
        firstPort = port
    }

    // MARK: What it received

    /// Every delivery received, oldest first.
    public var deliveries: [Delivery] { state.withLock { $0.deliveries } }

    /// Sets the secret a name's deliveries are verified with.
    public func setSecret(_ secret: String, for name: String) {
        state.withLock { $0.secrets[name] = secret }
    }

    /// Sets the status every delivery is answered with.
    public func answer(_ status: Int) {
        state.withLock { $0.status = status }
    }

    /// The URL of a name; the receiver must have started.
    public func url(_ name: String) -> String {
        "http://\(host):\(state.withLock { $0.port } ?? firstPort)/hooks/\(name)"
    }

    // MARK: Running

    /// Serves until ``finish()``, restarting on the same port after each ``takeDown()`` once
    /// ``bringUp()`` is called.
    public func run() async throws {
        do {
            while await waitUntilWantedUp() {
                try await serve(port: state.withLock { $0.port } ?? firstPort)
            }
        } catch {
            await finish()
            throw error
        }
    }

    private func serve(port: Int) async throws {
        let app = Application(
            router: router(), configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { [state] channel in
                let waiters = state.withLock { state in
                    state.port = channel.localAddress?.port
                    state.listening = true
                    defer { state.portWaiters = [] }
                    return state.portWaiters
                }
                for waiter in waiters { waiter.resume(returning: channel.localAddress?.port) }
            }, logger: Self.logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: Self.logger))
        let wanted = state.withLock { state in
            state.group = group
            return state.up && !state.finished
        }
        guard wanted else { return }
        try await group.run()
    }

    /// Waits until it listens; returns the port (`nil` when it finished first).
    @discardableResult
    public func waitUntilListening() async -> Int? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Int?? in
                if state.finished { return .some(nil) }
                if state.listening { return .some(state.port) }
                state.portWaiters.append(continuation)
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Stops listening: connections are refused until ``bringUp()``.
    public func takeDown() async {
        let group = state.withLock { state -> ServiceGroup? in
            state.up = false
            state.listening = false
            defer { state.group = nil }
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Listens again on the same port, and waits until it does.
    public func bringUp() async {
        let waiters = state.withLock { state in
            state.up = true
            defer { state.upWaiters = [] }
            return state.upWaiters
        }
        for waiter in waiters { waiter.resume() }
        await waitUntilListening()
    }

    /// Stops for good: ``run()`` returns.
    public func finish() async {
        let (up, listening) = state.withLock { state in
            state.finished = true
            defer { (state.upWaiters, state.portWaiters) = ([], []) }
            return (state.upWaiters, state.portWaiters)
        }
        for waiter in up { waiter.resume() }
        for waiter in listening { waiter.resume(returning: nil) }
        await takeDown()
    }

    private func waitUntilWantedUp() async -> Bool {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.finished || state.up { return true }
                state.upWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
        return state.withLock { !$0.finished }
    }

    private func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/hooks/:name") { [state] request, context in
            let name = try context.parameters.require("name")
            var request = request
            let body = Array(try await request.collectBody(upTo: 1 << 20).readableBytesView)
            var fields: [String: String] = [:]
            for field in request.headers { fields[field.name.canonicalName] = field.value }
            let header = { (name: String) in fields[name.lowercased()] }
            let status = state.withLock { state -> Int in
                // Between takeDown() and the listener closing, a connection can still land: it
                // is refused as the dead receiver it stands for, never recorded.
                guard state.up else { return 503 }
                let verified = BuyerSignature.verify(
                    signature: header(BuyerSignature.signatureHeader), timestamp: header(BuyerSignature.timestampHeader), body: body,
                    secret: state.secrets[name] ?? "", now: SystemWallClock().now())
                state.deliveries.append(
                    Delivery(
                        name: name, eventID: header("X-Gavel-Event-Id") ?? "", event: header("X-Gavel-Event") ?? "",
                        deliveryID: header("X-Gavel-Delivery-Id") ?? "", attempt: Int(header("X-Gavel-Attempt") ?? "") ?? 0, body: body,
                        signatureVerified: verified))
                return state.status
            }
            return Response(status: HTTPResponse.Status(code: status))
        }
        return router
    }

    private static var logger: Logger {
        var logger = Logger(label: "gavel.sandbox-webhooks")
        logger.logLevel = .warning
        return logger
    }
}

/// Runs a receiver for the duration of `body`: starts it, waits until it listens, calls
/// `body`, then stops it, whether `body` returns or throws.
public func withWebhookReceiver<Result>(
    port: Int = 0, isolation: isolated (any Actor)? = #isolation, _ body: (SandboxWebhookReceiver) async throws -> Result
) async throws -> Result {
    let receiver = SandboxWebhookReceiver(port: port)
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
        group.addTask { try await receiver.run() }
        await receiver.waitUntilListening()
        do {
            let result = try await body(receiver)
            await receiver.finish()
            try? await group.waitForAll()
            return result
        } catch {
            await receiver.finish()
            try? await group.waitForAll()
            throw error
        }
    }
}
