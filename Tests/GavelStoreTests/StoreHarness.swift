import Foundation
import GavelCore
import GavelStore

/// Opens stores of one backend on one database, for the conformance suite: each test gets a
/// harness of its own (a fresh, empty database) and may open it again to check what persists.
protocol StoreHarness: Sendable {
    /// Opens a store on the harness's database (empty the first time, the same data after).
    func open() async throws -> any Storage
    /// The ledger entries of a lead, read through the backend's own API.
    func ledgerEntries(_ store: any Storage, leadID: String) async throws -> [LedgerEntry]
}

/// A fresh SQLite file in a temporary folder per harness, deleted with it.
final class SQLiteHarness: StoreHarness {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "gavel-store-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    var path: String { directory + "/gavel.sqlite" }

    func open() async throws -> any Storage {
        try SQLiteStore(path: path)
    }

    func openSQLite() throws -> SQLiteStore {
        try SQLiteStore(path: path)
    }

    func ledgerEntries(_ store: any Storage, leadID: String) async throws -> [LedgerEntry] {
        guard let store = store as? SQLiteStore else { throw HarnessError.wrongStore }
        return try await store.ledgerEntries(leadID: leadID)
    }

    enum HarnessError: Error {
        case wrongStore
    }
}
