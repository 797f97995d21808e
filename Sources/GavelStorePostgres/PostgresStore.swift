import Foundation
import GavelCore
import GavelStoreSupport
import Logging
import PostgresNIO

/// The scale-out store: one PostgreSQL database shared by several stateless `gavel serve`
/// nodes behind a load balancer.
///
/// Everything that must hold across nodes is enforced by the database in one transaction, never
/// by a node-local counter: cap slots and buyer credit (``hold(_:)`` locks the usage rows and
/// checks every limit), dedupe (``insertLead(_:dedupeSince:)`` serializes per contact key with
/// transaction-scoped advisory locks), single-use pings and idempotency keys (conditional
/// `UPDATE … RETURNING` and `INSERT … ON CONFLICT DO NOTHING`). Every configuration write
/// notifies the channel `gavel_config` in its transaction; ``configChanges()`` delivers those
/// notifications from a `LISTEN` connection that reconnects when it drops.
///
/// Each store is a *node*: it registers in the `nodes` table and beats every
/// ``Configuration/heartbeat``. Cap holds are rows of `cap_holds` tagged with their node, so
/// that usage is always *sold plus outstanding holds*: a sale consumes its hold, a release gives
/// it back, a node that stops gracefully gives back its own, and the holds (and pending leads)
/// of a node silent for ``Configuration/nodeTimeout`` are released (and reconciled) by the
/// others.
///
/// The store must run: use ``withStore(url:clock:configuration:logger:_:)`` for a scoped store,
/// or call ``run()`` in a long-lived task (a `Service` in `gavel serve`) and ``shutdown()`` to
/// end it gracefully.
public final class PostgresStore: Sendable {
    /// How the store connects and how its node keeps in touch.
    public struct Configuration: Sendable {
        /// The most connections the store's pool opens (the `LISTEN` connection is one of them).
        public var maxConnections: Int
        /// How often the node tells the others it is alive.
        public var heartbeat: Duration
        /// How long a node may stay silent before the others release its holds.
        public var nodeTimeout: Duration
        /// How long to wait before listening again after the `LISTEN` connection dropped.
        public var listenRetry: Duration
        /// How long a connection attempt may take.
        public var connectTimeout: Duration
        /// How long an operation waits for a pooled connection before it fails with
        /// ``StorageError/unavailable(_:)`` (while the database is down the pool keeps trying to
        /// connect, and would keep the operation waiting).
        public var leaseTimeout: Duration
        /// How long the work of one operation may take once it has a connection. Each statement
        /// is limited on the server to three quarters of it (`statement_timeout`: a statement
        /// waiting on a lock fails and changes nothing); past the whole limit the store stops
        /// waiting, closes the connection and fails with ``StorageError/unavailable(_:)``
        /// instead of keeping a seller waiting on a connection that will never answer. Long
        /// operator work (imports, audits, reports, erasures, migrations, the chain) is not
        /// limited.
        public var workLimit: Duration

        /// Creates a configuration.
        public init(
            maxConnections: Int = 20, heartbeat: Duration = .seconds(2), nodeTimeout: Duration = .seconds(30),
            listenRetry: Duration = .milliseconds(500), connectTimeout: Duration = .seconds(10), leaseTimeout: Duration = .seconds(5),
            workLimit: Duration = .seconds(15)
        ) {
            self.maxConnections = maxConnections
            self.heartbeat = heartbeat
            self.nodeTimeout = nodeTimeout
            self.listenRetry = listenRetry
            self.connectTimeout = connectTimeout
            self.leaseTimeout = leaseTimeout
            self.workLimit = workLimit
        }
    }

    /// This node's id in the `nodes` table (random per store).
    public let nodeID: String
    let client: PostgresClient
    let address: PostgresURL
    let configuration: Configuration
    let clock: any WallClock
    let logger: Logger
    let feed = PostgresChangeFeed()
    let alarms = Alarms()
    let joined = Locked(false)
    private let stop = AsyncStream<Void>.makeStream()

    /// Creates a store for a `postgres://user:pass@host:port/db` URL (not yet running: see
    /// ``run()``). Throws ``StorageError/unavailable(_:)`` for a URL it cannot read.
    public init(
        url: String, clock: any WallClock = SystemWallClock(), configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "gavel.postgres")
    ) throws {
        address = try PostgresURL(url)
        var clientConfiguration = address.client
        clientConfiguration.options.maximumConnections = configuration.maxConnections
        clientConfiguration.options.connectTimeout = configuration.connectTimeout
        clientConfiguration.options.additionalStartupParameters = [
            ("application_name", "gavel"), ("statement_timeout", "\(Self.statementTimeout(configuration.workLimit))ms"),
        ]
        client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        nodeID = UUID().uuidString.lowercased()
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    // MARK: Running

    /// Runs the store until ``shutdown()`` or cancellation: the connection pool, the node's
    /// heartbeat (which also releases the holds of silent nodes) and the `LISTEN` loop of
    /// ``configChanges()``. After ``shutdown()`` it first gives back this node's outstanding
    /// holds and leaves the `nodes` table; when cancelled it just stops (the others release
    /// its holds after ``Configuration/nodeTimeout``).
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.alarms.run() }
            await withDiscardingTaskGroup { background in
                background.addTask { await self.beat() }
                background.addTask { await self.listen() }
                for await _ in stop.stream {}
                background.cancelAll()
            }
            await leave()
            feed.finish()
            group.cancelAll()
        }
    }

    /// Asks ``run()`` to end gracefully.
    public func shutdown() {
        stop.continuation.finish()
    }

    /// Runs a store for the length of `body`: starts it, migrates its database, registers its
    /// node, calls `body`, then shuts it down gracefully (also when `body` throws).
    public static func withStore<T>(
        url: String, clock: any WallClock = SystemWallClock(), configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "gavel.postgres"), _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let store = try PostgresStore(url: url, clock: clock, configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await store.run() }
            do {
                try await store.migrate()
                try await store.join()
                let result = try await body(store)
                store.shutdown()
                try await group.waitForAll()
                return result
            } catch {
                store.shutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    // MARK: Shared helpers

    /// How long an operation's work may take once it has a connection.
    enum WorkLimit: Sendable {
        /// ``Configuration/workLimit``: everything on the lead path, and anything short.
        case standard
        /// No limit: long operator work (imports, audits, reports, erasures, migrations, the chain).
        case unbounded
    }

    /// Runs `work` on a pooled connection, with database errors reported as storage errors.
    ///
    /// Work the database aborted to break a deadlock (or a serialization conflict) changed
    /// nothing and is run again, up to three times in all. Writes that lock several usage rows
    /// lock them in one order, so this is rare (two sales recorded without holds, in opposite
    /// orders, at the same moment).
    ///
    /// No connection within ``Configuration/leaseTimeout`` (the database is down and the pool is
    /// still trying to reconnect) is ``StorageError/unavailable(_:)``; a connection the server
    /// closes under a statement fails that statement the same way, and so does work that has not
    /// finished within ``Configuration/workLimit`` (its connection is closed). The pool reconnects
    /// by itself once the database is back.
    func withConnection<T: Sendable>(
        leaseTimeout: Duration? = nil, limit: WorkLimit = .standard,
        _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let lease = leaseTimeout ?? configuration.leaseTimeout
        let bound: Duration? = limit == .standard ? configuration.workLimit : nil
        for attempt in 1...3 {
            do {
                return try await leased(timeout: lease, limit: bound, limit == .standard ? work : unlimited(work))
            } catch  where attempt < 3 && Self.isRetryable(error) {
                continue
            } catch {
                throw Self.storageError(error)
            }
        }
        throw StorageError.unavailable("unreachable")
    }

    /// The server's limit for one statement, in milliseconds: three quarters of the work limit,
    /// so that the server cancels a slow statement (which then changes nothing) before the
    /// store stops waiting for it.
    static func statementTimeout(_ workLimit: Duration) -> Int64 {
        max(1, workLimit.components.seconds * 750 + workLimit.components.attoseconds / 1_333_333_333_333_333)
    }

    /// `work` without the server's statement limit: lifted for the session first, restored
    /// after (a connection that cannot restore it is closed, so the pool never lends it out
    /// unlimited).
    private func unlimited<T: Sendable>(
        _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) -> @Sendable (PostgresConnection) async throws -> T {
        let logger = logger
        return { connection in
            try await connection.checkedQuery("SET statement_timeout = 0", logger: logger)
            let result: Result<T, any Error>
            do {
                result = .success(try await work(connection))
            } catch {
                result = .failure(error)
            }
            do {
                try await connection.checkedQuery("RESET statement_timeout", logger: logger)
            } catch {
                try? await connection.close()
            }
            return try result.get()
        }
    }

    /// What finished first: the work, or the wait for a connection.
    private enum Lease<T: Sendable>: Sendable {
        case done(T)
        case timer
    }

    /// Runs `work` on a pooled connection, raced against `timeout` for getting one (the timer
    /// ends only the wait for a connection), and with a `limit` waits at most that long for the
    /// work once it has its connection (``BoundedWork``: past it the connection is closed).
    private func leased<T: Sendable>(
        timeout: Duration, limit: Duration?, _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let (client, started, logger, alarms) = (client, Locked(false), logger, alarms)
        return try await withThrowingTaskGroup(of: Lease<T>.self) { group in
            group.addTask {
                .done(
                    try await client.withConnection { connection in
                        started.withLock { $0 = true }
                        guard let limit else { return try await work(connection) }
                        return try await BoundedWork.run(limit: limit, alarms: alarms) {
                            try await work(connection)
                        } onTimeout: {
                            logger.warning("PostgreSQL did not answer within \(limit); closing that connection")
                            try? await connection.close()
                        }
                    })
            }
            group.addTask {
                await alarms.sleep(for: timeout)
                return .timer
            }
            while let next = try await group.next() {
                guard case .done(let value) = next else {
                    if started.withLock({ $0 }) { continue }
                    group.cancelAll()
                    throw StorageError.unavailable("no PostgreSQL connection within \(timeout)")
                }
                group.cancelAll()
                return value
            }
            throw StorageError.unavailable("unreachable")
        }
    }

    /// Runs `work` in a transaction on a pooled connection: committed when it returns, rolled
    /// back when it throws (the error is rethrown as is, database errors as storage errors).
    func transaction<T: Sendable>(
        _ begin: PostgresQuery = "BEGIN", limit: WorkLimit = .standard,
        _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = logger
        return try await withConnection(limit: limit) { connection in
            try await connection.checkedQuery(begin, logger: logger)
            do {
                let result = try await work(connection)
                try await connection.checkedQuery("COMMIT", logger: logger)
                return result
            } catch {
                await self.rollback(connection)
                throw error
            }
        }
    }

    /// Runs `work` in a read-only transaction on one snapshot (several reads that must agree).
    func snapshot<T: Sendable>(
        limit: WorkLimit = .standard, _ work: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", limit: limit, work)
    }

    /// Rolls back; a connection that cannot is closed, so the pool never lends it out again
    /// inside a broken transaction.
    private func rollback(_ connection: PostgresConnection) async {
        do {
            try await connection.checkedQuery("ROLLBACK", logger: logger)
        } catch {
            try? await connection.close()
        }
    }

    /// Runs one statement on a pooled connection (autocommit) and collects its rows.
    func rows(_ query: PostgresQuery, limit: WorkLimit = .standard) async throws -> [PostgresRow] {
        let logger = logger
        return try await withConnection(limit: limit) { connection in try await connection.checkedQuery(query, logger: logger).collect() }
    }

    /// Runs one statement on a pooled connection (autocommit), ignoring its rows.
    func execute(_ query: PostgresQuery, limit: WorkLimit = .standard) async throws {
        _ = try await rows(query, limit: limit)
    }
}
