import Testing

@testable import GavelServer

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test func tokenBucketRefillsAtItsRate() {
        let limiter = RateLimiter(RateLimiter.Configuration(rate: 10, burst: 3))
        let start = ContinuousClock.now
        #expect((0..<3).allSatisfy { _ in limiter.take("k", now: start) == nil })
        #expect(limiter.take("k", now: start) == 1)
        #expect(limiter.take("other", now: start) == nil, "keys have their own buckets")
        #expect(limiter.take("k", now: start.advanced(by: .milliseconds(100))) == nil)
        #expect(limiter.take("k", now: start.advanced(by: .milliseconds(100))) != nil)
        #expect(RateLimiter(RateLimiter.Configuration(rate: 0)).take("k") == nil, "0 turns limiting off")
    }
}
