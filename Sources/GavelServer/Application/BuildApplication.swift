import GavelBuyers
import GavelCore
import GavelStoreSupport
import Logging
import ServiceLifecycle
import UnixSignals

/// What the commands change about how the exchange runs, beyond the server's configuration:
/// the demo adds its sandbox and lead driver, the benchmark widens the buyer pool and turns the
/// circuit breakers off.
public struct ExchangeOptions: Sendable {
    /// Adjusts the buyer gateway's configuration (the benchmark widens its pool).
    public var tuneGateway: @Sendable (inout HTTPBuyerGateway.Configuration) -> Void
    /// Whether campaigns get circuit breakers (off: every buyer is pinged on every lead however
    /// it fails, as the benchmark wants).
    public var circuitBreakers: Bool
    /// Whether expired held pings and idempotency keys are purged periodically.
    public var housekeeping: Bool
    /// Where one-time notices go (the generated admin key, reconciled leads, the address).
    public var announce: @Sendable (String) -> Void
    /// Services that start before the HTTP server and stop after it (the demo's sandbox buyers).
    public var extraServices: [any Service]
    /// Services that start after the admission gate and stop first, while the server still
    /// answers (the demo's lead driver, the benchmark's load); one may end the group.
    public var clients: [ServiceGroupConfiguration.ServiceConfiguration]
    /// Hears the address the server bound.
    public var onListening: @Sendable (String, Int) async -> Void
    /// The signals that stop the exchange gracefully.
    public var signals: [UnixSignal]

    /// The options of `gavel serve`.
    public init(
        tuneGateway: @escaping @Sendable (inout HTTPBuyerGateway.Configuration) -> Void = { _ in }, circuitBreakers: Bool = true,
        housekeeping: Bool = true, announce: @escaping @Sendable (String) -> Void = { print($0) }, extraServices: [any Service] = [],
        clients: [ServiceGroupConfiguration.ServiceConfiguration] = [],
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }, signals: [UnixSignal] = [.sigterm, .sigint]
    ) {
        self.tuneGateway = tuneGateway
        self.circuitBreakers = circuitBreakers
        self.housekeeping = housekeeping
        self.announce = announce
        self.extraServices = extraServices
        self.clients = clients
        self.onListening = onListening
        self.signals = signals
    }
}

/// The composition root: the exchange as `gavel serve`, `gavel demo` and `gavel bench` run it.
/// Nothing is opened until ``GavelApplication/run()``.
public func buildApplication(
    _ configuration: ServerConfiguration, logger: Logger, options: ExchangeOptions = ExchangeOptions()
)
    -> GavelApplication
{
    GavelApplication(configuration: configuration, logger: logger, options: options)
}

/// The whole exchange as one service: running it opens and migrates the database, wires the
/// exchange (store, buyer gateway, circuit breakers, metrics, configuration, keys), and runs
/// every service in one group until a shutdown signal (or a client ends it):
///
/// 1. the store's own service (a PostgreSQL node's pool, heartbeat and `LISTEN`), around all;
/// 2. the buyer gateway (its HTTP client shuts down last) and the repair of leads a store
///    failure cut short (its last pass runs once the HTTP server has stopped);
/// 3. housekeeping, the chain sealer, the webhook sender, and the configuration feed of a shared database;
/// 4. the extra services, then the HTTP server;
/// 5. the admission gate, which closes first on shutdown (new leads get 503, admitted auctions
///    finish), then the clients.
public struct GavelApplication: Service {
    /// The server's configuration.
    public let configuration: ServerConfiguration
    /// The logger.
    public let logger: Logger
    /// What the command changed.
    public let options: ExchangeOptions

    /// How long a graceful shutdown may take before the services are cancelled: in-flight
    /// auctions end within their deadlines, so only something stuck (a database that never
    /// answers) takes longer, and must not keep the process alive past an orchestrator's usual
    /// 30 s grace period.
    static let gracefulShutdownLimit = Duration.seconds(25)

    /// Runs the exchange until it stops gracefully.
    public func run() async throws {
        try await StoreOpening.withStore(configuration.database, logger: logger) { opened in
            let (app, gateway) = try await start(opened.store)
            var group = ServiceGroupConfiguration(
                services: services(app, gateway: gateway, opened: opened), gracefulShutdownSignals: options.signals, logger: logger)
            group.maximumGracefulShutdownDuration = Self.gracefulShutdownLimit
            try await ServiceGroup(configuration: group).run()
        }
    }

    /// The exchange wired on an opened store, with its buyer gateway.
    func start(_ store: any Storage) async throws -> (GavelApp<EventLoopClock>, HTTPBuyerGateway) {
        var gatewayConfiguration = HTTPBuyerGateway.Configuration(
            allowPrivateAddresses: configuration.allowPrivateBuyerURLs, extraTrustRoots: configuration.trustRoots)
        options.tuneGateway(&gatewayConfiguration)
        let metrics = ServerMetrics()
        let webhooks = WebhookHub(retry: configuration.webhookRetry)
        let breakerConfiguration = CircuitBreakers.Configuration()
        let breakers = CircuitBreakers(configuration: breakerConfiguration) { campaignID in
            metrics.circuitTripped(campaignID: campaignID)
            webhooks.circuitOpened(
                campaignID: campaignID, until: SystemWallClock().now().adding(milliseconds: breakerConfiguration.coolDownMS))
        }
        let gateway = HTTPBuyerGateway(
            configuration: gatewayConfiguration, observers: options.circuitBreakers ? [breakers] : [], logger: logger)
        let app = try await GavelApp.start(
            store: store, gateway: gateway, clock: EventLoopClock(), configuration: configuration,
            circuits: options.circuitBreakers ? breakers : ClosedCircuits(), metrics: metrics, webhooks: webhooks,
            announce: options.announce)
        return (app, gateway)
    }

    /// The webhook sender of this node, on its own HTTP client.
    func webhookService(_ app: GavelApp<EventLoopClock>) -> WebhookService<ContinuousClock> {
        var webhookLogger = logger
        webhookLogger[metadataKey: "component"] = "webhooks"
        let poster = HTTPWebhookPoster(
            allowPrivateAddresses: configuration.allowPrivateBuyerURLs, extraTrustRoots: configuration.trustRoots)
        let settings = WebhookService<ContinuousClock>.Configuration.derived(from: configuration.webhookRetry)
        let dispatcher = WebhookDispatcher(
            store: app.store, poster: poster, hub: app.webhooks, wallClock: app.wallClock, clock: ContinuousClock(),
            configuration: settings.dispatcher)
        return WebhookService(
            dispatcher: dispatcher, store: app.store, market: app.market, configuration: settings, logger: webhookLogger,
            shutdown: { try await poster.shutdown() })
    }

    /// The repair of leads a store failure cut short (it stops after the HTTP server).
    func leadRepair(_ app: GavelApp<EventLoopClock>) -> LeadRepairService<ContinuousClock> {
        LeadRepairService(
            interrupted: app.exchange.interrupted, keys: app.unfinishedKeys, store: app.store, wallClock: app.wallClock,
            clock: ContinuousClock(), logger: logger)
    }

    /// Every service, in start order (graceful shutdown runs in reverse).
    func services(
        _ app: GavelApp<EventLoopClock>, gateway: HTTPBuyerGateway, opened: OpenedStore
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let (configuration, options, logger) = (configuration, options, logger)
        let http = app.application(configuration: configuration, logger: logger) { host, port in
            options.announce("Gavel is listening on http://\(host):\(port) (database \(StoreOpening.displayed(configuration.database)))")
            await options.onListening(host, port)
        }
        var services: [any Service] = [GatewayService(gateway: gateway), leadRepair(app)]
        if options.housekeeping {
            services.append(
                Housekeeping(store: app.store, wallClock: app.wallClock, clock: ContinuousClock(), privacy: app.privacy, logger: logger))
        }
        if app.store.chainSealing == .background {
            let sealing = ChainSealer<ContinuousClock>.Configuration(interval: configuration.sealInterval)
            services.append(ChainSealer(store: app.store, clock: ContinuousClock(), configuration: sealing, logger: logger))
        }
        services.append(webhookService(app))
        if let changes = opened.configChanges {
            services.append(ConfigFeedService(changes: changes, app: app, adminToken: configuration.adminToken, logger: logger))
        }
        services += options.extraServices + [http, AdmissionGateService(gate: app.gate)]
        return services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) } + options.clients
    }
}
