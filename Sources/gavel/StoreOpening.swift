import ArgumentParser
import GavelCore
import GavelStore
import Logging

extension Runtime {
    /// Opens and migrates the database a URL names.
    static func openStore(_ text: String, logger: Logger) async throws -> any Storage {
        let url: DatabaseURL
        do {
            url = try DatabaseURL(text)
        } catch {
            throw ValidationError("--database: \(error.description)")
        }
        switch url {
        case .sqlite(let path):
            let store = try SQLiteStore(path: path)
            _ = try await store.migrate()
            return store
        case .temporarySQLite:
            let store = try SQLiteStore.temporary()
            _ = try await store.migrate()
            return store
        case .postgres:
            throw ValidationError("--database: PostgreSQL support is not built into this version yet")
        }
    }
}
