import Foundation
import GRDB
import GavelCore
import GavelStoreSupport

/// The embedded store: one SQLite file in WAL mode, for one `gavel serve` process.
///
/// Every write goes through ``GroupCommit``: concurrent writes share transactions, and each
/// caller returns once its transaction is committed with `synchronous=FULL`, so an
/// acknowledged write survives a crash or power loss. Reads run on a pool of reader
/// connections and never wait for writes.
///
/// Cap usage, buyer balances and suppression lists are also kept in memory (guarded by locks)
/// so that holding a cap slot is atomic and matching a lead costs no query. That is sound
/// because this process is the database's only writer; several nodes need the PostgreSQL store.
///
/// Opening a store migrates its schema (see ``migrate()``) and loads the suppression lists.
/// Cap counters are loaded lazily, the first time each (campaign, period) is asked about. A
/// hold stays counted until released or sold; if recording a sale fails, its slot stays
/// counted (the safe side) until the process restarts and reloads the persisted usage.
///
/// Reports read hourly rollup tables only, never the facts: each write leaves its increments
/// (report counters, cap usage, balances) in ``BatchTotals``, and the group commit adds them,
/// merged per row, in the same transaction as the facts. A lead's pings, posts and skips are
/// one compact BLOB on its row (``LeadRecordsCodec``); sales and ledger entries are rows.
public final class SQLiteStore: Storage {
    /// How the store opens its database.
    public struct Configuration: Sendable {
        /// How long a statement waits for a lock held by another connection, in seconds.
        public var busyTimeoutSeconds: Double
        /// The most writes committed in one transaction.
        public var maxBatch: Int
        /// The most concurrent reader connections.
        public var maxReaders: Int

        /// Creates a configuration.
        public init(busyTimeoutSeconds: Double = 5, maxBatch: Int = 1_000, maxReaders: Int = 5) {
            self.busyTimeoutSeconds = busyTimeoutSeconds
            self.maxBatch = maxBatch
            self.maxReaders = maxReaders
        }
    }

    /// The database file's path.
    public let path: String
    let pool: DatabasePool
    let commit: GroupCommit
    let clock: any WallClock
    let usage = Locked(UsageBook())
    let suppressionIndex = Locked(SuppressionIndex())
    let totals = BatchTotals()
    /// The database's secret for contact keys (see ``contactKeySecret()``).
    let secret: [UInt8]
    private let temporaryDirectory: String?

    /// Opens (creating if needed) the SQLite database at `path`, migrates it and loads its
    /// in-memory indexes.
    public convenience init(path: String, clock: any WallClock = SystemWallClock(), configuration: Configuration = Configuration()) throws {
        try self.init(path: path, clock: clock, configuration: configuration, temporaryDirectory: nil)
    }

    private init(path: String, clock: any WallClock, configuration: Configuration, temporaryDirectory: String?) throws {
        self.path = path
        self.clock = clock
        self.temporaryDirectory = temporaryDirectory
        do {
            pool = try DatabasePool(path: path, configuration: Self.grdbConfiguration(configuration))
            try pool.writeWithoutTransaction { db in try db.execute(sql: Self.writerPragmas) }
        } catch {
            throw StorageError.unavailable("cannot open the SQLite database at \(path): \(Self.describe(error))")
        }
        commit = GroupCommit(writer: pool, maxBatch: configuration.maxBatch, finisher: totals)
        let applied = try Self.applyMigrations(pool)
        secret = try Self.loadSecret(pool)
        if applied.contains("v3-privacy") { try Self.scrubFreeSpace(pool) }
        try loadSuppressions()
    }

    deinit {
        if let temporaryDirectory {
            try? FileManager.default.removeItem(atPath: temporaryDirectory)
        }
    }

    /// A store on a fresh temporary file that is deleted when the store is released (tests,
    /// demos, `sqlite::memory:`).
    public static func temporary(
        clock: any WallClock = SystemWallClock(), configuration: Configuration = Configuration()
    ) throws -> SQLiteStore {
        let directory = NSTemporaryDirectory() + "gavel-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StorageError.unavailable("cannot create a temporary directory: \(error.localizedDescription)")
        }
        return try SQLiteStore(path: directory + "/gavel.sqlite", clock: clock, configuration: configuration, temporaryDirectory: directory)
    }

    /// Opens the SQLite store a database URL names; a PostgreSQL URL is refused with
    /// ``StorageError/unavailable(_:)`` (it is the PostgreSQL store's to open).
    public static func open(
        _ url: DatabaseURL, clock: any WallClock = SystemWallClock(), configuration: Configuration = Configuration()
    ) throws -> SQLiteStore {
        switch url {
        case .sqlite(let path): return try SQLiteStore(path: path, clock: clock, configuration: configuration)
        case .temporarySQLite: return try temporary(clock: clock, configuration: configuration)
        case .postgres: throw StorageError.unavailable("\(url) is a PostgreSQL database, not SQLite")
        }
    }

    /// Applies the migrations the database has not seen yet (idempotent: opening a store
    /// already does it, so `gavel serve` calling it again finds nothing to do). Returns the
    /// names of those applied now.
    @discardableResult
    public func migrate() async throws -> [String] {
        try Self.applyMigrations(pool)
    }

    private static func applyMigrations(_ pool: DatabasePool) throws -> [String] {
        do {
            let migrator = SQLiteSchema.migrator
            let before = try pool.read { db in try migrator.appliedIdentifiers(db) }
            try migrator.migrate(pool)
            return migrator.migrations.filter { !before.contains($0) }
        } catch {
            throw StorageError.unavailable("cannot migrate the SQLite database: \(Self.describe(error))")
        }
    }

    private static func loadSecret(_ pool: DatabasePool) throws -> [UInt8] {
        let stored = try? pool.read { db in try Data.fetchOne(db, sql: "SELECT secret FROM privacy_secret WHERE id = 1") }
        guard let stored, stored.count == 32 else { throw StorageError.unavailable("the SQLite database has no contact key secret") }
        return Array(stored)
    }

    /// Rewrites the whole file once, after the privacy migration of a database that held
    /// leads: free space written before `secure_delete` was on may still hold old row
    /// versions, and `VACUUM` leaves none. The WAL is then truncated.
    private static func scrubFreeSpace(_ pool: DatabasePool) throws {
        do {
            try pool.writeWithoutTransaction { db in
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM leads)") == true else { return }
                try db.execute(sql: "VACUUM")
                try db.checkpoint(.truncate)
            }
        } catch {
            throw StorageError.unavailable("cannot vacuum the SQLite database: \(Self.describe(error))")
        }
    }

    /// The names of the migrations the database has applied, in order.
    public func appliedMigrations() throws -> [String] {
        let migrator = SQLiteSchema.migrator
        return try pool.read { db in try migrator.appliedMigrations(db) }
    }

    /// Settings of the writer connection, applied after GRDB's WAL set-up (which picks
    /// `synchronous=NORMAL`, where a power loss may undo the last commits):
    /// - `synchronous=FULL`: every commit is fsynced, so an acknowledged write survives power loss;
    /// - `temp_store=MEMORY`: the savepoint of each batched write journals in memory, not in a
    ///   temporary file (this alone more than doubles group-commit throughput);
    /// - a 64 MiB page cache, so a large batch never spills to the WAL before its commit;
    /// - checkpoints every 10,000 WAL pages (~40 MiB) instead of 1,000, so fewer commits pay
    ///   for one;
    /// - `secure_delete`: whatever a write frees (an old row version, a deleted row, a page) is
    ///   overwritten with zeros, so erased personal data leaves no copy in the file.
    static let writerPragmas = """
        PRAGMA synchronous = FULL;
        PRAGMA secure_delete = ON;
        PRAGMA temp_store = MEMORY;
        PRAGMA cache_size = -65536;
        PRAGMA wal_autocheckpoint = 10000;
        """

    private static func grdbConfiguration(_ configuration: Configuration) -> GRDB.Configuration {
        var config = GRDB.Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(configuration.busyTimeoutSeconds)
        config.maximumReaderCount = configuration.maxReaders
        config.label = "gavel"
        return config
    }

    // MARK: Shared helpers

    /// A write in the next group commit, with database errors reported as storage errors.
    /// `afterCommit` runs in commit order once the write is durable (see ``GroupCommit``).
    func write<T: Sendable>(
        _ work: @escaping @Sendable (Database) throws -> T, afterCommit: (@Sendable (T) -> Void)? = nil
    ) async throws -> T {
        do {
            return try await commit.write(work, afterCommit: afterCommit)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// A read on a reader connection, with database errors reported as storage errors.
    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(work)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// Reads outside a transaction: for one check that a later write makes again atomically
    /// (it saves the read transaction's begin and end on every lead).
    func readUnisolated<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.unsafeRead(work)
        } catch {
            throw Self.storageError(error)
        }
    }

    /// A database error as a storage error (storage errors and cancellation pass through):
    /// ``StorageError/unavailable(_:)`` when SQLite cannot serve now but may soon (see
    /// ``isUnavailable(_:)``), ``StorageError/failed(_:)`` for anything else.
    static func storageError(_ error: any Error) -> any Error {
        switch error {
        case let error as StorageError: error
        case is CancellationError: CancellationError()
        case let error as DatabaseError where isUnavailable(error.resultCode): StorageError.unavailable(describe(error))
        default: StorageError.failed(describe(error))
        }
    }

    /// Whether an SQLite result code means the database cannot serve now but may soon: the disk
    /// is full (`SQLITE_FULL`), an I/O error (`SQLITE_IOERR`), a lock held past the busy
    /// timeout (`SQLITE_BUSY`, `SQLITE_LOCKED`), the file cannot be opened or written
    /// (`SQLITE_CANTOPEN`, `SQLITE_READONLY`), memory ran out (`SQLITE_NOMEM`) or a locking
    /// protocol race (`SQLITE_PROTOCOL`). A transaction that failed this way was rolled back.
    static func isUnavailable(_ code: ResultCode) -> Bool {
        [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_NOMEM, .SQLITE_PROTOCOL]
            .contains(code)
    }

    /// An error's description without SQL arguments (which could hold personal data).
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "unknown")"
        }
        return String(describing: error)
    }
}

extension SQLiteStore {
    /// Writes the time into the one-row `readiness` table through the group commit and returns
    /// once it is on disk: ``StorageError/unavailable(_:)`` when the disk is full or the file
    /// cannot be written.
    public func checkWritable() async throws {
        let now = clock.now().milliseconds
        try await write { db in
            try db.execute(
                sql: "INSERT INTO readiness (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                arguments: [now])
        }
    }

    /// How the database file is set up, for health checks and tests.
    public struct Diagnostics: Sendable, Hashable {
        /// The journal mode (`wal`).
        public var journalMode: String
        /// The writer's `synchronous` level: `full` makes every commit survive power loss.
        public var synchronous: String
        /// Whether foreign keys are enforced.
        public var foreignKeys: Bool
        /// Whether what writes free is overwritten with zeros (`secure_delete`).
        public var secureDelete: Bool
    }

    /// Reads the writer connection's settings (also a cheap check that the database answers).
    public func diagnostics() async throws -> Diagnostics {
        try await pool.writeWithoutTransaction { db in
            let levels = [0: "off", 1: "normal", 2: "full", 3: "extra"]
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            return Diagnostics(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                synchronous: levels[synchronous] ?? String(synchronous),
                foreignKeys: try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false,
                secureDelete: try Int.fetchOne(db, sql: "PRAGMA secure_delete") == 1)
        }
    }
}
