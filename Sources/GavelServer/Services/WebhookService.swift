import GavelBuyers
import GavelCore
import Logging
import ServiceLifecycle

/// Sends webhook deliveries and writes the events no other write carries, until graceful
/// shutdown:
///
/// - the outbox sender (``WebhookDispatcher``) on its own HTTP client;
/// - `campaign.paused` for each circuit breaker that opens on this node (its own write);
/// - `balance.low`: every few seconds, each buyer with a balance limit that someone subscribes
///   for is checked; a balance that rose to the threshold writes the event once (a once key
///   per buyer, kept until the balance falls back under it, so several nodes and restarts
///   send one event per crossing);
/// - every hour, deliveries finished more than ``Configuration/retention`` ago are deleted.
///
/// Every node runs one; they share the outbox through the store's leases.
public struct WebhookService<C: Clock>: Service where C.Duration == Duration {
    /// How often it looks at balances and how long finished deliveries are kept.
    public struct Configuration: Sendable {
        /// The sender's settings.
        public var dispatcher: WebhookDispatcher<C>.Configuration
        /// The pause between balance checks.
        public var balanceInterval: Duration
        /// The pause between purges of old deliveries.
        public var purgeInterval: Duration
        /// How long delivered and failed deliveries are kept.
        public var retention: Duration

        /// Creates a configuration.
        public init(
            dispatcher: WebhookDispatcher<C>.Configuration = .init(), balanceInterval: Duration = .seconds(5),
            purgeInterval: Duration = .seconds(3_600), retention: Duration = .seconds(30 * 86_400)
        ) {
            self.dispatcher = dispatcher
            self.balanceInterval = balanceInterval
            self.purgeInterval = purgeInterval
            self.retention = retention
        }

        /// The settings for a retry policy: the sender looks for due deliveries at least twice
        /// per first delay (between 50 ms and a second), balances are checked ten times as
        /// seldom (between one and five seconds).
        public static func derived(from retry: WebhookRetryPolicy) -> Configuration {
            let poll = min(max(retry.firstDelay / 2, .milliseconds(50)), .seconds(1))
            return Configuration(
                dispatcher: .init(pollInterval: poll), balanceInterval: min(max(poll * 10, .seconds(1)), .seconds(5)))
        }
    }

    let dispatcher: WebhookDispatcher<C>
    let store: any WebhookStore & CapStore
    let market: MarketCache
    let configuration: Configuration
    let logger: Logger
    let shutdown: @Sendable () async throws -> Void

    /// Creates the service; `shutdown` runs after it stops (the poster's HTTP client).
    public init(
        dispatcher: WebhookDispatcher<C>, store: any WebhookStore & CapStore, market: MarketCache, configuration: Configuration,
        logger: Logger, shutdown: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.dispatcher = dispatcher
        self.store = store
        self.market = market
        self.configuration = configuration
        self.logger = logger
        self.shutdown = shutdown
    }

    var hub: WebhookHub { dispatcher.hub }

    /// Runs until graceful shutdown; deliveries in flight then are left to their leases.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await dispatcher.run() }
                group.addTask { await writeTrips() }
                group.addTask { await every(configuration.balanceInterval) { await checkBalances() } }
                group.addTask { await every(configuration.purgeInterval) { await purge() } }
            }
        }
        try await shutdown()
    }

    private func every(_ interval: Duration, _ work: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            await work()
            try? await dispatcher.clock.sleep(for: interval)
        }
    }

    /// Writes `campaign.paused` for each circuit that opens.
    func writeTrips() async {
        for await trip in hub.trips {
            guard let campaign = market.current.config.campaigns[trip.campaignID] else { continue }
            let pause = PauseNotice(campaignID: campaign.id, buyerID: campaign.buyerID, cause: .circuitOpen(until: trip.until))
            let messages = hub.fanOut(for: [.campaignPaused]).messages(.campaignPaused, at: dispatcher.wallClock.now()) {
                .campaignPaused(pause)
            }
            do {
                try await store.enqueueWebhookMessages(messages)
            } catch {
                warn("could not write a campaign.paused event", error)
            }
        }
    }

    /// The buyers' balance states this node last saw (`true`: at or above the threshold).
    private let seen = Locked<[String: Bool]>([:])

    /// Checks the balances of buyers with a limit that someone subscribes for, and writes or
    /// re-arms `balance.low` on each change this node sees.
    func checkBalances() async {
        let fanOut = hub.fanOut(for: [.balanceLow])
        guard !fanOut.subscribers.isEmpty else { return }
        let limited = market.current.config.buyers.values.filter { buyer in
            (buyer.balanceLimit ?? .zero) > .zero
                && fanOut.subscribers.contains { $0.owner.role == .admin || $0.owner.subjectID == buyer.id }
        }
        guard !limited.isEmpty else { return }
        do {
            let balances = try await store.balances(buyerIDs: limited.map(\.id).sorted())
            for buyer in limited {
                try await check(buyer, balance: balances[buyer.id] ?? .zero, fanOut: fanOut)
            }
        } catch {
            warn("could not check buyer balances", error)
        }
    }

    private func check(_ buyer: Buyer, balance: Money, fanOut: WebhookFanOut) async throws {
        guard let limit = buyer.balanceLimit else { return }
        let low = BalanceNotice.isLow(balance: balance, limit: limit)
        guard seen.withLock({ $0[buyer.id] }) != low else { return }
        let key = WebhookOnceKey.balanceLow(buyerID: buyer.id)
        if low {
            let notice = BalanceNotice(buyerID: buyer.id, balance: balance, limit: limit, threshold: BalanceNotice.defaultThreshold)
            try await store.enqueueWebhookMessages(
                fanOut.messages(.balanceLow, at: dispatcher.wallClock.now(), onceKey: key) { .balanceLow(notice) })
        } else {
            try await store.clearWebhookOnceKey(key)
        }
        seen.withLock { $0[buyer.id] = low }
    }

    /// Deletes finished deliveries past their retention.
    func purge() async {
        let before = dispatcher.wallClock.now().adding(milliseconds: -configuration.retention.milliseconds)
        do {
            let purged = try await store.purgeWebhookDeliveries(createdBefore: before)
            if purged > 0 { logger.info("purged old webhook deliveries", metadata: ["deliveries": "\(purged)"]) }
        } catch {
            warn("could not purge old webhook deliveries", error)
        }
    }

    private func warn(_ what: String, _ error: any Error) {
        logger.warning("\(what); it is tried again later", metadata: ["error": "\(error)"])
    }
}
