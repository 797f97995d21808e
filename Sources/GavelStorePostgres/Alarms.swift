import GavelCore

/// The store's timeouts on one shared tick instead of a system timer each.
///
/// Every database operation races a timer (the wait for a connection, the work limit), and
/// almost every timer is cancelled a millisecond later when the operation ends. A `Task.sleep`
/// per timer arms and disarms a system timer each time — a write to the dispatch manager's
/// queue and a thread woken — which the profile of the PostgreSQL path showed as a tenth of the
/// server's CPU. Here an alarm is an entry in a dictionary, and ``run()`` fires the entries whose
/// deadline has passed once per ``tick`` (so an alarm fires up to one tick late). While ``run()``
/// is not running — before the store starts, after it stops — alarms fall back to a task that
/// sleeps.
final class Alarms: Sendable {
    /// An alarm's handle, to cancel it.
    enum Handle: Sendable {
        case entry(UInt64)
        case task(Task<Void, Never>)
    }

    private struct Entry: Sendable {
        var deadline: ContinuousClock.Instant
        var action: @Sendable () -> Void
    }

    private struct State: Sendable {
        var running = false
        var next: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
    }

    /// How often deadlines are checked.
    let tick: Duration
    private let state = Locked(State())

    /// Creates alarms checked every `tick`.
    init(tick: Duration = .milliseconds(25)) {
        self.tick = tick
    }

    /// Runs `action` once `duration` has passed (to within a tick), unless cancelled first.
    func schedule(after duration: Duration, _ action: @escaping @Sendable () -> Void) -> Handle {
        let deadline = ContinuousClock.now.advanced(by: duration)
        let id = state.withLock { state -> UInt64? in
            guard state.running else { return nil }
            state.next += 1
            state.entries[state.next] = Entry(deadline: deadline, action: action)
            return state.next
        }
        if let id { return .entry(id) }
        return .task(
            Task {
                guard (try? await Task.sleep(for: duration)) != nil else { return }
                action()
            })
    }

    /// Cancels an alarm; `true` when it had not fired yet.
    @discardableResult
    func cancel(_ handle: Handle) -> Bool {
        switch handle {
        case .entry(let id): return state.withLock { $0.entries.removeValue(forKey: id) } != nil
        case .task(let task):
            task.cancel()
            return true
        }
    }

    /// How many alarms wait on the tick.
    var pending: Int { state.withLock { $0.entries.count } }

    /// Waits until `duration` has passed (to within a tick) or the task is cancelled.
    func sleep(for duration: Duration) async {
        let wake = PendingResult<Void>()
        let handle = schedule(after: duration) { wake.finish(.success(())) }
        await withTaskCancellationHandler {
            _ = try? await wake.value()
        } onCancel: {
            wake.finish(.success(()))
        }
        cancel(handle)
    }

    /// Checks the deadlines every tick until cancelled; then fires every alarm left (the store
    /// is stopping: what waits on them ends early) and lets later alarms use sleeping tasks.
    func run() async {
        state.withLock { $0.running = true }
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            fire(now: .now)
        }
        let left = state.withLock { state -> [Entry] in
            state.running = false
            defer { state.entries = [:] }
            return Array(state.entries.values)
        }
        for entry in left { entry.action() }
    }

    /// Fires the alarms whose deadline has passed.
    func fire(now: ContinuousClock.Instant) {
        let due = state.withLock { state -> [Entry] in
            let ids = state.entries.compactMap { $0.value.deadline <= now ? $0.key : nil }
            return ids.compactMap { state.entries.removeValue(forKey: $0) }
        }
        for entry in due { entry.action() }
    }
}
