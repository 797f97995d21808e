import GavelCore
import Logging
import ServiceLifecycle

/// Deletes, now and then, what the exchange no longer needs to answer for: idempotency keys
/// older than a day (a seller retrying later than that is sending a new lead), held pings
/// that expired more than a day ago (until then a late post still gets `410 Gone`; afterwards
/// `404`), and — with `pii_retention_days` set — the personal data of older leads (after the
/// keys, so no stored response outlives its lead's erasure). Every node may run it: each step
/// is idempotent, and PostgreSQL nodes skip leads another node is erasing.
public struct Housekeeping<C: Clock>: Service where C.Duration == Duration {
    /// How often and how far back it deletes.
    public struct Configuration: Sendable {
        /// The pause between passes.
        public var interval: Duration
        /// How long an idempotency key is remembered after its first use.
        public var idempotencyRetention: Duration
        /// How long an expired held ping is kept.
        public var expiredPingRetention: Duration

        /// Creates a configuration: a pass every 10 minutes, a day of keys and expired pings.
        public init(
            interval: Duration = .seconds(600), idempotencyRetention: Duration = .seconds(86_400),
            expiredPingRetention: Duration = .seconds(86_400)
        ) {
            self.interval = interval
            self.idempotencyRetention = idempotencyRetention
            self.expiredPingRetention = expiredPingRetention
        }
    }

    /// What one pass deleted.
    public struct Sweep: Sendable, Hashable {
        /// Held pings deleted.
        public var pings: Int
        /// Idempotency keys deleted.
        public var idempotencyKeys: Int
        /// Leads whose personal data the retention setting erased.
        public var erasedLeads: Int

        /// Creates a count.
        public init(pings: Int, idempotencyKeys: Int, erasedLeads: Int = 0) {
            self.pings = pings
            self.idempotencyKeys = idempotencyKeys
            self.erasedLeads = erasedLeads
        }
    }

    let store: any PingStore & IdempotencyStore
    let wallClock: any WallClock
    let clock: C
    let configuration: Configuration
    let privacy: PrivacyService?
    let logger: Logger

    /// Creates the service; with `privacy`, each pass also applies the retention setting.
    public init(
        store: any PingStore & IdempotencyStore, wallClock: any WallClock, clock: C, configuration: Configuration = Configuration(),
        privacy: PrivacyService? = nil, logger: Logger
    ) {
        self.store = store
        self.wallClock = wallClock
        self.clock = clock
        self.configuration = configuration
        self.privacy = privacy
        self.logger = logger
    }

    /// Sweeps at start and then every interval, until graceful shutdown.
    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await clock.sleep(for: configuration.interval)
            }
        }
    }

    /// One pass. A failure is logged and waits for the next pass.
    @discardableResult
    public func sweep() async -> Sweep {
        let now = wallClock.now()
        var result = Sweep(pings: 0, idempotencyKeys: 0)
        do {
            result.pings = try await store.purgeHeldPings(
                expiredBefore: now.adding(milliseconds: -configuration.expiredPingRetention.milliseconds))
            result.idempotencyKeys = try await store.purgeIdempotencyKeys(
                createdBefore: now.adding(milliseconds: -configuration.idempotencyRetention.milliseconds))
            result.erasedLeads = try await privacy?.applyRetention()?.leads ?? 0
        } catch {
            logger.warning("housekeeping failed; it runs again later", metadata: ["error": "\(error)"])
        }
        if result.pings + result.idempotencyKeys + result.erasedLeads > 0 {
            logger.info(
                "housekeeping",
                metadata: [
                    "held_pings": "\(result.pings)", "idempotency_keys": "\(result.idempotencyKeys)",
                    "erased_leads": "\(result.erasedLeads)",
                ])
        }
        return result
    }
}
