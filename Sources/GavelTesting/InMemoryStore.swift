import GavelCore
import GavelStoreSupport

/// A complete store kept in memory, for tests: every requirement of ``Storage``, with the
/// semantics of the SQLite store (its conformance suite runs on all three backends).
///
/// All data is one value, ``InMemoryState``, behind one `Locked`: every operation runs under
/// the lock from start to end, so each is atomic (a dedupe check and its insert, a cap check
/// and its hold, a claim, a return) and nothing is ever half-written. Nothing outlives the
/// store; ``reopened()`` simulates a restart for tests of what a durable backend keeps.
///
/// Cap usage and buyer credit live in a `UsageBook` as in the database stores, with, beside
/// it, the counters a durable store would have persisted (sold, returned and paid, but not
/// outstanding holds), which is what a restart starts from.
public final class InMemoryStore: Storage {
    let state: Locked<InMemoryState>
    let clock: any WallClock
    let combining: Bool
    private let outage = Locked(false)
    /// How many times ``suppressingBuyers(contactKeys:)`` was asked (a read of its own).
    public let suppressionReads = Locked(0)

    /// Creates an empty store; `clock` dates its bookkeeping (when a post was marked), as the
    /// database stores' clocks do. With `combinesLeadWrites` false the exchange stores each
    /// lead on arrival, as it does on PostgreSQL (see ``LeadStore/combinesLeadWrites``), and the
    /// store reads who suppresses a lead as it stores it, as PostgreSQL does.
    public init(clock: any WallClock = SystemWallClock(), combinesLeadWrites: Bool = true) {
        self.clock = clock
        self.combining = combinesLeadWrites
        state = Locked(InMemoryState())
    }

    private init(clock: any WallClock, combining: Bool, state: InMemoryState) {
        self.clock = clock
        self.combining = combining
        self.state = Locked(state)
    }

    /// A new store holding what this one would hold after a restart if it were durable:
    /// everything but outstanding cap holds, so cap usage and balances come back as sold,
    /// returned and paid. The two stores are independent from then on.
    public func reopened() -> InMemoryStore {
        InMemoryStore(clock: clock, combining: combining, state: state.withLock { $0.afterRestart() })
    }

    /// Runs `body` on the state under the lock: one atomic operation.
    /// ``StorageError/unavailable(_:)`` during a simulated outage.
    func locked<T: Sendable>(_ body: (inout InMemoryState) throws -> T) throws -> T {
        if outage.withLock({ $0 }) { throw StorageError.unavailable("the in-memory store simulates an outage") }
        return try state.withLock { state in try body(&state) }
    }

    /// Simulates a database that cannot be reached (for tests of store failures): while on,
    /// every operation fails with ``StorageError/unavailable(_:)`` and changes nothing.
    public func simulateOutage(_ down: Bool) {
        outage.withLock { $0 = down }
    }

    /// Succeeds unless an outage is simulated.
    public func checkWritable() async throws {
        try locked { _ in }
    }
}

/// Everything an ``InMemoryStore`` holds: a value type, changed only under its lock.
struct InMemoryState: Sendable {
    /// Configuration and settings.
    var config = MarketConfig()
    /// API keys by id.
    var apiKeys: [String: APIKeyRecord] = [:]
    /// Leads by id.
    var leads: [String: StoredLead] = [:]
    /// The non-test, non-duplicate leads of each contact key, in insertion order (the dedupe
    /// and campaign-history index).
    var contacts: [String: [String]] = [:]
    /// The campaigns each pending lead is being posted to, and since when.
    var postings: [String: [String: Timestamp]] = [:]
    /// Each buyer's sales, in order, as (lead id, index in the lead's sales).
    var salesByBuyer: [String: [SaleRef]] = [:]
    /// Ledger rows by lead id (`""` for payments), in the order written.
    var ledger: [String: [LedgerRow]] = [:]
    /// The conversions recorded, one per lead and buyer.
    var conversions: [ConversionKey: StoredConversion] = [:]
    /// Held pings by id.
    var heldPings: [String: StoredPing] = [:]
    /// Cap usage and buyer credit, outstanding holds included.
    var usage = UsageBook()
    /// What a durable store would have persisted of the usage: sold, returned and paid.
    var durableUsage: [UsageKey: UsageCount] = [:]
    /// Every buyer's suppression list.
    var suppressions = SuppressionIndex()
    /// The hourly report rollups.
    var rollups = RollupBatch()
    /// Sellers' idempotency keys.
    var idempotency: [IdempotencyID: IdempotencyEntry] = [:]
    /// How many ledger rows were ever written (the last row's id).
    var ledgerRows: Int64 = 0
    /// The configuration journal, in order (a change's id is its index + 1).
    var journal: [ChainRecord.Config] = []
    /// The books' hash chain, in position order.
    var chain: [InMemoryLink] = []
    /// The webhooks, their outbox and once keys.
    var webhooks = InMemoryWebhooks()
    /// The secret contact keys are keyed with.
    var secret = KeyedContactHasher.newSecret()
    /// The recorded erasures.
    var erasures: [ErasureRecord] = []

    /// The state a restart would find: the usage book rebuilt from the durable counters.
    func afterRestart() -> InMemoryState {
        var restarted = self
        restarted.usage = UsageBook()
        restarted.usage.seed(Array(durableUsage.keys), persisted: durableUsage)
        return restarted
    }

    /// Adds to a durable usage counter; spend never goes below zero.
    mutating func addDurable(_ key: UsageKey, leads: Int, cents: Int64) {
        var count = durableUsage[key] ?? .zero
        count.leads += leads
        count.spendCents = max(0, count.spendCents + cents)
        durableUsage[key] = count
    }

    /// Reduces a buyer's balance (a return or a payment), in the book and durably, never
    /// below zero.
    mutating func reduceBalance(buyerID: String, by amount: Money) {
        usage.seed([.balance(buyerID)], persisted: [:])
        usage.adjustBalance(buyerID: buyerID, by: -amount)
        addDurable(.balance(buyerID), leads: 0, cents: -amount.cents)
    }
}
