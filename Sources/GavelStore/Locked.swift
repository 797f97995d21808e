import Foundation

/// A value guarded by a lock: the store's in-memory books (cap usage, suppression lists) are
/// plain value types, and this is the only concurrency around them.
///
/// `Synchronization.Mutex` would do the same but needs macOS 15; the package targets macOS 14.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    /// Creates a lock around a value.
    init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
