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

    /// A database error as a storage error: storage errors and cancellation pass through,
    /// anything else becomes ``StorageError/unavailable(_:)`` described without its query or
    /// binds (which could hold personal data).
    static func storageError(_ error: any Error) -> any Error {
        switch error {
        case let error as StorageError: error
        case is CancellationError: error
        default: StorageError.unavailable(describe(error))
        }
    }

    /// Whether an error is a deadlock or serialization failure that running again may clear.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let state = sqlState(error) else { return false }
        return state == SQLState.deadlockDetected || state == SQLState.serializationFailure
    }

    /// An error's description: the code, SQLSTATE and the server's message (never the query,
    /// its binds or the server's `detail`, which may repeat values).
    static func describe(_ error: any Error) -> String {
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
        let rows: PostgresRowSequence = try await self.query(query, logger: logger)
        return try await rows.collect()
    }
}
