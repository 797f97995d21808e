import GavelCore

/// Work on a database connection that the caller stops waiting for after a limit.
///
/// PostgresNIO writes a statement to its channel without a promise; a statement written just as
/// the server's connection closed is dropped and never answered, so awaiting it would take
/// forever (and a cancelled task keeps awaiting it). ``run(limit:_:onTimeout:)`` therefore runs
/// the work in a task of its own and waits for its result in a way that a timer can end: past
/// the limit it runs `onTimeout` (which closes the connection, failing whatever statement
/// PostgresNIO still tracks), cancels the work and throws ``StorageError/unavailable(_:)``. The
/// work's task is left to end when its statement does — or never, for a dropped statement,
/// which costs that one suspended task.
enum BoundedWork {
    /// Runs `work` and waits for it at most `limit` (see the type's documentation), timed by
    /// `sleep` (the store's ``Alarms``).
    static func run<T: Sendable>(
        limit: Duration, sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) },
        _ work: @escaping @Sendable () async throws -> T, onTimeout: @escaping @Sendable () async -> Void
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
        return try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .done(try await result.value()) }
            group.addTask {
                await sleep(limit)
                return .timer
            }
            guard let first = try await group.next() else { throw StorageError.unavailable("unreachable") }
            group.cancelAll()
            switch first {
            case .done(let value):
                return value
            case .timer:
                if Task.isCancelled { throw CancellationError() }
                await onTimeout()
                task.cancel()
                throw StorageError.unavailable("PostgreSQL did not answer within \(limit)")
            }
        }
    }

    /// What ended the wait first.
    private enum Outcome<T: Sendable>: Sendable {
        case done(T)
        case timer
    }
}

/// A result that arrives once, awaited by at most one waiter whose wait ends when its task is
/// cancelled.
final class PendingResult<T: Sendable>: Sendable {
    private enum State: Sendable {
        case waiting(CheckedContinuation<T, any Error>?)
        case finished(Result<T, any Error>)
        case abandoned
    }

    private let state = Locked<State>(.waiting(nil))

    /// Delivers the result (to the waiter, or to the one that comes).
    func finish(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .finished(result)
            return waiter
        }
        waiter?.resume(with: result)
    }

    /// Waits for the result; throws `CancellationError` when the waiting task is cancelled first.
    func value() async throws -> T {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state -> Result<T, any Error>? in
                    switch state {
                    case .waiting:
                        state = .waiting(continuation)
                        return nil
                    case .finished(let result): return result
                    case .abandoned: return .failure(CancellationError())
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
                guard case .waiting(let waiter) = state else { return nil }
                state = .abandoned
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
