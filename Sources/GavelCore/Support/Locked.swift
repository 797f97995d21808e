import Synchronization

/// A value guarded by a lock, shared by reference: the one lock primitive of the exchange.
/// State that several tasks touch (the stores' in-memory books, rate limits, registries, the
/// configuration cache) is a plain value type kept in a `Locked`, and this is the only
/// concurrency around it.
///
/// A class around `Synchronization.Mutex` (which cannot be copied), so that the closures and
/// services that need the value can share it.
///
/// `withLock` is inlinable so that each module using it gets a copy specialized for its value
/// and result types: unspecialized, every call looked up generic metadata at run time (a
/// measurable share of the server's CPU on the buyer-call path, docs/PERFORMANCE.md).
public final class Locked<Value: Sendable>: Sendable {
    @usableFromInline let mutex: Mutex<Value>

    /// Creates a lock around a value.
    public init(_ value: Value) {
        mutex = Mutex(value)
    }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    public func withLock<Result: Sendable, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in try body(&value) }
    }
}
