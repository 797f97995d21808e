import Foundation
import GavelBuyers
import GavelCore
import GavelStoreSupport
import Hummingbird
import Logging
import ServiceLifecycle

/// Everything a running exchange is made of, wired together.
public struct GavelApp<C: Clock>: Sendable where C.Duration == Duration {
    /// The store.
    public let store: any Storage
    /// The configuration in memory.
    public let market: MarketCache
    /// The accepted API keys.
    public let keys: KeyRing
    /// Configuration changes.
    public let config: ConfigService
    /// The exchange.
    public let exchange: Exchange<C>
    /// Metrics.
    public let metrics: ServerMetrics
    /// The admission gate closed at shutdown.
    public let gate: AdmissionGate
    /// The wall clock.
    public let wallClock: any WallClock
    /// The campaigns' circuit breakers.
    public let circuits: any CircuitBoard
    /// Per-key rate limits.
    public let limiter: RateLimiter
    /// The buyer calls, for the test console.
    public let gateway: any BuyerGateway
    /// Learned floors and quality ranking.
    public let intelligence: MarketIntelligence
    /// The webhooks in memory.
    public let webhooks: WebhookHub
    /// Webhook registration and deliveries.
    public let webhookRegistry: WebhookRegistry
    /// Idempotency keys whose last write waits for the database.
    public let unfinishedKeys = UnfinishedKeys()
    /// The contact keys: keyed with the database's secret.
    public let hasher: any ContactHasher
    /// Erasure of personal data.
    public let privacy: PrivacyService

    /// Starts the exchange on an opened, migrated store: loads configuration (seeding the
    /// built-in verticals into an empty database), loads keys and sets up the bootstrap admin
    /// token, loads the webhooks into `webhooks` (a new hub by default) and ends the leases a
    /// crash left on the outbox, keys contacts with the database's secret, and returns the
    /// wired app. `announce` receives the one-time generated admin key.
    public static func start(
        store: any Storage, gateway: any BuyerGateway, clock: C, wallClock: any WallClock = SystemWallClock(),
        configuration: ServerConfiguration, circuits: any CircuitBoard = ClosedCircuits(),
        metrics: ServerMetrics = ServerMetrics(), webhooks: WebhookHub? = nil, announce: @Sendable (String) -> Void = { print($0) }
    ) async throws -> GavelApp {
        let reconciled = try await store.reconcile(now: wallClock.now())
        if reconciled.review + reconciled.unsold > 0 {
            announce(
                "Reconciled leads interrupted by a crash: \(reconciled.review) marked for review (a post had been sent), \(reconciled.unsold) unsold."
            )
        }
        let config = try await seeded(store)
        let market = MarketCache(config)
        let keys = KeyRing()
        try await bootstrapKeys(store: store, keys: keys, token: configuration.adminToken, clock: wallClock, announce: announce)
        let urlGuard = AddressGuard(allowPrivate: configuration.allowPrivateBuyerURLs)
        let webhooks = webhooks ?? WebhookHub(retry: configuration.webhookRetry)
        webhooks.replace(try await store.webhooks())
        try await store.reclaimWebhookLeases(now: wallClock.now())
        let registry = WebhookRegistry(store: store, hub: webhooks, urlGuard: urlGuard, clock: wallClock)
        let service = ConfigService(store: store, market: market, keys: keys, urlGuard: urlGuard, webhooks: registry)
        let intelligence = MarketIntelligence()
        intelligence.seedQuality(try await qualityHistory(store, now: wallClock.now()))
        let hasher = KeyedContactHasher(secret: try await store.contactKeySecret())
        let exchange = Exchange(
            Exchange.Dependencies(
                store: store, gateway: gateway, market: market, wallClock: wallClock, clock: clock, hasher: hasher,
                observer: metrics, circuits: circuits, intelligence: intelligence, webhooks: webhooks))
        return GavelApp(
            store: store, market: market, keys: keys, config: service, exchange: exchange, metrics: metrics, gate: AdmissionGate(),
            wallClock: wallClock, circuits: circuits, limiter: RateLimiter(configuration.rateLimit), gateway: gateway,
            intelligence: intelligence, webhooks: webhooks, webhookRegistry: registry, hasher: hasher,
            privacy: PrivacyService(store: store, market: market, hasher: hasher, clock: wallClock))
    }

    /// Each campaign's posts and returns over the last 30 days, from the reports, so quality
    /// ranking starts from what the campaigns did before a restart.
    private static func qualityHistory(_ store: any ReportStore, now: Timestamp) async throws -> [String: QualityCounts] {
        let rows = try await store.report(ReportQuery(groupBy: .campaign, from: now.minus(days: 30), to: now))
        return Dictionary(
            uniqueKeysWithValues: rows.map { row in
                (
                    row.key,
                    QualityCounts(posts: row.accepted + row.rejected, accepted: row.accepted, sales: row.sold, returned: row.returned)
                )
            })
    }

    private static func seeded(_ store: any Storage) async throws -> MarketConfig {
        var config = try await store.loadConfig()
        let fresh = config.verticals.isEmpty && config.sellers.isEmpty && config.buyers.isEmpty && config.campaigns.isEmpty
        guard fresh else { return config }
        for vertical in BuiltInVerticals.all {
            try await store.create(.vertical(vertical))
            config.verticals[vertical.id] = vertical
        }
        return config
    }

    private static func bootstrapKeys(
        store: any Storage, keys: KeyRing, token: String?, clock: any WallClock, announce: @Sendable (String) -> Void
    ) async throws {
        let records = try await store.apiKeys()
        keys.load(records)
        if let token, !token.isEmpty {
            keys.add(hash: KeyRing.hash(token), identity: Identity(keyID: "bootstrap", role: .admin, subjectID: nil))
            return
        }
        guard !records.contains(where: { $0.role == .admin }) else { return }
        let key = KeyRing.newKey()
        let record = APIKeyRecord(
            id: IDGenerator().make("K"), role: .admin, subjectID: nil, hash: KeyRing.hash(key), prefix: String(key.prefix(10)),
            label: "bootstrap", createdAt: clock.now())
        try await store.createAPIKey(record)
        keys.add(hash: record.hash, identity: Identity(keyID: record.id, role: .admin, subjectID: nil))
        announce("Generated the bootstrap admin key (shown once; keep it safe): \(key)")
    }

    /// The router with every route and middleware, and the table of its routes.
    public func router() -> (Router<GavelRequestContext>, Routes) {
        let hummingbird = Router(context: GavelRequestContext.self)
        hummingbird.add(middleware: MetricsMiddleware(metrics: metrics))
        let router = Routes(router: hummingbird)
        hummingbird.add(middleware: ProblemMiddleware())
        hummingbird.add(middleware: MethodNotAllowedMiddleware(routes: router))
        hummingbird.add(middleware: AuthMiddleware(keys: keys))
        hummingbird.add(middleware: RateLimitMiddleware(limiter: limiter))
        OpsRoutes(store: store, metrics: metrics, circuits: circuits).register(on: router)
        OperatorRoutes(config: config, market: market).register(on: router)
        KeyRoutes(store: store, keys: keys, market: market, clock: wallClock).register(on: router)
        let idempotency = IdempotencyGate(store: store, clock: wallClock, unfinished: unfinishedKeys)
        SellerRoutes(exchange: exchange, store: store, gate: gate, idempotency: idempotency).register(on: router)
        SpecRoutes(market: market, rateLimit: limiter.configuration.rate).register(on: router)
        BuyerRoutes(store: store, hasher: hasher).register(on: router)
        PrivacyRoutes(privacy: privacy).register(on: router)
        IntegrationRoutes(market: market, console: TestConsole(gateway: gateway)).register(on: router)
        MoneyRoutes(store: store, market: market, clock: wallClock, intelligence: intelligence, webhooks: webhooks).register(on: router)
        WebhookRoutes(registry: webhookRegistry).register(on: router)
        AuditRoutes(store: store).register(on: router)
        ReportRoutes(store: store, clock: wallClock).register(on: router)
        InsightRoutes(store: store, market: market, clock: wallClock).register(on: router)
        DashboardRoutes(
            store: store, market: market, keys: keys, config: config, circuits: circuits, clock: wallClock,
            console: TestConsole(gateway: gateway), rateLimit: limiter.configuration.rate, webhooks: webhookRegistry,
            privacy: privacy
        ).register(on: router)
        return (hummingbird, router)
    }

    /// A Hummingbird application serving the exchange.
    public func application(
        configuration: ServerConfiguration, logger: Logger, onRunning: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router().0,
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "gavel"),
            onServerRunning: { channel in
                await onRunning(configuration.host, channel.localAddress?.port ?? configuration.port)
            },
            logger: logger)
    }
}
