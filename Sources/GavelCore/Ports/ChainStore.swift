/// How a store links new records into the chain.
public enum ChainSealing: Sendable, Hashable {
    /// In the transaction that writes them (one writer: SQLite, in memory).
    case inline
    /// Later, by a background sealer calling ``ChainStore/sealChain()`` (several nodes on one
    /// database: PostgreSQL, where linking inline would make every node wait on one row).
    case background
}

/// The books' hash chain (see ``Chain``): ledger entries, sales and configuration changes,
/// each linked to the one before. The audit (``MoneyStore/audit()``) verifies it.
public protocol ChainStore: Sendable {
    /// How this store seals.
    var chainSealing: ChainSealing { get }
    /// Links the records not in the chain yet after its head, in a stable order, and returns
    /// how many it linked (0 for an inline store, or when another node is sealing right now).
    @discardableResult
    func sealChain() async throws -> Int
    /// The chain's last link (``ChainHead/empty`` for an empty chain).
    func chainHead() async throws -> ChainHead
    /// The link at a position, `nil` beyond the chain's end (to check an anchored head).
    func chainLink(at pos: Int64) async throws -> ChainLink?
}
