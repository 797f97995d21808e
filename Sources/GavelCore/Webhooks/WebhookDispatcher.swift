/// Sends the outbox: claims due deliveries with a lease, POSTs each (signed) under its own
/// deadline with at most ``Configuration/concurrency`` in flight, and records what came of it
/// by the ``WebhookRetryPolicy``. It shares nothing with the auction but the store: a slow or
/// dead receiver costs only a sender slot, for one deadline.
///
/// Claims skip deliveries another sender holds (on PostgreSQL `FOR UPDATE SKIP LOCKED`), and
/// an attempt is recorded only while its lease is held, so on several nodes each delivery is
/// attempted by one node at a time. The lease outlasts the deadline, so a live sender never
/// loses one; a crashed sender's leases run out (or are reclaimed at start), and its deliveries
/// are retried — a receiver may then see an event again, which its id makes harmless.
public struct WebhookDispatcher<C: Clock>: Sendable where C.Duration == Duration {
    /// How many deliveries run at once, how long each may take, how often to look for work.
    public struct Configuration: Sendable {
        /// Deliveries in flight at once.
        public var concurrency: Int
        /// The deadline of one delivery.
        public var timeout: Duration
        /// How long a claim is held (longer than the deadline).
        public var lease: Duration
        /// The pause between looks when there is nothing to send.
        public var pollInterval: Duration

        /// Creates a configuration.
        public init(
            concurrency: Int = 8, timeout: Duration = .seconds(10), lease: Duration = .seconds(60), pollInterval: Duration = .seconds(1)
        ) {
            self.concurrency = max(1, concurrency)
            self.timeout = timeout
            self.lease = max(lease, timeout + .seconds(1))
            self.pollInterval = pollInterval
        }
    }

    /// The outbox.
    public let store: any WebhookStore
    /// The HTTP calls.
    public let poster: any WebhookPoster
    /// The webhooks and the retry policy.
    public let hub: WebhookHub
    /// Record time.
    public let wallClock: any WallClock
    /// Deadline and sleep time.
    public let clock: C
    /// The sender's identity in leases (unique per process).
    public let owner: String
    /// The settings.
    public let configuration: Configuration
    /// Jitter.
    public let random: @Sendable () -> UInt64

    /// Creates a dispatcher.
    public init(
        store: any WebhookStore, poster: any WebhookPoster, hub: WebhookHub, wallClock: any WallClock, clock: C,
        owner: String = IDGenerator().make("N"), configuration: Configuration = Configuration(),
        random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: 0...UInt64.max) }
    ) {
        self.store = store
        self.poster = poster
        self.hub = hub
        self.wallClock = wallClock
        self.clock = clock
        self.owner = owner
        self.configuration = configuration
        self.random = random
    }

    private enum Event: Sendable {
        case finished
        case tick
    }

    /// Sends until cancelled: after each finished delivery, and every poll interval, claims
    /// what is due into the free slots. On cancellation the deliveries in flight are abandoned
    /// unrecorded and their leases released, so another sender (or the next start) retries them.
    public func run() async {
        await withTaskGroup(of: Event.self) { group in
            var running = 0
            group.addTask { await tick() }
            while !Task.isCancelled {
                for dispatch in await claim(limit: configuration.concurrency - running) {
                    running += 1
                    group.addTask {
                        await send(dispatch)
                        return .finished
                    }
                }
                guard let event = await group.next() else { break }
                switch event {
                case .finished: running -= 1
                case .tick: if !Task.isCancelled { group.addTask { await tick() } }
                }
            }
            group.cancelAll()
        }
        try? await store.releaseWebhookLeases(owner: owner)
    }

    private func tick() async -> Event {
        try? await clock.sleep(for: configuration.pollInterval)
        return .tick
    }

    /// Claims and sends everything due now, up to the concurrency, and waits for it; returns
    /// how many were sent (tests drive the sender with this).
    @discardableResult
    public func pass() async -> Int {
        let claimed = await claim(limit: configuration.concurrency)
        await withTaskGroup(of: Void.self) { group in
            for dispatch in claimed { group.addTask { await send(dispatch) } }
        }
        return claimed.count
    }

    private func claim(limit: Int) async -> [WebhookDispatch] {
        guard limit > 0, !Task.isCancelled, !hub.isEmpty else { return [] }
        let now = wallClock.now()
        let until = now.adding(milliseconds: configuration.lease.milliseconds)
        return (try? await store.claimWebhookDeliveries(owner: owner, now: now, leaseUntil: until, limit: limit)) ?? []
    }

    /// Sends one claimed delivery under its deadline and records the attempt (unless cancelled:
    /// then the lease is left to run out).
    func send(_ dispatch: WebhookDispatch) async {
        let reply = await post(dispatch)
        guard !Task.isCancelled else { return }
        let attempt = hub.retry.attempt(dispatch, reply: reply, at: wallClock.now(), random: random())
        _ = try? await store.recordWebhookAttempt(attempt, owner: owner)
    }

    private func post(_ dispatch: WebhookDispatch) async -> WebhookReply {
        let message = dispatch.message
        let headers = [
            HeaderField(name: "X-Gavel-Event-Id", value: message.eventID),
            HeaderField(name: "X-Gavel-Event", value: message.type.rawValue),
            HeaderField(name: "X-Gavel-Delivery-Id", value: message.id),
            HeaderField(name: "X-Gavel-Webhook-Id", value: message.webhookID),
            HeaderField(name: "X-Gavel-Attempt", value: String(dispatch.attempts + 1)),
        ]
        let (poster, body) = (poster, Array(message.body.utf8))
        return await Deadline.race(until: clock.now.advanced(by: configuration.timeout), clock: clock) {
            await poster.post(url: dispatch.url, body: body, secret: dispatch.secret, headers: headers)
        } late: { _ in
            .failed("timeout")
        }
    }
}
