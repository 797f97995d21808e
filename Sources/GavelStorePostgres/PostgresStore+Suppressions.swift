import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// How many hashes one insert statement carries.
    static let suppressionChunk = 50_000

    /// Adds SHA-256 hex digests to a buyer's suppression list; returns the list's size.
    /// Anything that is not 64 hex digits cannot match a contact key and is skipped (the server
    /// validates input before it gets here). Large lists go in chunks, each its own
    /// transaction, so a million hashes never make one huge statement.
    public func addSuppressions(buyerID: String, hashes: [String]) async throws -> Int {
        // In key order, inserts append to the index instead of landing on random pages.
        let keys = Array(Set(hashes.compactMap(HashKey.init(hex:)))).sorted()
        var size = try await addSuppressionChunk(buyerID: buyerID, keys: [])
        for start in stride(from: 0, to: keys.count, by: Self.suppressionChunk) {
            let chunk = keys[start..<min(keys.count, start + Self.suppressionChunk)]
            size = try await addSuppressionChunk(buyerID: buyerID, keys: chunk)
        }
        return size
    }

    /// Inserts one chunk and adds what was new to the list's size, in one statement; returns
    /// the size.
    private func addSuppressionChunk(buyerID: String, keys: ArraySlice<HashKey>) async throws -> Int {
        let rows = try await rows(
            """
            WITH added AS (
                INSERT INTO suppressions (buyer_id, hash)
                SELECT \(buyerID), substring(\(Self.packed(keys)) FROM i * 32 + 1 FOR 32)
                FROM generate_series(0, \(Int32(keys.count)) - 1) AS i
                ON CONFLICT DO NOTHING RETURNING 1)
            INSERT INTO suppression_lists (buyer_id, size) VALUES (\(buyerID), (SELECT count(*) FROM added))
            ON CONFLICT (buyer_id) DO UPDATE SET size = suppression_lists.size + excluded.size
            RETURNING size
            """, limit: .unbounded)
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// Digests packed end to end in one buffer (32 bytes each): one bind for a whole chunk,
    /// split again by the statement.
    static func packed(_ keys: some Collection<HashKey>) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(keys.count * 32)
        for key in keys {
            buffer.writeMultipleIntegers(key.w0, key.w1, key.w2, key.w3, endianness: .big)
        }
        return buffer
    }

    /// Empties a buyer's suppression list. The list's size row is locked first, so an add
    /// running at the same time either lands entirely before the clear or counts from zero.
    public func clearSuppressions(buyerID: String) async throws {
        try await transaction(limit: .unbounded) { connection in
            try await connection.checkedQuery("UPDATE suppression_lists SET size = 0 WHERE buyer_id = \(buyerID)", logger: self.logger)
            try await connection.checkedQuery("DELETE FROM suppressions WHERE buyer_id = \(buyerID)", logger: self.logger)
        }
    }

    /// The buyers whose lists hold any of the keys: one indexed query.
    public func suppressingBuyers(contactKeys: [String]) async throws -> Set<String> {
        let digests = Self.suppressionHashes(contactKeys)
        guard !digests.isEmpty else { return [] }
        let rows = try await rows("SELECT DISTINCT buyer_id FROM suppressions WHERE hash = ANY (\(digests))")
        return Set(try rows.map { try $0.decode(String.self) })
    }

    /// The stored form of contact keys as suppression lists hold them (hex digests only).
    static func suppressionHashes(_ contactKeys: [String]) -> [ByteBuffer] {
        contactKeys.compactMap(HashKey.init(hex:)).map { ByteBuffer(bytes: $0.data) }
    }
}
