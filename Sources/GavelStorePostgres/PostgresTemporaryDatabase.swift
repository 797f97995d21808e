import Foundation
import GavelCore
import GavelStoreSupport
import Logging
import PostgresNIO

/// Throwaway PostgreSQL databases for tests, demos and benchmarks.
public enum PostgresTemporaryDatabase {
    /// Creates a fresh, empty database `gavel_test_<random>` on the server a URL points at
    /// (its role needs `CREATEDB`), calls `body` with that database's URL, and drops the
    /// database afterwards (also when `body` throws), closing any connection left to it.
    public static func with<T>(serverURL: String, _ body: (String) async throws -> T) async throws -> T {
        let name = "gavel_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let url = try PostgresURL.replacingDatabase(serverURL, with: name)
        try await admin(serverURL, "CREATE DATABASE \(name)")
        do {
            let result = try await body(url)
            try await drop(name, serverURL: serverURL)
            return result
        } catch {
            try? await drop(name, serverURL: serverURL)
            throw error
        }
    }

    /// Drops a database. A plain `DROP` first (it stops an autovacuum worker, which `FORCE`
    /// may not be allowed to), then with `FORCE` for connections left open, a few times.
    private static func drop(_ name: String, serverURL: String) async throws {
        var failure: (any Error)?
        for attempt in 0..<4 {
            do {
                try await admin(serverURL, "DROP DATABASE IF EXISTS \(name)\(attempt == 0 ? "" : " WITH (FORCE)")")
                return
            } catch {
                failure = error
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        throw failure ?? StorageError.unavailable("cannot drop \(name)")
    }

    /// Runs one statement on a short-lived client of the server's own database.
    private static func admin(_ serverURL: String, _ sql: String) async throws {
        let client = PostgresClient(configuration: try PostgresURL(serverURL).client)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            do {
                try await client.query(PostgresQuery(unsafeSQL: sql))
            } catch {
                throw StorageError.unavailable(PostgresStore.describe(error))
            }
        }
    }
}
