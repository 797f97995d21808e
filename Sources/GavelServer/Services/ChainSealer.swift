import GavelCore
import Logging
import ServiceLifecycle

/// Seals the books' hash chain in the background, for a store that seals that way (PostgreSQL,
/// see `ChainStore`): every interval it links what the exchange wrote since (the store lets
/// one node at a time do it, so every node may run this), and once more at graceful shutdown —
/// it stops after the HTTP server, so the last sales of a stopping node are sealed by it.
public struct ChainSealer<C: Clock>: Service where C.Duration == Duration {
    /// How often it seals.
    public struct Configuration: Sendable {
        /// The pause between sealing rounds.
        public var interval: Duration

        /// Creates a configuration: a round every second.
        public init(interval: Duration = .seconds(1)) {
            self.interval = interval
        }
    }

    let store: any ChainStore
    let clock: C
    let configuration: Configuration
    let logger: Logger

    /// Creates the service.
    public init(store: any ChainStore, clock: C, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    /// Seals every interval until graceful shutdown, then once more.
    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await seal()
                try? await clock.sleep(for: configuration.interval)
            }
        }
        await seal()
    }

    /// One round; returns how many records it linked. A failure is logged and waits for the
    /// next round (the records stay unsealed until then).
    @discardableResult
    public func seal() async -> Int {
        do {
            let sealed = try await store.sealChain()
            if sealed > 0 { logger.debug("sealed records into the chain", metadata: ["records": "\(sealed)"]) }
            return sealed
        } catch {
            logger.warning("sealing the chain failed; the next round tries again", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
