import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// The session advisory lock (two 32-bit keys: "gavel", "migrate") that serializes
    /// migrations when several nodes start at once.
    static let migrationLock = "1734439276, 1835627374"

    /// Applies the migrations the database has not seen yet, each in its own transaction, and
    /// returns the names of those applied now. Idempotent, and safe when several nodes start at
    /// once: it runs under a session advisory lock, so the second node waits, then finds
    /// nothing to do. Fails with ``StorageError/unavailable(_:)`` when the database cannot be
    /// reached within ``Configuration/connectTimeout``.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await migrate(before: nil)
    }

    /// Applies the migrations up to (not including) the one named `before` (all with `nil`):
    /// tests write a database as an older version did.
    @discardableResult
    func migrate(before: String?) async throws -> [String] {
        try await checkReachable()
        return try await withConnection(limit: .unbounded) { connection in
            try await connection.checkedQuery("SELECT pg_advisory_lock(\(unescaped: Self.migrationLock))", logger: self.logger)
            do {
                let applied = try await self.applyMigrations(connection, before: before)
                try await connection.checkedQuery("SELECT pg_advisory_unlock(\(unescaped: Self.migrationLock))", logger: self.logger)
                return applied
            } catch {
                // Closing the connection releases its session lock.
                try? await connection.close()
                throw error
            }
        }
    }

    /// The names of every migration this version knows, in order.
    public static var migrationNames: [String] {
        PostgresSchema.migrations.map(\.name)
    }

    /// The names of the migrations the database has applied, in order.
    public func appliedMigrations() async throws -> [String] {
        let rows = try await rows("SELECT name FROM schema_migrations ORDER BY applied_at, name")
        return try rows.map { try $0.decode(String.self) }
    }

    private func applyMigrations(_ connection: PostgresConnection, before: String?) async throws -> [String] {
        try await connection.checkedQuery(PostgresQuery(unsafeSQL: PostgresSchema.migrationsTable), logger: logger)
        let rows = try await connection.checkedQuery("SELECT name FROM schema_migrations", logger: logger).collect()
        let applied = Set(try rows.map { try $0.decode(String.self) })
        var now: [String] = []
        for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
            if migration.name == before { break }
            try await apply(migration, on: connection)
            now.append(migration.name)
        }
        return now
    }

    private func apply(_ migration: PostgresSchema.Migration, on connection: PostgresConnection) async throws {
        try await connection.checkedQuery("BEGIN", logger: logger)
        do {
            for statement in migration.statements {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.checkedQuery("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
            try await connection.checkedQuery("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
            throw StorageError.unavailable("cannot apply migration \(migration.name): \(Self.describe(error))")
        }
    }

    /// Opens one connection of its own and closes it, at most ``Configuration/connectTimeout``,
    /// so a wrong address, password or database name fails at start with the server's reason
    /// (the pool would retry and wait forever).
    func checkReachable() async throws {
        let (connection, logger) = (try address.connection(), logger)
        try await withTimeout(configuration.connectTimeout) {
            do {
                try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger).close()
            } catch {
                throw StorageError.unavailable("cannot connect to PostgreSQL: \(Self.describe(error))")
            }
        }
    }
}
