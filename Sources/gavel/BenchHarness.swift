import AsyncHTTPClient
import GavelBuyers
import GavelCore
import GavelServer
import GavelSim
import GavelStorePostgres
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// An exchange and a sandbox of buyers running in this process on a fresh temporary database, reached over loopback HTTP like any client would.
struct BenchExchange: Sendable {
    /// The admin token of benchmark exchanges.
    static let adminToken = "gavel-bench-admin-token"

    let api: APIClient
    let sandbox: SandboxBuyers

    var installer: MarketInstaller { MarketInstaller(api: api, adminKey: Self.adminToken) }

    /// Runs `body` against a new exchange on a fresh database, then shuts it down gracefully:
    /// a temporary SQLite file, or a new database on the PostgreSQL server `database` names.
    static func run<T: Sendable>(
        client: HTTPClient, database: String, logger: Logger, _ body: @escaping @Sendable (BenchExchange) async throws -> T
    ) async throws -> T {
        guard database.hasPrefix("postgres") else { return try await run(client: client, on: database, logger: logger, body) }
        return try await PostgresTemporaryDatabase.with(serverURL: database) { url in
            try await run(client: client, on: url, logger: logger, body)
        }
    }

    private static func run<T: Sendable>(
        client: HTTPClient, on database: String, logger: Logger, _ body: @escaping @Sendable (BenchExchange) async throws -> T
    ) async throws -> T {
        // No per-key rate limit: one seller key drives the whole load.
        let configuration = ServerConfiguration(
            port: 0, database: database, adminToken: adminToken, allowPrivateBuyerURLs: true,
            rateLimit: RateLimiter.Configuration(rate: 0))
        let sandbox = SandboxBuyers(configuration: SandboxBuyers.Configuration(hangLimit: .seconds(1)))
        let address = OneShot<String>()
        let outcome = OneShot<Result<T, any Error>>()
        let load = BenchLoadService {
            do {
                let exchange = BenchExchange(api: APIClient(client: client, baseURL: try await address.wait()), sandbox: sandbox)
                try await sandbox.waitUntilRunning()
                outcome.set(.success(try await body(exchange)))
            } catch {
                outcome.set(.failure(error))
            }
        }
        // One sandbox host stands for many buyer hosts: give it the connections they would have.
        // No circuit breakers: every buyer is pinged on every lead, dead or not.
        let options = ExchangeOptions(
            tuneGateway: { $0.connectionsPerHost = 4_096 }, circuitBreakers: false, housekeeping: false, announce: { _ in },
            extraServices: [sandbox], clients: [.init(service: load, successTerminationBehavior: .gracefullyShutdownGroup)],
            onListening: { _, port in address.set("http://127.0.0.1:\(port)") }, signals: [])
        try await buildApplication(configuration, logger: logger, options: options).run()
        return try await outcome.wait().get()
    }

    /// `GET /healthz`.
    func healthRequest() -> HTTPClientRequest {
        HTTPClientRequest(url: api.baseURL + "/healthz")
    }

    /// `POST /v1/leads` of a lead with a seller key.
    func leadRequest(_ lead: SimLead, key: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: api.baseURL + "/v1/leads")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(lead.body)))
        return request
    }

    /// Installs a market for the auction and returns a key of its first seller.
    func install(_ market: SimMarket, pricing: SimMarket.Pricing = .auction, endpoints: [String: SimEndpoint] = [:]) async throws -> String
    {
        try await installer.install(market, pricing: pricing, endpoints: endpoints)
        return try await installer.key(role: "seller", subject: market.sellers[0].id, label: "bench")
    }

    /// Adds a sandbox buyer for each remote campaign with a behavior (its secret set to the
    /// campaign's) and returns their endpoints.
    func addBuyers(_ market: SimMarket, behavior: (SimCampaign) -> SandboxBuyer.Behavior) -> [String: SimEndpoint] {
        var endpoints: [String: SimEndpoint] = [:]
        for campaign in market.campaigns where campaign.mode == .remote {
            var chosen = behavior(campaign)
            chosen.secret = SimMarket.secret(for: campaign)
            let buyer = sandbox.add(campaign.id, chosen)
            endpoints[campaign.id] = SimEndpoint(pingURL: buyer.pingURL, postURL: buyer.postURL, secret: chosen.secret)
        }
        return endpoints
    }
}

/// The benchmark's load as a client service of the exchange: it runs once and, by ending,
/// shuts the exchange down.
struct BenchLoadService: Service {
    let work: @Sendable () async -> Void

    func run() async {
        await work()
    }
}
