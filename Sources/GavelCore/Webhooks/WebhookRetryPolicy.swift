/// What the receiver of one webhook delivery did.
public enum WebhookReply: Sendable, Hashable {
    /// It answered with this HTTP status (2xx accepts the delivery; redirects are not followed).
    case status(Int)
    /// No answer: the connection failed, the SSRF guard refused the address, or the deadline
    /// passed (`timeout`).
    case failed(String)
}

/// How deliveries are retried: exponential backoff with jitter, for a window after the event.
///
/// After attempt *n* fails, the next one waits `min(maxDelay, firstDelay × 2ⁿ⁻¹)`, jittered to a
/// uniform point between half of that and all of it (so receivers coming back are not hit by
/// every sender at once). The last attempt is made at the window's end at the latest; an
/// attempt that fails at or after it marks the delivery failed. The defaults retry for 24 hours:
/// 10 s, 20 s, 40 s, … up to one hour apart (jittered), some 30 to 55 attempts.
public struct WebhookRetryPolicy: Sendable, Hashable {
    /// The delay after the first failed attempt.
    public var firstDelay: Duration
    /// The longest delay between attempts.
    public var maxDelay: Duration
    /// How long after the event deliveries are retried.
    public var window: Duration

    /// Creates a policy.
    public init(firstDelay: Duration = .seconds(10), maxDelay: Duration = .seconds(3_600), window: Duration = .seconds(86_400)) {
        self.firstDelay = firstDelay
        self.maxDelay = max(maxDelay, firstDelay)
        self.window = window
    }

    /// The delay after `attempt` (1 for the first) failed, before jitter, in milliseconds.
    public func baseDelayMS(afterAttempt attempt: Int) -> Int64 {
        let first = max(1, firstDelay.milliseconds)
        let cap = max(first, maxDelay.milliseconds)
        var delay = first
        for _ in 1..<max(1, attempt) {
            delay *= 2
            if delay >= cap { return cap }
        }
        return min(delay, cap)
    }

    /// The jittered delay: a uniform point in `[base/2, base]` chosen by `random`.
    public func delayMS(afterAttempt attempt: Int, random: UInt64) -> Int64 {
        let base = baseDelayMS(afterAttempt: attempt)
        let half = base / 2
        return half + Int64(random % UInt64(base - half + 1))
    }

    /// What an attempt on `dispatch` that got `reply` at `now` comes to: delivered on a 2xx;
    /// otherwise pending until the next jittered attempt, or failed once the window has passed.
    public func attempt(_ dispatch: WebhookDispatch, reply: WebhookReply, at now: Timestamp, random: UInt64) -> WebhookAttempt {
        let id = dispatch.message.id
        let (status, error) = Self.read(reply)
        if let status, (200..<300).contains(status) {
            return WebhookAttempt(deliveryID: id, at: now, status: .delivered, nextAttemptAt: nil, httpStatus: status, error: nil)
        }
        let until = dispatch.message.retryUntil
        guard now < until else {
            return WebhookAttempt(deliveryID: id, at: now, status: .failed, nextAttemptAt: nil, httpStatus: status, error: error)
        }
        let next = min(now.adding(milliseconds: delayMS(afterAttempt: dispatch.attempts + 1, random: random)), until)
        return WebhookAttempt(deliveryID: id, at: now, status: .pending, nextAttemptAt: next, httpStatus: status, error: error)
    }

    private static func read(_ reply: WebhookReply) -> (status: Int?, error: String?) {
        switch reply {
        case .status(let code): (code, (200..<300).contains(code) ? nil : "http_status_\(code)")
        case .failed(let why): (nil, why)
        }
    }
}
