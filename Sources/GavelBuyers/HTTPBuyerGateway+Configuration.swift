import NIOCore

extension HTTPBuyerGateway {
    /// How the gateway talks to buyers. The defaults suit an auction fanning out to many buyers
    /// with deadlines of a few hundred milliseconds.
    public struct Configuration: Sendable {
        /// Idle keep-alive connections kept per buyer destination: one auction pings every
        /// campaign of a buyer at once, and each ping in flight holds a connection over HTTP/1.1
        /// (a burst opens more; those beyond this are closed once answered).
        public var connectionsPerHost: Int
        /// How long an idle keep-alive connection stays in the pool.
        public var idleTimeout: Duration
        /// The longest a connection may take to establish (the caller's deadline may be shorter).
        public var connectTimeout: Duration
        /// The largest answer body read; a longer one is a `too_large` answer.
        public var maxResponseBytes: Int
        /// The `User-Agent` header.
        public var userAgent: String
        /// Whether buyer URLs may reach loopback, private, link-local or metadata addresses
        /// (the SSRF guard at connect time; off in production, on for demos and tests).
        public var allowPrivateAddresses: Bool
        /// A PEM file of certificates trusted for `https` buyers besides the system's roots (a
        /// private certificate authority), or `nil`.
        public var extraTrustRoots: String?

        /// Creates a configuration.
        public init(
            connectionsPerHost: Int = 128, idleTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(2),
            maxResponseBytes: Int = 65_536, userAgent: String = "gavel/1", allowPrivateAddresses: Bool = false,
            extraTrustRoots: String? = nil
        ) {
            self.allowPrivateAddresses = allowPrivateAddresses
            self.connectionsPerHost = connectionsPerHost
            self.idleTimeout = idleTimeout
            self.connectTimeout = connectTimeout
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
            self.extraTrustRoots = extraTrustRoots
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
