import ArgumentParser
import Foundation
import GavelBuyers
import GavelCore
import GavelServer
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Hummingbird
import Logging
import ServiceLifecycle

/// `gavel serve`: runs the exchange until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the exchange's HTTP server.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let configuration = try options.resolved()
        let logger = Runtime.logger()
        try await Runtime.withExchange(configuration, logger: logger) { app, gateway in
            try await Runtime.serve(app, gateway: gateway, configuration: configuration, logger: logger)
        }
    }
}

/// `gavel migrate`: brings the database's schema up to date and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema, then exit.")

    @Option(help: "sqlite:<path> or postgres://… (env GAVEL_DATABASE; default sqlite:gavel.sqlite).")
    var database: String?

    func run() async throws {
        let url = database ?? ProcessInfo.processInfo.environment["GAVEL_DATABASE"] ?? ServerConfiguration().database
        try await Runtime.withStore(url, logger: Runtime.logger()) { _ in }
        Runtime.say("Database \(Runtime.displayed(url)) is up to date.")
    }
}

/// Shared start-up pieces of the commands.
enum Runtime {
    /// Opens and migrates the database, starts the exchange as `gavel serve` runs it (metrics,
    /// circuit breakers, and the buyer gateway with the SSRF guard as configured), and runs
    /// `body` with it; the store stays open (a PostgreSQL node stays joined) until `body` ends.
    /// `tune` may adjust the gateway's configuration (the benchmark widens its pool), and
    /// `circuitBreakers: false` pings every buyer on every lead however it fails (the benchmark).
    static func withExchange<T>(
        _ configuration: ServerConfiguration, logger: Logger, tune: (inout HTTPBuyerGateway.Configuration) -> Void = { _ in },
        circuitBreakers: Bool = true, announce: @escaping @Sendable (String) -> Void = Runtime.say,
        _ body: (GavelApp<ContinuousClock>, HTTPBuyerGateway) async throws -> T
    ) async throws -> T {
        var gatewayConfiguration = HTTPBuyerGateway.Configuration(allowPrivateAddresses: configuration.allowPrivateBuyerURLs)
        tune(&gatewayConfiguration)
        return try await withStore(configuration.database, logger: logger) { store in
            let metrics = ServerMetrics()
            let breakers = CircuitBreakers { metrics.circuitTripped(campaignID: $0) }
            let gateway = HTTPBuyerGateway(configuration: gatewayConfiguration, observers: circuitBreakers ? [breakers] : [], logger: logger)
            let app = try await GavelApp.start(
                store: store, gateway: gateway, clock: ContinuousClock(), configuration: configuration, hasher: SHA256ContactHasher(),
                circuits: circuitBreakers ? breakers : ClosedCircuits(), metrics: metrics, announce: announce)
            return try await body(app, gateway)
        }
    }

    /// A logger on standard error, at `LOG_LEVEL` (default info).
    static func logger(label: String = "gavel") -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }

    /// Serves until a shutdown signal: the gate closes first (new leads get 503), admitted
    /// auctions finish, the server drains, then the buyer client shuts down.
    ///
    /// `extraServices` start before the server (and stop after it); `clients` start after the
    /// admission gate and stop first, while the server still answers (e.g. the demo's lead
    /// driver, which may also end the group by returning). `onListening` hears the bound address.
    static func serve<C: Clock>(
        _ app: GavelApp<C>, gateway: HTTPBuyerGateway, configuration: ServerConfiguration, logger: Logger,
        extraServices: [any Service] = [], clients: [ServiceGroupConfiguration.ServiceConfiguration] = [],
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) async throws where C.Duration == Duration {
        let http = app.application(configuration: configuration, logger: logger) { host, port in
            Runtime.say("Gavel is listening on http://\(host):\(port) (database \(Runtime.displayed(configuration.database)))")
            await onListening(host, port)
        }
        let housekeeping = Housekeeping(store: app.store, wallClock: app.wallClock, clock: ContinuousClock(), logger: logger)
        let services: [any Service] =
            [GatewayService(gateway: gateway), housekeeping] + storeServices(app, configuration: configuration, logger: logger) + extraServices
            + [http, AdmissionGateService(gate: app.gate)]
        let all = services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) } + clients
        let group = ServiceGroup(
            configuration: .init(services: all, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Keeps the buyer HTTP client alive while the server runs and shuts it down afterwards.
struct GatewayService: Service {
    let gateway: HTTPBuyerGateway

    func run() async throws {
        try? await gracefulShutdown()
        try await gateway.shutdown()
    }
}

extension Runtime {
    /// Prints a line to standard output unbuffered, so a supervising process sees it at once.
    @Sendable static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
