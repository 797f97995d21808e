/// One event for one webhook, as written to the outbox — in the same transaction as the change
/// that caused it — and then delivered, retried and listed as a ``WebhookDelivery``.
public struct WebhookMessage: Sendable, Hashable {
    /// The delivery's id (`D…`).
    public var id: String
    /// The webhook it goes to.
    public var webhookID: String
    /// The event's id (shared by the event's messages to every webhook).
    public var eventID: String
    /// The event's kind.
    public var type: WebhookEventType
    /// The scoped JSON body, exactly as it is sent (and signed).
    public var body: String
    /// When it was written (the event's time).
    public var createdAt: Timestamp
    /// When retrying stops: an attempt that fails at or after this marks the delivery failed.
    public var retryUntil: Timestamp
    /// For events sent once per key (a cap reached in a period, a balance crossing): the
    /// store writes the message only if no message with this key was ever written, atomically,
    /// so several nodes (or a restart) never send the event twice.
    public var onceKey: String?

    /// Creates a message.
    public init(
        id: String, webhookID: String, eventID: String, type: WebhookEventType, body: String, createdAt: Timestamp,
        retryUntil: Timestamp, onceKey: String? = nil
    ) {
        self.id = id
        self.webhookID = webhookID
        self.eventID = eventID
        self.type = type
        self.body = body
        self.createdAt = createdAt
        self.retryUntil = retryUntil
        self.onceKey = onceKey
    }
}

/// Where a delivery is.
public enum WebhookDeliveryStatus: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its next attempt.
    case pending
    /// The receiver answered 2xx.
    case delivered
    /// Every attempt within the retry window failed; a redelivery makes it pending again.
    case failed
}

/// A message in the outbox with what became of it.
public struct WebhookDelivery: Sendable, Hashable {
    /// The message.
    public var message: WebhookMessage
    /// Where it is.
    public var status: WebhookDeliveryStatus
    /// How many attempts were made.
    public var attempts: Int
    /// When the next attempt is due (pending only).
    public var nextAttemptAt: Timestamp?
    /// When the last attempt was made.
    public var lastAttemptAt: Timestamp?
    /// The HTTP status of the last answer, if there was one.
    public var lastStatus: Int?
    /// Why the last attempt failed (`http_status_500`, `timeout`, `connection refused`, …).
    public var lastError: String?
    /// When the receiver accepted it.
    public var deliveredAt: Timestamp?

    /// Creates a delivery.
    public init(
        message: WebhookMessage, status: WebhookDeliveryStatus, attempts: Int, nextAttemptAt: Timestamp?, lastAttemptAt: Timestamp? = nil,
        lastStatus: Int? = nil, lastError: String? = nil, deliveredAt: Timestamp? = nil
    ) {
        self.message = message
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.deliveredAt = deliveredAt
    }

    /// A new message, due at once.
    public init(pending message: WebhookMessage) {
        self.init(message: message, status: .pending, attempts: 0, nextAttemptAt: message.createdAt)
    }

    /// The delivery's id.
    public var id: String { message.id }

    /// The wire form of `GET /v1/webhooks/{id}/deliveries`: the state and the payload as sent.
    public var json: JSONValue {
        .object([
            "id": .string(message.id), "webhook_id": .string(message.webhookID), "event_id": .string(message.eventID),
            "event": .string(message.type.rawValue), "status": .string(status.rawValue), "attempts": .number(Number(attempts)),
            "created_at": message.createdAt.json, "next_attempt_at": nextAttemptAt?.json ?? .null,
            "last_attempt_at": lastAttemptAt?.json ?? .null, "last_status": lastStatus.map { .number(Number($0)) } ?? .null,
            "last_error": lastError.map(JSONValue.string) ?? .null, "delivered_at": deliveredAt?.json ?? .null,
            "retry_until": message.retryUntil.json,
            "payload": (try? JSONParser.parse(Array(message.body.utf8), limits: .trusted)) ?? .string(message.body),
        ])
    }
}

extension WebhookDelivery {
    /// The delivery after an attempt.
    public mutating func apply(_ attempt: WebhookAttempt) {
        status = attempt.status
        attempts += 1
        nextAttemptAt = attempt.status == .pending ? attempt.nextAttemptAt : nil
        lastAttemptAt = attempt.at
        lastStatus = attempt.httpStatus
        lastError = attempt.error
        if attempt.status == .delivered { deliveredAt = attempt.at }
    }

    /// The delivery made pending again: due at `now`, retried until `retryUntil`.
    public mutating func redeliver(now: Timestamp, retryUntil: Timestamp) {
        status = .pending
        nextAttemptAt = now
        message.retryUntil = retryUntil
    }
}

/// A delivery claimed for an attempt: the message, its attempts so far, and where and how to
/// send it.
public struct WebhookDispatch: Sendable, Hashable {
    /// The message.
    public var message: WebhookMessage
    /// Attempts made before this one.
    public var attempts: Int
    /// The webhook's URL.
    public var url: String
    /// The webhook's signing secret.
    public var secret: String

    /// Creates a dispatch.
    public init(message: WebhookMessage, attempts: Int, url: String, secret: String) {
        self.message = message
        self.attempts = attempts
        self.url = url
        self.secret = secret
    }
}

/// What one attempt came to, as the store records it.
public struct WebhookAttempt: Sendable, Hashable {
    /// The delivery.
    public var deliveryID: String
    /// When the attempt ended.
    public var at: Timestamp
    /// The delivery's status after it.
    public var status: WebhookDeliveryStatus
    /// When to try again (pending only).
    public var nextAttemptAt: Timestamp?
    /// The receiver's HTTP status, if it answered.
    public var httpStatus: Int?
    /// Why it failed.
    public var error: String?

    /// Creates an attempt.
    public init(
        deliveryID: String, at: Timestamp, status: WebhookDeliveryStatus, nextAttemptAt: Timestamp?, httpStatus: Int?, error: String?
    ) {
        self.deliveryID = deliveryID
        self.at = at
        self.status = status
        self.nextAttemptAt = nextAttemptAt
        self.httpStatus = httpStatus
        self.error = error
    }
}

/// The webhooks subscribed to some events at one moment, and how long their deliveries are
/// retried: a value handed to a store write (a return, a conversion) so that it can write the
/// event's messages in its own transaction once it knows what happened. Empty when nobody
/// subscribes, so a write without subscribers writes nothing more.
public struct WebhookFanOut: Sendable, Hashable {
    /// A subscribed webhook: what fan-out needs of it.
    public struct Subscriber: Sendable, Hashable {
        /// The webhook.
        public var webhookID: String
        /// Its owner.
        public var owner: WebhookOwner
        /// Its events.
        public var events: Set<WebhookEventType>

        /// Creates a subscriber.
        public init(webhookID: String, owner: WebhookOwner, events: Set<WebhookEventType>) {
            self.webhookID = webhookID
            self.owner = owner
            self.events = events
        }
    }

    /// The subscribers.
    public var subscribers: [Subscriber]
    /// How long after an event its deliveries are retried, in milliseconds.
    public var retryWindowMS: Int64

    /// Creates a fan-out.
    public init(subscribers: [Subscriber], retryWindowMS: Int64) {
        self.subscribers = subscribers
        self.retryWindowMS = retryWindowMS
    }

    /// Nobody subscribes.
    public static let none = WebhookFanOut(subscribers: [], retryWindowMS: 0)

    /// Whether any webhook receives any of these events.
    public func subscribes(to types: Set<WebhookEventType>) -> Bool {
        subscribers.contains { !$0.events.isDisjoint(with: types) }
    }

    /// The messages of an event: one per subscribed webhook whose owner may see it, each with
    /// the payload scoped to that owner.
    public func messages(_ event: WebhookEvent, onceKey: String? = nil) -> [WebhookMessage] {
        let ids = IDGenerator()
        return subscribers.compactMap { subscriber in
            guard subscriber.events.contains(event.type), let payload = event.payload(for: subscriber.owner) else { return nil }
            return WebhookMessage(
                id: ids.make("D", at: event.at), webhookID: subscriber.webhookID, eventID: event.id, type: event.type,
                body: JSONWriter.string(payload), createdAt: event.at, retryUntil: event.at.adding(milliseconds: retryWindowMS),
                onceKey: onceKey)
        }
    }

    /// A new event (with a fresh id) and its messages; none, and no work, without subscribers.
    public func messages(
        _ type: WebhookEventType, at: Timestamp, test: Bool = false, onceKey: String? = nil, _ subject: () -> WebhookEvent.Subject
    ) -> [WebhookMessage] {
        guard subscribes(to: [type]) else { return [] }
        return messages(
            WebhookEvent(id: IDGenerator().make("E", at: at), type: type, at: at, test: test, subject: subject()), onceKey: onceKey)
    }

    /// The messages of a decided return request: `return.decided` for an approval or a denial,
    /// and `lead.returned` too for an approval. None when nothing was decided (not the buyer's
    /// lead, already returned).
    public func returnMessages(_ request: ReturnRequest, sold: SoldLead?, result: ReturnResult) -> [WebhookMessage] {
        guard let sold else { return [] }
        let notice: ReturnNotice
        switch result {
        case .approved(let refund): notice = ReturnNotice(sold: sold, reason: request.reason, refund: refund, denial: nil)
        case .denied(let why): notice = ReturnNotice(sold: sold, reason: request.reason, refund: nil, denial: why)
        case .notFound, .alreadyReturned: return []
        }
        let decided = messages(.returnDecided, at: request.at, test: sold.test) { .returned(notice) }
        guard notice.refund != nil else { return decided }
        return messages(.leadReturned, at: request.at, test: sold.test) { .returned(notice) } + decided
    }

    /// The messages of a recorded conversion.
    public func conversionMessages(_ sold: SoldLead, value: Money?, at: Timestamp) -> [WebhookMessage] {
        messages(.conversionRecorded, at: at, test: sold.test) { .conversion(ConversionNotice(sold: sold, value: value)) }
    }
}
