import GavelCore
import NIOPosix
import Testing

@testable import GavelServer

/// The server's exchange clock: sleeps as event-loop timers. Checked on a loop group of its own;
/// every bound here is generous (a shared machine), and each test fails if a sleep ends before
/// its deadline, never ends, or outlives its cancellation.
@Suite("Event loop clock")
struct EventLoopClockTests {
    @Test func aSleepEndsAtItsDeadlineAndNotBefore() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clock = EventLoopClock(loops: group)
        let deadline = clock.now.advanced(by: .milliseconds(30))
        try await clock.sleep(until: deadline)
        #expect(clock.now >= deadline)
        #expect(clock.now < deadline.advanced(by: .seconds(5)))
        try await group.shutdownGracefully()
    }

    @Test func aSleepWhoseDeadlinePassedReturnsAtOnce() async throws {
        let clock = EventLoopClock()
        let start = clock.now
        try await clock.sleep(until: start.advanced(by: .milliseconds(-5)))
        #expect(start.duration(to: clock.now) < .seconds(1))
    }

    @Test func aCancelledSleepEndsAtOnceWithCancellationError() async {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clock = EventLoopClock(loops: group)
        let start = clock.now
        let sleeper = Task { try await clock.sleep(for: .seconds(60)) }
        try? await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(start.duration(to: clock.now) < .seconds(30))
        try? await group.shutdownGracefully()
    }

    @Test func aSleepInACancelledTaskDoesNotWait() async {
        let clock = EventLoopClock()
        let start = clock.now
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(60))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(start.duration(to: clock.now) < .seconds(30))
    }

    @Test func deadlinesRaceOnIt() async {
        let clock = EventLoopClock()
        let call = Deadline.Call<EventLoopClock.Instant, String>(
            deadline: clock.now.advanced(by: .milliseconds(20)),
            work: {
                try? await Task.sleep(for: .seconds(60))
                return "answered"
            },
            late: { _ in "late" })
        let start = clock.now
        #expect(await Deadline.gather([call], clock: clock) == ["late"])
        #expect(start.duration(to: clock.now) < .seconds(30))
    }
}
