import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// Registers this node (or tells the others it is still alive). The heartbeat starts
    /// once the node has joined (after its database was migrated).
    func join() async throws {
        try await execute(
            """
            INSERT INTO nodes (id) VALUES (\(nodeID))
            ON CONFLICT (id) DO UPDATE SET seen_at = clock_timestamp()
            """)
        joined.withLock { $0 = true }
    }

    /// Tells the others this node is alive, as a write that must reach the database within
    /// two seconds (or ``Configuration/leaseTimeout`` if shorter):
    /// ``StorageError/unavailable(_:)`` when the database is down, restarting, read-only or out
    /// of disk space.
    public func checkWritable() async throws {
        let (id, logger) = (nodeID, logger)
        _ = try await withConnection(leaseTimeout: min(configuration.leaseTimeout, .seconds(2))) { connection in
            try await connection.checkedQuery(
                """
                INSERT INTO nodes (id) VALUES (\(id))
                ON CONFLICT (id) DO UPDATE SET seen_at = clock_timestamp()
                """, logger: logger
            ).collect().count
        }
    }

    /// Until cancelled, every heartbeat once the node has joined: says this node is alive,
    /// releases the holds of gone nodes, and folds report deltas into the rollups. A failed
    /// beat is logged and retried at the next one.
    func beat() async {
        while !Task.isCancelled {
            do {
                if joined.withLock({ $0 }) {
                    try await join()
                    try await sweepGoneNodes()
                    try await compactReportDeltas()
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("node heartbeat failed", metadata: ["error": "\(Self.describe(error))"])
            }
            try? await Task.sleep(for: configuration.heartbeat)
        }
    }

    /// Leaves gracefully, if it joined: gives back this node's outstanding holds and removes
    /// its row, for at most ``Configuration/connectTimeout`` (a node that cannot reach the
    /// database leaves its holds to the others' sweep).
    func leave() async {
        guard joined.withLock({ $0 }) else { return }
        do {
            try await withTimeout(configuration.connectTimeout) {
                try await self.dropHolds(where: "node_id = '\(self.nodeID)'")
                try await self.execute("DELETE FROM nodes WHERE id = \(self.nodeID)")
            }
        } catch {
            logger.warning("could not leave the node table cleanly", metadata: ["error": "\(Self.describe(error))"])
        }
    }

    /// Runs `work`, failing with ``StorageError/unavailable(_:)`` when it takes longer than
    /// `timeout` (the pool would wait for a connection forever).
    func withTimeout(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> Void) async throws {
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await work()
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        guard finished else { throw StorageError.unavailable("the PostgreSQL database did not answer within \(timeout)") }
    }

    /// The SQL condition "this node, or a node that is gone": a node is gone when its row is
    /// missing or silent for the node timeout.
    func ownOrGoneNode(_ column: String) -> String {
        "(\(column) = '\(nodeID)' OR \(column) NOT IN (SELECT id FROM nodes WHERE seen_at > clock_timestamp() - \(nodeTimeoutInterval)))"
    }

    /// The node timeout as an SQL interval literal.
    var nodeTimeoutInterval: String {
        "interval '\(configuration.nodeTimeout.milliseconds) milliseconds'"
    }

    /// Releases the holds of gone nodes (older than the node timeout, so a node that has just
    /// started and not beaten yet keeps its own) and forgets those nodes.
    private func sweepGoneNodes() async throws {
        try await dropHolds(
            where: """
                node_id NOT IN (SELECT id FROM nodes WHERE seen_at > clock_timestamp() - \(nodeTimeoutInterval))
                AND created_at < clock_timestamp() - \(nodeTimeoutInterval)
                """)
        try await execute("DELETE FROM nodes WHERE seen_at < clock_timestamp() - \(unescaped: nodeTimeoutInterval)")
    }

    /// Releases holds one by one, each in its own statement (`gavel_drop_hold` locks usage rows
    /// in order, and only one node releases each hold).
    private func dropHolds(where condition: String) async throws {
        let rows = try await rows(PostgresQuery(unsafeSQL: "SELECT id FROM cap_holds WHERE \(condition)"))
        for id in try rows.map({ try $0.decode(Int64.self) }) {
            try await execute("SELECT gavel_drop_hold(\(id))")
        }
    }
}
