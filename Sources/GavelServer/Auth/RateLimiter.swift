import GavelCore
import Hummingbird

/// Token buckets per API key: each key may make `rate` requests per second on average with
/// bursts of up to `burst`; beyond that it gets 429 with `Retry-After`.
public final class RateLimiter: Sendable {
    /// Limits per key.
    public struct Configuration: Sendable {
        /// Requests per second per key (0 turns limiting off).
        public var rate: Int
        /// The most requests a key may send at once.
        public var burst: Int

        /// Creates limits.
        public init(rate: Int = 2_000, burst: Int = 4_000) {
            self.rate = rate
            self.burst = burst
        }
    }

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let configuration: Configuration
    private let buckets = Locked<[String: Bucket]>([:])

    /// Creates a limiter.
    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Takes a token for a key; returns the seconds to wait when there is none.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard configuration.rate > 0 else { return nil }
        let rate = Double(configuration.rate)
        let burst = Double(max(configuration.burst, 1))
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let seconds = bucket.updated.duration(to: now).seconds
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= 1
            buckets[key] = bucket
            return nil
        }
    }
}

/// Applies the rate limiter to authenticated requests.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = GavelRequestContext

    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let identity = context.identity, let wait = limiter.take(identity.keyID) {
            throw Problem.rateLimited(rate: limiter.configuration.rate, wait: wait)
        }
        return try await next(request, context)
    }
}
