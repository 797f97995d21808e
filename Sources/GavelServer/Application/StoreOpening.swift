import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Logging

/// A store opened for a server: the storage ports, and for a database shared by several nodes
/// the feed of configuration changes made by the others.
public struct OpenedStore: Sendable {
    /// The store.
    public var store: any Storage
    /// Configuration changes on other nodes (PostgreSQL), `nil` for a store only this process uses.
    public var configChanges: AsyncStream<String>?
}

/// Why the server cannot start with its configuration.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// What is wrong.
    public var description: String
}

/// Opens the database a URL names — the one place that knows the backends.
public enum StoreOpening {
    /// Opens the database `text` names, migrates it, and runs `body` with the store.
    ///
    /// - `sqlite:PATH` / `sqlite::memory:`: the embedded store, open for the length of `body`.
    /// - `postgres://user:pass@host:port/db`: a node of the shared store that runs — its
    ///   connection pool, heartbeat and configuration `LISTEN` — for the length of `body`, then
    ///   stops gracefully (giving back its outstanding cap holds). Start the server inside
    ///   `body`, so the store outlives it.
    public static func withStore<T>(_ text: String, logger: Logger, _ body: (OpenedStore) async throws -> T) async throws -> T {
        switch try databaseURL(text) {
        case .postgres(let url):
            var storeLogger = logger
            storeLogger[metadataKey: "database"] = "\(DatabaseURL.postgres(url))"
            return try await PostgresStore.withStore(url: url, logger: storeLogger) { store in
                try await body(OpenedStore(store: store, configChanges: store.configChanges()))
            }
        case let url:
            let store = try SQLiteStore.open(url)
            _ = try await store.migrate()
            return try await body(OpenedStore(store: store, configChanges: nil))
        }
    }

    /// A database URL as it may be printed: a PostgreSQL password masked.
    public static func displayed(_ database: String) -> String {
        (try? DatabaseURL(database)).map { "\($0)" } ?? database
    }

    private static func databaseURL(_ text: String) throws -> DatabaseURL {
        do {
            return try DatabaseURL(text)
        } catch {
            throw ConfigurationError(description: "--database: \(error.description)")
        }
    }
}
