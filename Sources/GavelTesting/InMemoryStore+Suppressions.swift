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
        suppressionReads.withLock { $0 += 1 }
        return try suppressing(contactKeys)
    }

    /// Stores the lead and, on a store that stores leads on arrival (as PostgreSQL does), reads
    /// who suppresses it in the same operation, as PostgreSQL does in the same statement.
    public func insertLeadReadingSuppressions(_ lead: Lead, dedupeSince: Timestamp?) async throws -> (LeadInsertResult, Set<String>?) {
        let result = try await insertLead(lead, dedupeSince: dedupeSince)
        return (result, combining ? nil : try suppressing(lead.contactKeys.all))
    }

    private func suppressing(_ contactKeys: [String]) throws -> Set<String> {
        let keys = contactKeys.compactMap(HashKey.init(hex:))
        guard !keys.isEmpty else { return [] }
        return try locked { $0.suppressions.buyers(matching: keys) }
    }
}
