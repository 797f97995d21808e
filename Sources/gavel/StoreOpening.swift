import ArgumentParser
import GavelCore
import GavelServer
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Logging
import ServiceLifecycle

extension Runtime {
    /// Opens the database a URL names, migrates it, and runs `body` with the store.
    ///
    /// - `sqlite:PATH` / `sqlite::memory:`: the embedded store, open for the length of `body`.
    /// - `postgres://user:pass@host:port/db`: a ``PostgresStore`` node that runs — its
    ///   connection pool, heartbeat and configuration `LISTEN` — for the length of `body`, then
    ///   stops gracefully (giving back its outstanding cap holds). Start the server inside
    ///   `body`, so the store outlives it.
    static func withStore<T>(_ text: String, logger: Logger, _ body: (any Storage) async throws -> T) async throws -> T {
        switch try databaseURL(text) {
        case .postgres(let url):
            var storeLogger = logger
            storeLogger[metadataKey: "database"] = "\(DatabaseURL.postgres(url))"
            return try await PostgresStore.withStore(url: url, logger: storeLogger) { store in try await body(store) }
        case let url:
            return try await body(try await openSQLite(url))
        }
    }

    /// What a store needs running next to the server: for a store shared by several nodes,
    /// the service that reloads configuration and API keys when another node changes them.
    static func storeServices<C: Clock>(_ app: GavelApp<C>, configuration: ServerConfiguration, logger: Logger) -> [any Service] {
        guard let feed = app.store as? PostgresStore else { return [] }
        return [ConfigFeedService(changes: feed.configChanges(), app: app, adminToken: configuration.adminToken, logger: logger)]
    }

    /// A database URL as it may be printed: a PostgreSQL password masked.
    static func displayed(_ database: String) -> String {
        (try? DatabaseURL(database)).map { "\($0)" } ?? database
    }

    private static func databaseURL(_ text: String) throws -> DatabaseURL {
        do {
            return try DatabaseURL(text)
        } catch {
            throw ValidationError("--database: \(error.description)")
        }
    }

    private static func openSQLite(_ url: DatabaseURL) async throws -> any Storage {
        let store = try SQLiteStore.open(url)
        _ = try await store.migrate()
        return store
    }
}

/// Keeps a node's in-memory configuration in step with the shared database: each element of
/// the store's change feed (a write on any node, or a resync after the `LISTEN` connection
/// came back) reloads the configuration into the `MarketCache` and the API keys into the
/// `KeyRing`. Reloads run one after another, so the last one always follows the last change.
///
/// A reload must never undo a change this node's `ConfigService` applied in memory while the
/// reload was reading (the store's notification of that change comes later, but the cache
/// would be stale until then): the market is swapped only if it did not change during the
/// read (else the read is retried), and keys are changed by difference with the previous read
/// (keys that appeared in the database are added, keys that disappeared are revoked), so a
/// key created here a moment ago is never dropped. The first reload replaces every key (the
/// bootstrap admin token is kept).
struct ConfigFeedService<C: Clock>: Service where C.Duration == Duration {
    let changes: AsyncStream<String>
    let app: GavelApp<C>
    let adminToken: String?
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            var known: Set<APIKeyRecord>?
            for await _ in changes {
                await reloadMarket()
                known = await reloadKeys(known: known)
            }
        }
    }

    private func reloadMarket() async {
        for _ in 0..<10 {
            let before = app.market.current.config
            let loaded: MarketConfig
            do {
                loaded = try await app.store.loadConfig()
            } catch {
                return warn("configuration", error)
            }
            var swapped = false
            app.market.update { config in
                guard config == before else { return }
                config = loaded
                swapped = true
            }
            if swapped { return }
        }
    }

    /// Applies the keys' changes since the previous read; returns this read.
    private func reloadKeys(known: Set<APIKeyRecord>?) async -> Set<APIKeyRecord>? {
        let current: Set<APIKeyRecord>
        do {
            current = Set(try await app.store.apiKeys())
        } catch {
            warn("API keys", error)
            return known
        }
        guard let known else {
            app.keys.load(Array(current))
            if let adminToken, !adminToken.isEmpty {
                app.keys.add(hash: KeyRing.hash(adminToken), identity: Identity(keyID: "bootstrap", role: .admin, subjectID: nil))
            }
            return current
        }
        for record in current.subtracting(known) {
            app.keys.add(hash: record.hash, identity: Identity(keyID: record.id, role: record.role, subjectID: record.subjectID))
        }
        for record in known.subtracting(current) { app.keys.remove(keyID: record.id) }
        return current
    }

    private func warn(_ what: String, _ error: any Error) {
        logger.warning("could not reload the \(what) after a change", metadata: ["error": "\(error)"])
    }
}
