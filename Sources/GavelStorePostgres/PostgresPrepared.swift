import GavelCore
import PostgresNIO

/// A statement on a lead's path whose text never changes — only its binds do. It runs as a
/// named prepared statement (``Prepared``): each connection has the server parse and plan it
/// once, where an unnamed statement is parsed and planned at every call.
///
/// A conforming type builds the statement (`query`, an interpolation whose values all become
/// binds) and names its fixed text (`sql`: the same statement built with placeholder values).
protocol FixedStatement: SendableMetatype {
    /// The arguments the statement is built from.
    associatedtype Arguments
    /// The prepared statement's name, unique per connection.
    static var name: String { get }
    /// The statement's text (build it once, with ``template(_:)``).
    static var sql: String { get }
    /// The statement with one call's values.
    static func query(_ arguments: Arguments) -> PostgresQuery
}

extension FixedStatement {
    /// The text of the statement built from placeholder arguments.
    static func template(_ placeholder: Arguments) -> String { query(placeholder).sql }

    /// The prepared statement with one call's values (its text checked against ``sql`` in
    /// debug builds: an interpolation whose text varied with its values cannot be prepared).
    static func prepared(_ arguments: Arguments) -> Prepared<Self> {
        let query = query(arguments)
        assert(query.sql == sql, "\(name): the statement's text changed with its values")
        return Prepared(binds: query.binds)
    }
}

/// One call of a ``FixedStatement``: its binds; the rows come back as they are.
struct Prepared<Statement: FixedStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static var name: String { Statement.name }
    static var sql: String { Statement.sql }

    /// The call's binds, in the order of the statement's placeholders.
    let binds: PostgresBindings

    func makeBindings() -> PostgresBindings { binds }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresStore {
    /// Runs a prepared statement on a pooled connection (autocommit) and collects its rows; a
    /// unique violation is ``StorageError/conflict(_:)`` of `id` when one is given.
    func rows<Statement>(_ statement: Prepared<Statement>, conflict id: String? = nil) async throws -> [PostgresRow] {
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
