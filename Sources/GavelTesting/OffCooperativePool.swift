import Dispatch
import Testing

/// A task executor on its own serial dispatch queue, outside Swift's cooperative thread pool:
/// work that keeps a thread busy for a long time (a simulated market, a million hashes) runs
/// here, one job at a time, so that on a 2-core machine it takes at most one core and cannot
/// starve the cooperative pool that every other test's timers, servers and clients share when
/// the suite runs in parallel.
public final class DedicatedExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: a DispatchQueue is thread-safe but not declared Sendable on every platform.
    private let queue: DispatchQueue

    /// An executor on a new serial queue.
    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// The shared executor for heavy tests.
    public static let heavyTests = DedicatedExecutor(label: "gavel.tests.heavy")

    /// Runs a job on the queue.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// Runs each test it is applied to (a test or a whole suite) on ``DedicatedExecutor``, off the
/// cooperative pool: `@Suite(.heavy)` for tests that compute for seconds.
public struct HeavyTrait: TestTrait, SuiteTrait, TestScoping {
    /// The suite's tests each get the scope, not the suite as a whole.
    public var isRecursive: Bool { true }

    /// Runs the test with the dedicated executor preferred.
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil || !test.isSuite else { return try await function() }
        try await withTaskExecutorPreference(DedicatedExecutor.heavyTests) { try await function() }
    }
}

extension Trait where Self == HeavyTrait {
    /// Runs a computation-heavy test off the cooperative pool (see ``HeavyTrait``).
    public static var heavy: Self { HeavyTrait() }
}
