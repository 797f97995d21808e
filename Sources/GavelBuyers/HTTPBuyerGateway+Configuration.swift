import AsyncHTTPClient
import Logging
import NIOCore

extension HTTPBuyerGateway {
    /// How the gateway talks to buyers. The defaults suit an auction fanning out to many buyers
    /// with deadlines of a few hundred milliseconds.
    public struct Configuration: Sendable {
        /// Connections kept per buyer host (AsyncHTTPClient's soft limit, default there 8): one
        /// auction pings every campaign of a buyer at once, and each ping in flight holds a
        /// connection over HTTP/1.1.
        public var connectionsPerHost: Int
        /// How long an idle keep-alive connection stays in the pool.
        public var idleTimeout: Duration
        /// The longest a connection may take to establish (the caller's deadline may be shorter).
        public var connectTimeout: Duration
        /// The largest answer body read; a longer one is a `too_large` answer.
        public var maxResponseBytes: Int
        /// Whether a failed connection is retried with backoff until the deadline. Off, a buyer
        /// that refuses connections answers `connect_error` at once instead of timing out.
        public var retryConnectionEstablishment: Bool
        /// The `User-Agent` header.
        public var userAgent: String
        /// Whether buyer URLs may reach loopback, private, link-local or metadata addresses
        /// (the SSRF guard at connect time; off in production, on for demos and tests).
        public var allowPrivateAddresses: Bool

        /// Creates a configuration.
        public init(
            connectionsPerHost: Int = 128, idleTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(2),
            maxResponseBytes: Int = 65_536, retryConnectionEstablishment: Bool = false, userAgent: String = "gavel/1",
            allowPrivateAddresses: Bool = false
        ) {
            self.allowPrivateAddresses = allowPrivateAddresses
            self.connectionsPerHost = connectionsPerHost
            self.idleTimeout = idleTimeout
            self.connectTimeout = connectTimeout
            self.maxResponseBytes = maxResponseBytes
            self.retryConnectionEstablishment = retryConnectionEstablishment
            self.userAgent = userAgent
        }

        /// The AsyncHTTPClient configuration: a large keep-alive pool, redirects never followed
        /// (a 3xx is an answer, never a second request to a place the campaign did not name),
        /// no automatic decompression (the body limit applies to bytes on the wire, and no
        /// zip bomb gets inflated), a connect timeout, and no read timeout (the exchange bounds each call, see `Deadline`).
        public var httpClientConfiguration: HTTPClient.Configuration {
            var pool = HTTPClient.Configuration.ConnectionPool(
                idleTimeout: TimeAmount(idleTimeout), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connectionsPerHost))
            pool.retryConnectionEstablishment = retryConnectionEstablishment
            return HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: HTTPClient.Configuration.Timeout(connect: TimeAmount(connectTimeout), read: nil),
                connectionPool: pool,
                decompression: .disabled)
        }
    }
}

extension TimeAmount {
    /// The same span as a Swift `Duration`, to the nanosecond (clamped to about 285 years).
    init(_ duration: Duration) {
        let parts = duration.components
        let seconds = min(max(parts.seconds, -9_000_000_000), 9_000_000_000)
        self = .nanoseconds(Duration(secondsComponent: seconds, attosecondsComponent: parts.attoseconds).nanoseconds)
    }
}
