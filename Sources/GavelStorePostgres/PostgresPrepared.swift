import GavelCore
import PostgresNIO

/// A statement on a lead's path whose text never changes — only its binds do — run as a
/// named prepared statement: each connection has the server parse and plan it once, where an
/// unnamed statement is parsed and planned at every call. A conforming type names the
/// statement's fixed text (`sql`, built from a ``template(_:)`` of the same interpolation the
/// real statement uses) and carries one call's binds.
protocol PreparedQuery: PostgresPreparedStatement where Row == PostgresRow {
    /// This call's binds, in the order of the statement's placeholders.
    var binds: PostgresBindings { get }
}

extension PreparedQuery {
    /// The binds.
    func makeBindings() -> PostgresBindings { binds }

    /// The row as it is: the caller decodes it.
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// The fixed text of a statement built with placeholder values; the real statement must
    /// interpolate the same kinds of values in the same order (checked in debug builds by
    /// ``checked(_:)``).
    static func template(_ query: PostgresQuery) -> String { query.sql }

    /// The binds of a real statement, after checking (in debug builds) that its text is this
    /// statement's fixed text.
    static func checked(_ query: PostgresQuery) -> PostgresBindings {
        assert(query.sql == sql, "\(name): the statement's text changed with its values")
        return query.binds
    }
}

extension PostgresStore {
    /// Runs a prepared statement on a pooled connection (autocommit) and collects its rows; a
    /// unique violation is ``StorageError/conflict(_:)`` of `conflict` when given.
    func rows<Statement: PreparedQuery>(_ statement: Statement, conflict id: String? = nil) async throws -> [PostgresRow] {
        let logger = logger
        return try await withConnection { connection in
            do {
                var rows: [PostgresRow] = []
                for try await row in try await connection.checkedExecute(statement, logger: logger) { rows.append(row) }
                return rows
            } catch  where id != nil && Self.sqlState(error) == SQLState.uniqueViolation {
                throw StorageError.conflict(id ?? "")
            }
        }
    }
}
