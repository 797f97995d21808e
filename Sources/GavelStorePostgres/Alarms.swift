import GavelCore

/// The store's timeouts on one shared tick instead of a system timer each.
///
/// Every database operation races a timer (the wait for a connection, the work limit), and
/// almost every timer is cancelled a millisecond later when the operation ends. A `Task.sleep`
/// per timer arms and disarms a system timer each time — a write to the dispatch manager's
/// queue and a thread woken — which the profile of the PostgreSQL path showed as a tenth of the
/// server's CPU. Here a wait is an entry in a dictionary, and ``run()`` resumes the entries whose
/// deadline has passed once per ``tick`` (so a timeout fires up to one tick late). While
/// ``run()`` is not running — before the store starts, after it stops — waits fall back to
/// `Task.sleep`.
final class Alarms: Sendable {
    private struct Waiter: Sendable {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State: Sendable {
        var running = false
        var next: UInt64 = 0
        var waiting: [UInt64: Waiter] = [:]
    }

    /// How often deadlines are checked.
    let tick: Duration
    private let state = Locked(State())

    /// Creates alarms checked every `tick`.
    init(tick: Duration = .milliseconds(25)) {
        self.tick = tick
    }

    /// Waits until `duration` has passed (to within a tick) or the task is cancelled.
    func sleep(for duration: Duration) async {
        let deadline = ContinuousClock.now.advanced(by: duration)
        let id = state.withLock { state -> UInt64? in
            guard state.running else { return nil }
            state.next += 1
            return state.next
        }
        guard let id else {
            try? await Task.sleep(for: duration)
            return
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    guard state.running, !Task.isCancelled else { return true }
                    state.waiting[id] = Waiter(deadline: deadline, continuation: continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// Checks the deadlines every tick until cancelled; then resumes every wait left (they end
    /// early: the store is stopping) and lets later waits use `Task.sleep`.
    func run() async {
        state.withLock { $0.running = true }
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            fire(now: .now)
        }
        let left = state.withLock { state -> [Waiter] in
            state.running = false
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in left { waiter.continuation.resume() }
    }

    /// Resumes the waits whose deadline has passed.
    func fire(now: ContinuousClock.Instant) {
        let due = state.withLock { state -> [Waiter] in
            let ids = state.waiting.compactMap { $0.value.deadline <= now ? $0.key : nil }
            return ids.compactMap { state.waiting.removeValue(forKey: $0) }
        }
        for waiter in due { waiter.continuation.resume() }
    }
}
