import GavelBuyers
import GavelCore
import Hummingbird
import Logging
import ServiceLifecycle

/// A real loopback HTTP server hosting many simulated buyers, each at
/// `POST /buyers/{name}/ping` and `POST /buyers/{name}/post`, for the demo, tests and benchmarks.
///
/// Run it scoped with ``withSandboxBuyers(configuration:isolation:_:)``:
/// ```swift
/// try await withSandboxBuyers { buyers in
///     let acme = buyers.add("acme", .bidding(Money("12.50")))
///     let campaign = Campaign(id: "acme-ca", buyerID: "acme", vertical: "auto_insurance", delivery: acme.delivery())
///     …
///     #expect(acme.pings.allSatisfy { $0.signatureVerified })
/// }
/// ```
/// or run it as a `Service` (in a `ServiceGroup`, or ``run()`` in a task group), with
/// ``waitUntilRunning()`` for the port and ``stop()`` (or the group's graceful shutdown) to end it.
public final class SandboxBuyers: Service, Sendable {
    /// Where the server listens and how it treats requests.
    public struct Configuration: Sendable {
        /// The address to bind; keep it loopback.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// The longest a `hang` fault holds a request (stopping the sandbox ends it sooner).
        public var hangLimit: Duration
        /// The largest request body accepted.
        public var maxRequestBytes: Int
        /// How far a signature's timestamp may be from the sandbox's clock; `nil` skips the check.
        public var signatureToleranceSeconds: Int64?
        /// The server's log level.
        public var logLevel: Logger.Level

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 0, hangLimit: Duration = .seconds(30), maxRequestBytes: Int = 1 << 20,
            signatureToleranceSeconds: Int64? = BuyerSignature.defaultToleranceSeconds, logLevel: Logger.Level = .warning
        ) {
            self.host = host
            self.port = port
            self.hangLimit = hangLimit
            self.maxRequestBytes = maxRequestBytes
            self.signatureToleranceSeconds = signatureToleranceSeconds
            self.logLevel = logLevel
        }
    }

    /// Why the sandbox could not give a port.
    public enum Failure: Error, Sendable, Hashable {
        /// The server stopped (or failed to start) before it was running.
        case stopped
    }

    /// The configuration.
    public let configuration: Configuration
    let registry = SandboxRegistry()
    let foreign = ForeignRegistry()

    /// Creates a sandbox with no buyers; it listens once ``run()`` runs.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    // MARK: Buyers

    /// Adds a buyer (or replaces the behavior of an existing one) and returns its handle. Names
    /// are letters, digits, `.`, `_` and `-`.
    @discardableResult
    public func add(_ name: String, _ behavior: SandboxBuyer.Behavior = .noBid) -> SandboxBuyer {
        precondition(Self.isValidName(name), "sandbox buyer names are letters, digits, '.', '_' and '-': \(name)")
        registry.set(name, behavior)
        return SandboxBuyer(name: name, buyers: self)
    }

    /// The handle of a buyer, or `nil` when there is none of that name.
    public func buyer(_ name: String) -> SandboxBuyer? {
        registry.behavior(name) == nil ? nil : SandboxBuyer(name: name, buyers: self)
    }

    /// Removes a buyer; its paths answer 404 from now on. Its records stay.
    public func remove(_ name: String) {
        registry.remove(name)
    }

    /// The names of all buyers, sorted.
    public var names: [String] { registry.names }

    /// Every call received by any buyer, oldest first.
    public var received: [SandboxBuyer.Received] { registry.received }

    /// Forgets every call received so far.
    public func clearReceived() {
        registry.clearReceived()
    }

    // MARK: Addresses

    /// The bound port while running, else `nil`.
    public var port: Int? { registry.port }

    /// `http://<host>:<port>`; the sandbox must be running.
    public var baseURL: String {
        guard let port else { preconditionFailure("SandboxBuyers is not running; await waitUntilRunning() first") }
        return "http://\(configuration.host):\(port)"
    }

    /// A buyer's ping URL; the sandbox must be running.
    public func pingURL(_ name: String) -> String { "\(baseURL)/buyers/\(name)/ping" }

    /// A buyer's post URL; the sandbox must be running.
    public func postURL(_ name: String) -> String { "\(baseURL)/buyers/\(name)/post" }

    // MARK: Running

    /// Runs the server until ``stop()``, a graceful shutdown of the service group it runs in, or
    /// cancellation (which ends it at once: prefer the first two). Each call starts a fresh
    /// server, on a new port when the configured one is 0; run one at a time.
    public func run() async throws {
        let registry = registry
        let app = Application(
            router: SandboxRoutes(registry: registry, foreign: foreign, configuration: configuration).router(),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in registry.started(port: channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        registry.starting(group)
        defer { registry.stopped() }
        do {
            try await withGracefulShutdownHandler {
                try await group.run()
            } onGracefulShutdown: {
                _ = registry.beginStopping()
            }
        } catch  where Task.isCancelled {
            return
        }
    }

    /// Stops a running server gracefully: held and delayed answers are sent at once, open
    /// connections are closed, and ``run()`` returns. No effect when it is not running.
    public func stop() async {
        await registry.beginStopping()?.triggerGracefulShutdown()
    }

    /// Waits until ``run()`` is listening and returns the port; throws ``Failure/stopped`` if it
    /// stopped first.
    @discardableResult
    public func waitUntilRunning() async throws -> Int {
        try await registry.waitForPort()
    }

    private var logger: Logger {
        var logger = Logger(label: "gavel.sandbox-buyers")
        logger.logLevel = configuration.logLevel
        return logger
    }

    private static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100 && name.utf8.allSatisfy(isNameByte)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }
}

/// Runs a sandbox for the duration of `body`: starts the server in a child task, waits until it
/// listens, calls `body`, then stops the server gracefully and waits for it to end, whether
/// `body` returns or throws.
public func withSandboxBuyers<Result>(
    configuration: SandboxBuyers.Configuration = SandboxBuyers.Configuration(), isolation: isolated (any Actor)? = #isolation,
    _ body: (SandboxBuyers) async throws -> Result
) async throws -> Result {
    let buyers = SandboxBuyers(configuration: configuration)
    return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
        group.addTask { try await buyers.run() }
        do {
            try await buyers.waitUntilRunning()
        } catch {
            try await group.waitForAll()  // rethrows why the server did not start (e.g. port in use)
            throw error
        }
        do {
            let result = try await body(buyers)
            await buyers.stop()
            try? await group.waitForAll()
            return result
        } catch {
            await buyers.stop()
            try? await group.waitForAll()
            throw error
        }
    }
}
