import GavelCore

/// How the server runs: the contract's flags and environment variables, resolved.
public struct ServerConfiguration: Sendable {
    /// The address to bind.
    public var host: String
    /// The port to bind (0 picks a free one).
    public var port: Int
    /// `sqlite:<path>` or `postgres://…`.
    public var database: String
    /// The bootstrap admin token, if given.
    public var adminToken: String?
    /// Whether buyer URLs may resolve to private addresses (demos, tests on one machine).
    public var allowPrivateBuyerURLs: Bool
    /// Requests per second per API key.
    public var rateLimit: RateLimiter.Configuration
    /// How often a node seals the books' chain, on a store that seals in the background.
    public var sealInterval: Duration
    /// How webhook deliveries are retried (24 hours of exponential backoff by default).
    public var webhookRetry: WebhookRetryPolicy
    /// A PEM file of certificate authorities that `https` buyer and webhook URLs may be
    /// signed by besides the system's roots (a private CA), or `nil`.
    public var trustRoots: String?

    /// Creates a configuration with the contract's defaults.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: String = "sqlite:gavel.sqlite", adminToken: String? = nil,
        allowPrivateBuyerURLs: Bool = false, rateLimit: RateLimiter.Configuration = RateLimiter.Configuration(),
        sealInterval: Duration = .seconds(1), webhookRetry: WebhookRetryPolicy = WebhookRetryPolicy(), trustRoots: String? = nil
    ) {
        self.trustRoots = trustRoots
        self.rateLimit = rateLimit
        self.sealInterval = sealInterval
        self.webhookRetry = webhookRetry
        self.host = host
        self.port = port
        self.database = database
        self.adminToken = adminToken
        self.allowPrivateBuyerURLs = allowPrivateBuyerURLs
    }
}
