import Foundation
import GavelCore
import GavelStorePostgres
import GavelStoreSupport
import GavelTesting

@testable import GavelStoreSQLite

/// Opens stores of one backend on one database, for the conformance suite: each test gets a
/// harness of its own (a fresh, empty database) and may open it again to check what persists.
///
/// The money, report and idempotency checks need the whole port: they open stores with
/// ``open()`` (by default `open()`'s store, which must then be a `Storage`)
/// and prove the audit with ``tamper(_:leadID:)``, which each backend implements, and the
/// chain's verification with ``tamperSale(_:leadID:cents:)``, ``tamperChain(_:pos:_:)`` and
/// ``deleteLedgerEntry(_:leadID:)``.
protocol StoreHarness: Sendable {
    /// Opens a store on the harness's database (empty the first time, the same data after).
    func open() async throws -> any Storage
    /// The ledger entries of a lead, read through the backend's own API.
    func ledgerEntries(_ store: any Storage, leadID: String) async throws -> [LedgerEntry]
    /// Changes one ledger entry of a lead behind the store's back (adds a cent to its earliest
    /// entry), so a test can prove that the audit notices.
    func tamper(_ store: any Storage, leadID: String) async throws
    /// Changes the price of a lead's first sale by `cents` behind the store's back, and its
    /// buyer and margin entries with it, so that the books still balance.
    func tamperSale(_ store: any Storage, leadID: String, cents: Int64) async throws
    /// Changes the hash of the chain's link at a position behind the store's back, deletes the
    /// link, or swaps it with the next one.
    func tamperChain(_ store: any Storage, pos: Int64, _ tampering: ChainTampering) async throws
    /// Deletes a lead's last ledger entry behind the store's back.
    func deleteLedgerEntry(_ store: any Storage, leadID: String) async throws
    /// The bodies of the configuration journal, in order.
    func configJournal(_ store: any Storage) async throws -> [String]
}

/// The SQL that changes a sale's price and its buyer and margin entries alike (one statement
/// each, as PostgreSQL's test hook runs them).
enum TamperSQL {
    static func sale(leadID: String, cents: Int64) -> [String] {
        let lead = "'" + leadID.replacingOccurrences(of: "'", with: "''") + "'"
        let campaign = "(SELECT campaign_id FROM sales WHERE lead_id = \(lead) AND seq = 0)"
        return [
            "UPDATE ledger SET amount_cents = amount_cents + \(cents) WHERE lead_id = \(lead) AND kind = 'sale' "
                + "AND campaign_id = \(campaign) AND account LIKE 'buyer:%'",
            "UPDATE ledger SET amount_cents = amount_cents - \(cents) WHERE lead_id = \(lead) AND kind = 'sale' "
                + "AND campaign_id = \(campaign) AND account = 'exchange:margin'",
            "UPDATE sales SET price_cents = price_cents + \(cents), margin_cents = margin_cents + \(cents) WHERE lead_id = \(lead) AND seq = 0",
        ]
    }

    static func chain(pos: Int64, _ tampering: ChainTampering) -> [String] {
        switch tampering {
        case .changeHash: ["UPDATE chain SET hash = upper(hash) WHERE pos = \(pos)"]
        case .delete: ["DELETE FROM chain WHERE pos = \(pos)"]
        case .swapWithNext:
            [
                "UPDATE chain SET pos = -pos WHERE pos IN (\(pos), \(pos + 1))",
                "UPDATE chain SET pos = CASE pos WHEN -\(pos) THEN \(pos + 1) ELSE \(pos) END WHERE pos IN (-\(pos), -\(pos + 1))",
            ]
        }
    }

    static func deleteLedgerEntry(leadID: String) -> String {
        let lead = "'" + leadID.replacingOccurrences(of: "'", with: "''") + "'"
        return "DELETE FROM ledger WHERE id = (SELECT max(id) FROM ledger WHERE lead_id = \(lead))"
    }
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

    func tamperSale(_ store: any Storage, leadID: String, cents: Int64) async throws {
        for sql in TamperSQL.sale(leadID: leadID, cents: cents) { try await sqlite(store).executeForTesting(sql: sql) }
    }

    func tamperChain(_ store: any Storage, pos: Int64, _ tampering: ChainTampering) async throws {
        for sql in TamperSQL.chain(pos: pos, tampering) { try await sqlite(store).executeForTesting(sql: sql) }
    }

    func deleteLedgerEntry(_ store: any Storage, leadID: String) async throws {
        try await sqlite(store).executeForTesting(sql: TamperSQL.deleteLedgerEntry(leadID: leadID))
    }

    func configJournal(_ store: any Storage) async throws -> [String] {
        try await sqlite(store).read { db in try String.fetchAll(db, sql: "SELECT body FROM config_journal ORDER BY id") }
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

    func tamperSale(_ store: any Storage, leadID: String, cents: Int64) async throws {
        guard try memory(store).tamperWithSaleForTesting(leadID: leadID, addingCents: cents) else {
            throw HarnessError.nothingToTamper(leadID)
        }
    }

    func tamperChain(_ store: any Storage, pos: Int64, _ tampering: ChainTampering) async throws {
        guard try memory(store).tamperWithChainForTesting(pos: pos, tampering) else {
            throw HarnessError.nothingToTamper("chain position \(pos)")
        }
    }

    func deleteLedgerEntry(_ store: any Storage, leadID: String) async throws {
        guard try memory(store).deleteLedgerEntryForTesting(leadID: leadID) else { throw HarnessError.nothingToTamper(leadID) }
    }

    func configJournal(_ store: any Storage) async throws -> [String] {
        try memory(store).configJournalForTesting()
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
