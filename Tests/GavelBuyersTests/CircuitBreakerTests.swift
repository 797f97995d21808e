import GavelBuyers
import GavelCore
import Testing

@Suite("Circuit breakers")
struct CircuitBreakerTests {
    static let start = Timestamp(seconds: 1_800_000_000)

    @Test func opensAfterConsecutiveFaultsProbesAfterTheCoolDownAndCloses() {
        let clock = ManualWallClock(Self.start)
        let trips = LockedCount()
        let breakers = CircuitBreakers(configuration: .init(threshold: 3, coolDownMS: 1_000), clock: clock) { _ in trips.add() }
        let fault = PingAnswer(kind: .timeout)
        for _ in 0..<2 { breakers.pingFinished(campaignID: "c", answer: fault) }
        #expect(breakers.openCircuits().isEmpty)
        breakers.pingFinished(campaignID: "c", answer: PingAnswer(kind: .bid, bid: Money(cents: 100)))
        for _ in 0..<2 { breakers.pingFinished(campaignID: "c", answer: fault) }
        #expect(breakers.openCircuits().isEmpty, "a success resets the count")
        breakers.pingFinished(campaignID: "c", answer: fault)
        #expect(breakers.openCircuits() == ["c"])
        #expect(breakers.circuitStates() == ["c": .open])
        #expect(trips.value == 1)
        clock.advance(milliseconds: 999)
        #expect(breakers.openCircuits() == ["c"])
        clock.advance(milliseconds: 1)
        #expect(breakers.openCircuits().isEmpty, "one lead may probe")
        #expect(breakers.openCircuits() == ["c"], "only one probe at a time")
        #expect(breakers.circuitStates() == ["c": .halfOpen])
        breakers.pingFinished(campaignID: "c", answer: PingAnswer(kind: .noBid))
        #expect(breakers.openCircuits().isEmpty)
        #expect(breakers.circuitStates().isEmpty)
    }

    @Test func aFailedProbeReopensForAnotherCoolDown() {
        let clock = ManualWallClock(Self.start)
        let breakers = CircuitBreakers(configuration: .init(threshold: 1, coolDownMS: 500), clock: clock)
        breakers.pingFinished(campaignID: "c", answer: PingAnswer(kind: .httpStatus))
        clock.advance(milliseconds: 500)
        #expect(breakers.openCircuits().isEmpty)
        breakers.pingFinished(campaignID: "c", answer: PingAnswer(kind: .malformed))
        #expect(breakers.openCircuits() == ["c"])
        clock.advance(milliseconds: 499)
        #expect(breakers.openCircuits() == ["c"])
    }

    @Test func aLostProbeIsReplacedAfterACoolDown() {
        var breaker = CircuitBreaker()
        let now = Self.start
        breaker.record(fault: true, now: now, threshold: 1, coolDown: 100)
        let first = breaker.allows(now: now.adding(milliseconds: 100), coolDown: 100)
        let second = breaker.allows(now: now.adding(milliseconds: 150), coolDown: 100)
        let third = breaker.allows(now: now.adding(milliseconds: 200), coolDown: 100)
        #expect(first && !second && third)
    }

    @Test func aBuyersOwnRejectionIsNotAFaultButAFailedPostIs() {
        let breakers = CircuitBreakers(configuration: .init(threshold: 1, coolDownMS: 1_000), clock: ManualWallClock(Self.start))
        breakers.postFinished(campaignID: "c", answer: PostAnswer(outcome: .rejected, reason: "full"), failure: nil)
        #expect(breakers.openCircuits().isEmpty)
        breakers.postFinished(campaignID: "c", answer: PostAnswer(outcome: .rejected, reason: "timeout"), failure: .timeout)
        #expect(breakers.openCircuits() == ["c"])
    }
}

final class LockedCount: Sendable {
    private let count = Locked(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
