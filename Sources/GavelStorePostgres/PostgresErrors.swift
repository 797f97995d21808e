import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// SQLSTATE codes the store reacts to.
    enum SQLState {
        static let uniqueViolation = "23505"
        static let foreignKeyViolation = "23503"
        static let serializationFailure = "40001"
        static let deadlockDetected = "40P01"
    }

    /// A database error as a storage error, described without its query or binds (which could
    /// hold personal data): storage errors and cancellation pass through; an error the server
    /// sent is ``StorageError/unavailable(_:)`` when it means the database cannot serve now
    /// (see ``isUnavailable(sqlState:)``) and ``StorageError/failed(_:)`` otherwise, as is a row
    /// that does not decode; everything else — a refused or dropped connection, no connection
    /// from the pool — is ``StorageError/unavailable(_:)``.
    static func storageError(_ error: any Error) -> any Error {
        switch error {
        case let error as StorageError: error
        case is CancellationError: error
        case is PostgresDecodingError: StorageError.failed(describe(error))
        case let error as PSQLError where error.serverInfo != nil:
            isUnavailable(sqlState: sqlState(error) ?? "")
                ? StorageError.unavailable(describe(error)) : StorageError.failed(describe(error))
        default: StorageError.unavailable(describe(error))
        }
    }

    /// Whether a server error means the database cannot serve now, though it may soon:
    /// connection exceptions (class 08), insufficient resources such as a full disk (53),
    /// operator intervention such as a shutdown or a server still starting (57), system I/O
    /// errors (58), a transaction rolled back by a conflict (40), a lock not available (55P03),
    /// or a read-only server (25006, a standby after a failover).
    static func isUnavailable(sqlState state: String) -> Bool {
        ["08", "53", "57", "58", "40"].contains(String(state.prefix(2))) || state == "55P03" || state == "25006"
    }

    /// Whether an error is a deadlock or serialization failure that running again may clear.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state == SQLState.deadlockDetected || state == SQLState.serializationFailure
    }

    /// An error's description: the code, SQLSTATE and the server's message (never the query,
    /// its binds or the server's `detail`, which may repeat values).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresDecodingError { return "PostgreSQL row decoding failed: \(error.code)" }
        guard let error = error as? PSQLError else { return String(describing: error) }
        guard let info = error.serverInfo else { return "PostgreSQL \(error.code)" + (error.underlying.map { ": \($0)" } ?? "") }
        let state = info[.sqlState] ?? "?"
        return "PostgreSQL error \(state): \(info[.message] ?? "unknown")"
    }

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}

extension PostgresConnection {
    /// Runs a statement and collects its rows.
    func all(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await checkedQuery(query, logger: logger).collect()
    }

    /// Runs a statement, refusing at once on a connection that is already closed
    /// (``StorageError/unavailable(_:)``). PostgresNIO drops a statement written to a connection
    /// closed under it without ever answering, so its caller would wait forever: this happens
    /// when the database restarts and the pool lends a connection before it learns it closed, or
    /// when a statement of a transaction failed because its connection closed.
    @discardableResult
    func checkedQuery(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try checkOpen()
        return try await self.query(query, logger: logger)
    }

    /// Executes a prepared statement, refusing at once on a closed connection (see
    /// ``checkedQuery(_:logger:)``).
    func checkedExecute<Statement: PostgresPreparedStatement, Row>(
        _ statement: Statement, logger: Logger
    ) async throws
        -> AsyncThrowingMapSequence<PostgresRowSequence, Row> where Row == Statement.Row
    {
        try checkOpen()
        return try await execute(statement, logger: logger)
    }

    /// ``StorageError/unavailable(_:)`` when the connection is closed.
    func checkOpen() throws {
        guard !isClosed else { throw StorageError.unavailable("the PostgreSQL connection closed") }
    }
}
