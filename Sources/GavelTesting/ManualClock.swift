import GavelCore

/// A clock that only moves when a test moves it, for the exchange's deadlines and cascades:
/// `sleep(until:)` suspends until ``advance(by:)`` passes the deadline (or the sleeping task is
/// cancelled), so a test decides exactly when each deadline comes, with no waiting and no
/// dependence on how busy the machine is.
public final class ManualClock: Clock, Sendable {
    /// A point on the manual clock: the time advanced since it started.
    public struct Instant: InstantProtocol {
        /// Time since the clock started.
        public var offset: Duration

        /// Creates an instant.
        public init(offset: Duration) {
            self.offset = offset
        }

        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        /// The time from this instant to another.
        public func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        /// Earlier instants sort first.
        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }
    }

    private struct Sleeper: Sendable {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State: Sendable {
        var now = Instant(offset: .zero)
        var sleepers: [Int: Sleeper] = [:]
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    private let state = Locked(State())

    /// Creates a clock at offset zero.
    public init() {}

    /// The current instant.
    public var now: Instant { state.withLock { $0.now } }

    /// The clock has no resolution limit.
    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on the clock right now.
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    /// Suspends until the clock is advanced to `deadline` (at once if it is there already);
    /// throws `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enqueue(id, Sleeper(deadline: deadline, continuation: continuation))
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Moves the clock forward, wakes every sleeper whose deadline has come (earliest first),
    /// then yields a while so the woken tasks run before the test goes on.
    public func advance(by duration: Duration) async {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in woken { sleeper.continuation.resume() }
        for _ in 0..<Self.yieldsAfterAdvancing { await Task.yield() }
    }

    /// How often ``advance(by:)`` yields after waking sleepers.
    static let yieldsAfterAdvancing = 200

    /// Waits (yielding, never sleeping on a real clock) until at least `count` tasks sleep on
    /// the clock, so a test advances it only once the code under test is waiting.
    public func waitForSleepers(_ count: Int, spins: Int = 100_000) async {
        for _ in 0..<spins where sleepers < count {
            await Task.yield()
        }
    }

    private func enqueue(_ id: Int, _ sleeper: Sleeper) {
        let outcome = state.withLock { state -> Result<Void, any Error>? in
            if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
            if sleeper.deadline <= state.now { return .success(()) }
            state.sleepers[id] = sleeper
            return nil
        }
        if let outcome { sleeper.continuation.resume(with: outcome) }
    }

    private func cancel(_ id: Int) {
        let sleeper = state.withLock { state -> Sleeper? in
            guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                state.cancelled.insert(id)
                return nil
            }
            return sleeper
        }
        sleeper?.continuation.resume(throwing: CancellationError())
    }
}
