import GavelCore
import GavelStoreSupport

extension InMemoryStore {
    /// Adds SHA-256 hex digests (either case) to a buyer's suppression list; returns the list's
    /// size. Anything that is not 64 hex digits cannot match a contact key and is skipped.
    public func addSuppressions(buyerID: String, hashes: [String]) async throws -> Int {
        let keys = hashes.compactMap(HashKey.init(hex:))
        return try locked { $0.suppressions.add(buyerID: buyerID, keys: keys) }
    }

    /// Empties a buyer's suppression list.
    public func clearSuppressions(buyerID: String) async throws {
        try locked { $0.suppressions.clear(buyerID: buyerID) }
    }

    /// The buyers whose lists hold any of the keys.
    public func suppressingBuyers(contactKeys: [String]) async throws -> Set<String> {
        let keys = contactKeys.compactMap(HashKey.init(hex:))
        guard !keys.isEmpty else { return [] }
        return try locked { $0.suppressions.buyers(matching: keys) }
    }
}
