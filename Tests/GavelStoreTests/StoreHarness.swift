import Foundation
import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import GavelTesting

/// Opens stores of one backend on one database, for the conformance suite: each test gets a
/// harness of its own (a fresh, empty database) and may open it again to check what persists.
///
/// The money, report and idempotency checks need the whole port: they open stores with
/// ``open()`` (by default `open()`'s store, which must then be a `Storage`)
/// and prove the audit with ``tamper(_:leadID:)``, which each backend implements.
protocol StoreHarness: Sendable {
    /// Opens a store on the harness's database (empty the first time, the same data after).
    func open() async throws -> any Storage
    /// The ledger entries of a lead, read through the backend's own API.
    func ledgerEntries(_ store: any Storage, leadID: String) async throws -> [LedgerEntry]
    /// Changes one ledger entry of a lead behind the store's back (adds a cent to its earliest
    /// entry), so a test can prove that the audit notices.
    func tamper(_ store: any Storage, leadID: String) async throws
}

extension StoreHarness {
    func tamper(_ store: any Storage, leadID: String) async throws {
        throw StoreHarnessError.tamperingUnsupported(String(describing: Self.self))
    }
}

/// Why a harness cannot run a check.
enum StoreHarnessError: Error {
    /// The harness has no ``StoreHarness/tamper(_:leadID:)`` of its own.
    case tamperingUnsupported(String)
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
        try await sqlite(store).ledgerEntries(leadID: leadID)
    }

    func tamper(_ store: any Storage, leadID: String) async throws {
        let quoted = leadID.replacingOccurrences(of: "'", with: "''")
        try await sqlite(store).executeForTesting(
            sql: "UPDATE ledger SET amount_cents = amount_cents + 1 WHERE id = (SELECT MIN(id) FROM ledger WHERE lead_id = '\(quoted)')")
    }

    private func sqlite(_ store: any Storage) throws -> SQLiteStore {
        guard let store = store as? SQLiteStore else { throw HarnessError.wrongStore }
        return store
    }

    enum HarnessError: Error {
        case wrongStore
    }
}

/// An in-memory store per harness. The first ``open()`` creates it; each later one simulates a
/// restart with ``InMemoryStore/reopened()`` (everything but outstanding cap holds survives),
/// so the checks that open the store again see what a durable backend would keep. The store
/// opened before is not used any more after that (as a stopped node).
final class InMemoryHarness: StoreHarness {
    private let current = Locked<InMemoryStore?>(nil)

    func open() async throws -> any Storage {
        current.withLock { current in
            let store = current?.reopened() ?? InMemoryStore()
            current = store
            return store
        }
    }

    func ledgerEntries(_ store: any Storage, leadID: String) async throws -> [LedgerEntry] {
        try await memory(store).ledgerEntries(leadID: leadID)
    }

    func tamper(_ store: any Storage, leadID: String) async throws {
        guard try memory(store).tamperWithLedgerForTesting(leadID: leadID) else { throw HarnessError.nothingToTamper(leadID) }
    }

    private func memory(_ store: any Storage) throws -> InMemoryStore {
        guard let store = store as? InMemoryStore else { throw HarnessError.wrongStore }
        return store
    }

    enum HarnessError: Error {
        case wrongStore
        case nothingToTamper(String)
    }
}
