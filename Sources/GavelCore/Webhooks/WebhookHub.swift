/// The webhooks in memory, so that the hot path decides without a query whether anybody
/// subscribes to an event: loaded at start, changed with every create and delete on this node,
/// and reloaded from the store when another node changes them (the configuration feed).
///
/// It also remembers the once keys this node has written (a cap reached in a period), so a
/// campaign passed by on every lead for the rest of the day costs one write, not one per lead,
/// and it hands circuit breaker trips — which happen inside a buyer call — to the webhook
/// sender, which writes them.
public final class WebhookHub: Sendable {
    private struct State {
        var webhooks: [String: Webhook] = [:]
        var byType: [WebhookEventType: [WebhookFanOut.Subscriber]] = [:]
        var announced: Set<String> = []

        mutating func reindex() {
            var index: [WebhookEventType: [WebhookFanOut.Subscriber]] = [:]
            for webhook in webhooks.values.sorted(by: { $0.id < $1.id }) {
                let subscriber = WebhookFanOut.Subscriber(webhookID: webhook.id, owner: webhook.owner, events: Set(webhook.events))
                for type in webhook.events { index[type, default: []].append(subscriber) }
            }
            byType = index
        }
    }

    /// A circuit breaker that opened: the campaign, and when one lead may probe it.
    public struct Trip: Sendable, Hashable {
        /// The campaign.
        public var campaignID: String
        /// When its cool-down ends.
        public var until: Timestamp

        /// Creates a trip.
        public init(campaignID: String, until: Timestamp) {
            self.campaignID = campaignID
            self.until = until
        }
    }

    /// How deliveries are retried.
    public let retry: WebhookRetryPolicy
    private let state: Locked<State>
    private let tripStream: AsyncStream<Trip>
    private let tripContinuation: AsyncStream<Trip>.Continuation

    /// The most once keys remembered before the memory is emptied (a forgotten key costs one
    /// more conditional write).
    static let announcedLimit = 4_096

    /// Creates a hub holding webhooks.
    public init(_ webhooks: [Webhook] = [], retry: WebhookRetryPolicy = WebhookRetryPolicy()) {
        self.retry = retry
        var initial = State()
        for webhook in webhooks { initial.webhooks[webhook.id] = webhook }
        initial.reindex()
        state = Locked(initial)
        (tripStream, tripContinuation) = AsyncStream<Trip>.makeStream(bufferingPolicy: .bufferingNewest(1_024))
    }

    // MARK: The webhooks

    /// Every webhook, oldest first.
    public var all: [Webhook] {
        state.withLock { $0.webhooks.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) } }
    }

    /// A webhook by id.
    public func webhook(id: String) -> Webhook? {
        state.withLock { $0.webhooks[id] }
    }

    /// Whether there is no webhook at all (then nothing is ever sent).
    public var isEmpty: Bool {
        state.withLock { $0.webhooks.isEmpty }
    }

    /// Replaces every webhook (a reload).
    public func replace(_ webhooks: [Webhook]) {
        state.withLock { state in
            state.webhooks = Dictionary(webhooks.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            state.reindex()
        }
    }

    /// Adds or replaces a webhook.
    public func add(_ webhook: Webhook) {
        state.withLock { state in
            state.webhooks[webhook.id] = webhook
            state.reindex()
        }
    }

    /// Removes a webhook.
    public func remove(id: String) {
        state.withLock { state in
            state.webhooks[id] = nil
            state.reindex()
        }
    }

    // MARK: Fan-out

    /// The webhooks subscribed to any of `types` now, with the retry window: empty (and cheap)
    /// when nobody subscribes.
    public func fanOut(for types: Set<WebhookEventType>) -> WebhookFanOut {
        let subscribers = state.withLock { state -> [WebhookFanOut.Subscriber] in
            var seen = Set<String>()
            var result: [WebhookFanOut.Subscriber] = []
            for type in types.sorted() {
                for subscriber in state.byType[type] ?? [] where seen.insert(subscriber.webhookID).inserted { result.append(subscriber) }
            }
            return result
        }
        guard !subscribers.isEmpty else { return .none }
        return WebhookFanOut(subscribers: subscribers, retryWindowMS: retry.window.milliseconds)
    }

    /// Whether any webhook subscribes to an event.
    public func subscribes(to type: WebhookEventType) -> Bool {
        state.withLock { !($0.byType[type] ?? []).isEmpty }
    }

    /// Whether this node already wrote the once key.
    public func wasAnnounced(_ key: String) -> Bool {
        state.withLock { $0.announced.contains(key) }
    }

    /// Remembers once keys this node wrote (or found written).
    public func remember(_ keys: [String]) {
        guard !keys.isEmpty else { return }
        state.withLock { state in
            if state.announced.count + keys.count > Self.announcedLimit { state.announced = [] }
            state.announced.formUnion(keys)
        }
    }

    // MARK: Circuit trips

    /// Notes that a campaign's circuit opened (called by the circuit breakers, on the buyer
    /// call's task: it only hands the trip on, and drops it when nobody subscribes).
    public func circuitOpened(campaignID: String, until: Timestamp) {
        guard subscribes(to: .campaignPaused) else { return }
        tripContinuation.yield(Trip(campaignID: campaignID, until: until))
    }

    /// The circuit trips, for the one webhook sender that writes them; ends with ``finish()``.
    public var trips: AsyncStream<Trip> { tripStream }

    /// Ends the stream of trips.
    public func finish() {
        tripContinuation.finish()
    }
}

/// The once keys of events sent once per key.
public enum WebhookOnceKey {
    /// The prefix of a campaign's cap-reached keys (old ones are purged with old deliveries).
    public static let capPrefix = "campaign.paused:"

    /// A campaign's cap reached in a period.
    public static func capReached(campaignID: String, cap: String, period: String) -> String {
        "\(capPrefix)\(campaignID):\(cap):\(period)"
    }

    /// A buyer's balance above its alert threshold (cleared when it falls back under).
    public static func balanceLow(buyerID: String) -> String {
        "balance.low:\(buyerID)"
    }
}

extension Campaign.Caps {
    /// The first cap `usage` has used up — `daily_leads`, `daily_spend`, `weekly_leads`,
    /// `monthly_leads`, `monthly_spend` — with the local period it counts in (`YYYY-MM-DD`, the
    /// week's Monday, `YYYY-MM`); `nil` when none is.
    public func exhaustedCap(_ usage: CapUsage, periods: CapPeriods) -> (cap: String, period: String)? {
        let month = String(periods.month.description.prefix(7))
        let checks: [(String, Bool, String)] = [
            ("daily_leads", dailyLeads.map { usage.dayLeads >= $0 } ?? false, periods.day.description),
            ("daily_spend", dailySpend.map { usage.daySpend >= $0 } ?? false, periods.day.description),
            ("weekly_leads", weeklyLeads.map { usage.weekLeads >= $0 } ?? false, periods.week.description),
            ("monthly_leads", monthlyLeads.map { usage.monthLeads >= $0 } ?? false, month),
            ("monthly_spend", monthlySpend.map { usage.monthSpend >= $0 } ?? false, month),
        ]
        return checks.first { $0.1 }.map { ($0.0, $0.2) }
    }
}
