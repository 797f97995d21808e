import NIOCore
import NIOPosix

/// The exchange's clock on a server: `ContinuousClock`'s time, with each sleep a scheduled task
/// on one of the server's event loops instead of a libdispatch timer.
///
/// Every ping round and every post runs under a deadline (``Deadline``): a task sleeping until
/// it, cancelled as soon as the answers are in — usually long before. On `ContinuousClock` each
/// such sleep arms a dispatch timer, which wakes libdispatch's timer thread to arm it and again
/// when it fires, even after the sleep was cancelled (in the hosted-posting profile about 7% of
/// the server's CPU). Here a sleep is an entry in the event loop's own timer heap, and a cancelled
/// one is removed from it, so nothing fires later.
public struct EventLoopClock: Clock, Sendable {
    /// `ContinuousClock`'s instants.
    public typealias Instant = ContinuousClock.Instant

    /// The loops the sleeps are scheduled on.
    private let loops: any EventLoopGroup

    /// Creates the clock over an event loop group.
    public init(loops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.loops = loops
    }

    /// The current instant, `ContinuousClock`'s.
    public var now: Instant { .now }

    /// `ContinuousClock`'s resolution.
    public var minimumResolution: Duration { ContinuousClock().minimumResolution }

    /// Sleeps until `deadline` (at once when it has passed); `CancellationError` when the task is
    /// cancelled first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let delay = Instant.now.duration(to: deadline)
        guard delay > .zero else { return try Task.checkCancellation() }
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        let scheduled = loops.next().scheduleTask(in: .nanoseconds(max(1, nanoseconds))) {}
        do {
            try await withTaskCancellationHandler {
                try await scheduled.futureResult.get()
            } onCancel: {
                scheduled.cancel()
            }
        } catch {
            throw CancellationError()
        }
    }
}
