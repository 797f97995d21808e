import Foundation
import GRDB
import GavelCore
import GavelStoreSupport

/// Group commit: concurrent writers share transactions, so one fsync makes many writes durable.
///
/// Each caller enqueues its write closure and suspends. The first caller to find no batch
/// running starts a drain on the database's serial writer queue (no Swift task is spawned):
/// it takes everything queued, runs each closure in its own savepoint inside one transaction
/// (so one failing closure rolls back only itself), commits, and then resumes every waiter with
/// its own result — only after the commit, so a returned write is on disk. Writes that arrive
/// while a batch commits form the next batch; the drain ends when the queue is empty, and the
/// next caller starts a new one.
///
/// A ``BatchFinisher`` may add work once per batch, after every write ran and before the
/// commit (the store writes its merged report rollups and usage counters there).
final class GroupCommit: Sendable {
    /// The most closures in one transaction, to bound a batch's latency.
    let maxBatch: Int
    private let writer: any DatabaseWriter
    private let finisher: (any BatchFinisher)?
    private let state = Locked(State())

    private struct State {
        var queue: [any BatchedWrite] = []
        var draining = false
    }

    /// Creates a group committer over a database writer.
    init(writer: any DatabaseWriter, maxBatch: Int = 1_000, finisher: (any BatchFinisher)? = nil) {
        self.writer = writer
        self.maxBatch = maxBatch
        self.finisher = finisher
    }

    /// Runs `work` inside a shared transaction and returns its result once that transaction is
    /// committed. Errors thrown by `work` roll back only its own changes.
    ///
    /// `afterCommit` runs on the writer queue right after the commit, before any later write
    /// commits: in-memory indexes updated there change in the same order as the database.
    func write<T: Sendable>(
        _ work: @escaping @Sendable (Database) throws -> T, afterCommit: (@Sendable (T) -> Void)? = nil
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(PendingWrite(work: work, afterCommit: afterCommit, continuation: continuation))
        }
    }

    private func enqueue(_ write: any BatchedWrite) {
        let startsDrain = state.withLock { state in
            state.queue.append(write)
            defer { state.draining = true }
            return !state.draining
        }
        if startsDrain {
            writer.asyncWriteWithoutTransaction { [self] db in drain(db) }
        }
    }

    /// Runs batches until the queue is empty. Called on the writer queue.
    private func drain(_ db: Database) {
        while let batch = nextBatch() {
            run(batch, db: db)
        }
    }

    private func nextBatch() -> [any BatchedWrite]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.draining = false
                return nil
            }
            let count = min(maxBatch, state.queue.count)
            let batch = Array(state.queue[..<count])
            state.queue.removeFirst(count)
            return batch
        }
    }

    private func run(_ batch: [any BatchedWrite], db: Database) {
        do {
            try db.inTransaction(.immediate) {
                if batch.count == 1 {
                    guard batch[0].perform(db) else { return rollback() }
                } else {
                    for write in batch { try performInSavepoint(write, db: db) }
                }
                try finisher?.finish(db)
                return .commit
            }
            for write in batch { write.complete(failure: nil) }
        } catch {
            finisher?.discard()
            for write in batch { write.complete(failure: error) }
        }
    }

    private func rollback() -> Database.TransactionCompletion {
        finisher?.discard()
        return .rollback
    }

    /// One closure in its own savepoint, with cached statements (this runs once per write).
    private func performInSavepoint(_ write: any BatchedWrite, db: Database) throws {
        try db.cachedStatement(sql: "SAVEPOINT batched_write").execute()
        if !write.perform(db) {
            try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT batched_write").execute()
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT batched_write").execute()
    }
}

/// Work run once per batch of writes, on the writer queue. Writes that succeed leave their
/// share behind (e.g. report counters to merge); the finisher writes it all just before the
/// commit, or forgets it when the batch fails.
protocol BatchFinisher: Sendable {
    /// Writes what the batch's successful writes left behind, inside its transaction.
    func finish(_ db: Database) throws
    /// Forgets what the batch left behind (it did not commit).
    func discard()
}

/// A queued write, type-erased.
private protocol BatchedWrite: AnyObject, Sendable {
    /// Runs the closure; `false` when it threw (its changes must be rolled back).
    func perform(_ db: Database) -> Bool
    /// Resumes the waiter: with the closure's result, or with `failure` when the transaction
    /// did not commit.
    func complete(failure: (any Error)?)
}

/// A queued write and its waiter. Its mutable state is touched only on the writer queue, by
/// one drain at a time.
private final class PendingWrite<T: Sendable>: BatchedWrite, @unchecked Sendable {
    private let work: @Sendable (Database) throws -> T
    private let afterCommit: (@Sendable (T) -> Void)?
    private let continuation: CheckedContinuation<T, any Error>
    private var result: Result<T, any Error>?

    init(
        work: @escaping @Sendable (Database) throws -> T, afterCommit: (@Sendable (T) -> Void)?,
        continuation: CheckedContinuation<T, any Error>
    ) {
        self.work = work
        self.afterCommit = afterCommit
        self.continuation = continuation
    }

    func perform(_ db: Database) -> Bool {
        do {
            result = .success(try work(db))
            return true
        } catch {
            result = .failure(error)
            return false
        }
    }

    func complete(failure: (any Error)?) {
        switch (result, failure) {
        case (.failure(let error)?, _): continuation.resume(throwing: error)
        case (_, let failure?): continuation.resume(throwing: failure)
        case (.success(let value)?, nil):
            afterCommit?(value)
            continuation.resume(returning: value)
        case (nil, nil): continuation.resume(throwing: StorageError.unavailable("a batched write was not run"))
        }
    }
}
