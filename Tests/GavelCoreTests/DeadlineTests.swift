import GavelCore
import GavelTesting
import Testing

@Suite("Deadline: the one race of calls against their deadlines, on a manual clock")
struct DeadlineTests {
    static func call(_ clock: ManualClock, due: Int, answersAfter: Int?, _ value: String) -> Deadline.Call<ManualClock.Instant, String> {
        Deadline.Call(
            deadline: ManualClock.Instant(offset: .milliseconds(due)),
            work: {
                guard let answersAfter else {
                    try? await clock.sleep(until: ManualClock.Instant(offset: .seconds(3_600)))
                    return "cancelled"
                }
                do {
                    try await clock.sleep(for: .milliseconds(answersAfter))
                    return value
                } catch {
                    return "cancelled"
                }
            },
            late: { answer in "late(\(answer ?? "nil"))" })
    }

    @Test func eachCallIsJudgedByItsOwnDeadlineAndAnswersKeepTheirOrder() async {
        let clock = ManualClock()
        let calls = [
            Self.call(clock, due: 100, answersAfter: 90, "in time"), Self.call(clock, due: 100, answersAfter: 150, "too slow"),
            Self.call(clock, due: 300, answersAfter: 200, "patient"), Self.call(clock, due: 300, answersAfter: nil, "silent"),
        ]
        async let answers = Deadline.gather(calls, clock: clock)
        await clock.waitForSleepers(6)  // four calls, two distinct deadlines
        await clock.advance(by: .milliseconds(90))
        await clock.waitForSleepers(5)  // the first answered in time
        await clock.advance(by: .milliseconds(10))
        await clock.waitForSleepers(4)  // the first deadline passed: too slow is late already
        await clock.advance(by: .milliseconds(50))
        await clock.waitForSleepers(3)  // too slow answered, after its deadline
        await clock.advance(by: .milliseconds(50))
        await clock.waitForSleepers(2)  // patient answered in time
        await clock.advance(by: .milliseconds(100))
        let result = await answers
        #expect(result == ["in time", "late(too slow)", "patient", "late(cancelled)"], "\(result)")
        #expect(clock.sleepers == 0, "nothing outlives the gather")
    }

    @Test func aRaceReturnsTheAnswerBeforeTheDeadlineAndLateAfterIt() async {
        let clock = ManualClock()
        let quick = await Deadline.race(until: clock.now.advanced(by: .seconds(1)), clock: clock, { "answer" }, late: { _ in "late" })
        #expect(quick == "answer")
        async let slow = Deadline.race(
            until: clock.now.advanced(by: .seconds(1)), clock: clock,
            {
                (try? await clock.sleep(for: .seconds(5))) == nil ? "cancelled" : "answer"
            }, late: { answer in "late(\(answer ?? "nil"))" })
        await clock.waitForSleepers(2)
        await clock.advance(by: .seconds(1))
        #expect(await slow == "late(cancelled)")
        #expect(await Deadline.gather([Deadline.Call<ManualClock.Instant, String>](), clock: clock).isEmpty)
    }
}
