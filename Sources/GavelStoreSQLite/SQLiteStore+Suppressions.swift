import Foundation
import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// Adds SHA-256 hex digests to a buyer's suppression list; returns the list's size.
    /// Anything that is not 64 hex digits cannot match a contact key and is skipped (the server
    /// validates input before it gets here).
    public func addSuppressions(buyerID: String, hashes: [String]) async throws -> Int {
        // In key order, inserts append to the index instead of landing on random pages.
        let keys = hashes.compactMap(HashKey.init(hex:)).sorted()
        let blobs = keys.map(\.data)
        let index = suppressionIndex
        try await write { db in
            let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO suppressions (buyer_id, hash) VALUES (?, ?)")
            for blob in blobs {
                statement.setUncheckedArguments([buyerID, blob])
                try statement.execute()
            }
        } afterCommit: { _ in
            _ = index.withLock { $0.add(buyerID: buyerID, keys: keys) }
        }
        return index.withLock { $0.count(buyerID: buyerID) }
    }

    /// Empties a buyer's suppression list.
    public func clearSuppressions(buyerID: String) async throws {
        let index = suppressionIndex
        try await write { db in
            try db.execute(sql: "DELETE FROM suppressions WHERE buyer_id = ?", arguments: [buyerID])
        } afterCommit: { _ in
            index.withLock { $0.clear(buyerID: buyerID) }
        }
    }

    /// The buyers whose lists hold any of the keys: one in-memory probe per key.
    public func suppressingBuyers(contactKeys: [String]) async throws -> Set<String> {
        let keys = contactKeys.compactMap(HashKey.init(hex:))
        guard !keys.isEmpty else { return [] }
        return suppressionIndex.withLock { $0.buyers(matching: keys) }
    }

    /// Loads every suppression list into memory (at open).
    func loadSuppressions() throws {
        let index = try pool.read { db in
            var index = SuppressionIndex()
            let buyers = try String.fetchAll(db, sql: "SELECT DISTINCT buyer_id FROM suppressions")
            for buyer in buyers {
                let cursor = try Data.fetchCursor(db, sql: "SELECT hash FROM suppressions WHERE buyer_id = ?", arguments: [buyer])
                var keys: [HashKey] = []
                while let data = try cursor.next() {
                    if let key = data.withUnsafeBytes({ HashKey(bytes: $0) }) { keys.append(key) }
                }
                index.add(buyerID: buyer, keys: keys)
            }
            return index
        }
        suppressionIndex.withLock { $0 = index }
    }
}
