import GavelCore
import Logging
import ServiceLifecycle

/// Repairs, once the database answers again, the leads a store failure cut short while the
/// server kept running (``InterruptedLeads``): their cap holds are released and they are marked
/// `review` (a post had been sent) or `unsold`, with reason `interrupted`, as the start-up
/// reconciliation does after a crash. It also writes the idempotency keys' last writes the
/// failure stopped (``UnfinishedKeys``). It looks every ``Configuration/interval`` and once more
/// after graceful shutdown, when no lead is in flight any more; what is still waiting then is
/// left to the next start's reconciliation (and the keys to the daily housekeeping).
public struct LeadRepairService<C: Clock>: Service where C.Duration == Duration {
    /// How often it looks.
    public struct Configuration: Sendable {
        /// The pause between passes.
        public var interval: Duration

        /// Creates a configuration: a pass every second.
        public init(interval: Duration = .seconds(1)) {
            self.interval = interval
        }
    }

    let interrupted: InterruptedLeads
    let keys: UnfinishedKeys
    let store: any LeadStore & CapStore & IdempotencyStore
    let wallClock: any WallClock
    let clock: C
    let configuration: Configuration
    let logger: Logger

    /// Creates the service.
    public init(
        interrupted: InterruptedLeads, keys: UnfinishedKeys = UnfinishedKeys(), store: any LeadStore & CapStore & IdempotencyStore,
        wallClock: any WallClock, clock: C, configuration: Configuration = Configuration(), logger: Logger
    ) {
        self.interrupted = interrupted
        self.keys = keys
        self.store = store
        self.wallClock = wallClock
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    /// Passes every interval until graceful shutdown, then a last one.
    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pass()
                try? await clock.sleep(for: configuration.interval)
            }
        }
        let last = await pass()
        if interrupted.count > 0 {
            logger.warning(
                "leads interrupted by a database failure are left for the next start's reconciliation",
                metadata: ["leads": "\(interrupted.count)", "error": "\(last.failure ?? "none")"])
        }
    }

    /// One pass, when anything waits; logs what it did.
    @discardableResult
    public func pass() async -> InterruptedLeads.Repair {
        await finishKeys()
        guard interrupted.count > 0 else { return InterruptedLeads.Repair() }
        let repair = await interrupted.repair(store, now: wallClock.now())
        if repair.review + repair.unsold + repair.untouched > 0 {
            logger.notice(
                "repaired leads interrupted by a database failure",
                metadata: [
                    "review": "\(repair.review)", "unsold": "\(repair.unsold)", "already_finished": "\(repair.untouched)",
                    "holds_released": "\(repair.holds)", "still_waiting": "\(repair.waiting)",
                ])
        }
        return repair
    }

    /// Writes the idempotency keys' last writes, when any wait.
    private func finishKeys() async {
        guard keys.count > 0 else { return }
        let written = await keys.finish(store)
        if written > 0 {
            logger.notice("wrote idempotency keys a database failure had left unfinished", metadata: ["keys": "\(written)"])
        }
    }
}
