import GavelCore

/// Work on a database connection that the caller stops waiting for after a limit.
///
/// PostgresNIO writes a statement to its channel without a promise; a statement written just as
/// the server's connection closed is dropped and never answered, so awaiting it would take
/// forever (and a cancelled task keeps awaiting it). ``run(limit:alarms:_:onTimeout:)`` therefore
/// runs the work in a task of its own and waits for its result or for an alarm, whichever comes
/// first: past the limit it runs `onTimeout` (which closes the connection, failing whatever
/// statement PostgresNIO still tracks), cancels the work and throws
/// ``StorageError/unavailable(_:)``. The work's task is left to end when its statement does — or
/// never, for a dropped statement, which costs that one suspended task.
///
/// Only the alarm ends the wait early. A caller that is cancelled still waits for the work (or
/// the alarm), as it would for any statement: giving up at once could report a failure for
/// work that then commits (a cap hold taken after the repair already gave it back).
enum BoundedWork {
    /// The alarm's verdict.
    private struct TimedOut: Error {}

    /// Runs `work` and waits for it at most `limit` (see the type's documentation).
    static func run<T: Sendable>(
        limit: Duration, alarms: Alarms, _ work: @escaping @Sendable () async throws -> T,
        onTimeout: @escaping @Sendable () async -> Void
    ) async throws -> T {
        let result = PendingResult<T>()
        // The one unstructured task: it may never end (see above), so no scope can wait for it.
        let task = Task {
            do {
                result.finish(.success(try await work()))
            } catch {
                result.finish(.failure(error))
            }
        }
        let alarm = alarms.schedule(after: limit) { result.finish(.failure(TimedOut())) }
        do {
            let value = try await result.value()
            alarms.cancel(alarm)
            return value
        } catch is TimedOut {
            await onTimeout()
            task.cancel()
            throw StorageError.unavailable("PostgreSQL did not answer within \(limit)")
        } catch {
            alarms.cancel(alarm)
            throw error
        }
    }
}

/// A result that arrives once (the first one delivered wins), awaited by at most one waiter.
final class PendingResult<T: Sendable>: Sendable {
    private enum State: Sendable {
        case waiting(CheckedContinuation<T, any Error>?)
        case finished(Result<T, any Error>)
    }

    private let state = Locked<State>(.waiting(nil))

    /// Delivers the result (to the waiter, or to the one that comes); later ones are ignored.
    func finish(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .finished(result)
            return waiter
        }
        waiter?.resume(with: result)
    }

    /// Waits for the result (cancelling the waiting task does not end the wait).
    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<T, any Error>? in
                switch state {
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                case .finished(let result): return result
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
