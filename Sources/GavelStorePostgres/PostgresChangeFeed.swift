import Foundation
import GavelCore
import GavelStoreSupport
import Logging
import PostgresNIO

/// The subscribers to a store's configuration changes. Each gets its own stream, which keeps
/// only the newest notifications when its reader lags: a reader reloads everything anyway.
///
/// A subscriber gets ``PostgresStore/resyncPayload`` whenever the `LISTEN` connection is
/// (re)established, and at once when it subscribes while the connection is up: so from its
/// first element on, no change can slip between its own load and the notifications.
final class PostgresChangeFeed: Sendable {
    private struct State {
        var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
        var listening = false
        var finished = false
    }

    private let state = Locked(State())

    /// A new subscriber's stream; it ends when the store stops.
    func subscribe() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(32))
        let id = UUID()
        let (finished, listening) = state.withLock { state -> (Bool, Bool) in
            if !state.finished { state.subscribers[id] = continuation }
            return (state.finished, state.listening)
        }
        if finished {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        if listening { continuation.yield(PostgresStore.resyncPayload) }
        return stream
    }

    /// The `LISTEN` connection is up: every subscriber resyncs.
    func connected() {
        let continuations = state.withLock { state in
            state.listening = true
            return Array(state.subscribers.values)
        }
        for continuation in continuations { continuation.yield(PostgresStore.resyncPayload) }
    }

    /// The `LISTEN` connection is down.
    func disconnected() {
        state.withLock { $0.listening = false }
    }

    /// Hands a notification's payload to every subscriber.
    func publish(_ payload: String) {
        let continuations = state.withLock { Array($0.subscribers.values) }
        for continuation in continuations { continuation.yield(payload) }
    }

    /// Ends every stream; later subscribers get an ended stream.
    func finish() {
        let continuations = state.withLock { state in
            defer {
                state.subscribers = [:]
                state.finished = true
            }
            return Array(state.subscribers.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}

extension PostgresStore {
    /// The channel every configuration write notifies, with the kind of what changed as its
    /// payload.
    static let configChannel = "gavel_config"

    /// The payload delivered after the `LISTEN` connection was (re)established: changes may
    /// have been missed meanwhile, so reload everything.
    public static let resyncPayload = "resync"

    /// Configuration changes made by any node (this one included), as the kinds that changed:
    /// `vertical`, `seller`, `buyer`, `campaign`, `settings`, `api_key`, or ``resyncPayload``
    /// whenever the `LISTEN` connection is (re)established — and first thing when subscribing
    /// while it is up (so once a subscriber has seen a `resync`, no change can be missed). Each
    /// element means "reload": call
    /// ``loadConfig()`` (and ``apiKeys()``) and swap them in. A notification arrives only
    /// after its write committed, so a reload it triggers sees that write. The stream keeps
    /// the newest 32 elements when its reader lags and ends when the store stops.
    public func configChanges() -> AsyncStream<String> {
        feed.subscribe()
    }

    /// Notifies every node of a change, inside the caller's statement or transaction.
    static func notifyExpression(_ kind: String) -> String {
        "pg_notify('\(configChannel)', '\(kind)')"
    }

    /// Listens on the configuration channel until cancelled, reconnecting after
    /// ``Configuration/listenRetry`` whenever the connection drops.
    func listen() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in try await listen(on: connection) }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("configuration LISTEN connection lost; reconnecting", metadata: ["error": "\(Self.describe(error))"])
            }
            try? await Task.sleep(for: configuration.listenRetry)
        }
    }

    /// Listens on one connection, probing it every heartbeat so that a connection that died
    /// silently is noticed (the probe closes it, which ends the notifications).
    private func listen(on connection: PostgresConnection) async throws {
        try connection.checkOpen()
        try await connection.listen(on: Self.configChannel) { notifications in
            feed.connected()
            defer { feed.disconnected() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.probe(connection) }
                defer { group.cancelAll() }
                for try await notification in notifications {
                    feed.publish(notification.payload)
                }
                throw StorageError.unavailable("the LISTEN connection ended")
            }
        }
    }

    private func probe(_ connection: PostgresConnection) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.heartbeat)
                try await connection.checkedQuery("SELECT 1", logger: logger)
            } catch {
                if !Task.isCancelled { try? await connection.close() }
                return
            }
        }
    }
}
