/// A buyer's request to return a lead it bought.
public struct ReturnRequest: Sendable, Hashable {
    /// The lead.
    public var leadID: String
    /// The buyer asking.
    public var buyerID: String
    /// Why.
    public var reason: String
    /// When.
    public var at: Timestamp
    /// The most a buyer may return (returned ÷ sold over the last 30 days, this return
    /// included); `nil` for no limit.
    public var maxReturnRate: Rate?
    /// The webhooks to tell of the decision (`return.decided`, and `lead.returned` when
    /// approved), written in the return's transaction.
    public var webhooks: WebhookFanOut

    /// Creates a request.
    public init(
        leadID: String, buyerID: String, reason: String, at: Timestamp, maxReturnRate: Rate? = nil, webhooks: WebhookFanOut = .none
    ) {
        self.leadID = leadID
        self.buyerID = buyerID
        self.reason = reason
        self.at = at
        self.maxReturnRate = maxReturnRate
        self.webhooks = webhooks
    }
}

/// What became of a return request.
public enum ReturnResult: Sendable, Hashable {
    /// Approved: the sale's ledger entries were reversed and the buyer's balance reduced.
    case approved(refund: Money)
    /// Denied, with the reason (`outside_return_window`, `return_rate_exceeded`).
    case denied(reason: String)
    /// The buyer did not buy this lead (or it does not exist).
    case notFound
    /// The lead was already returned by this buyer.
    case alreadyReturned
}

/// What became of a conversion report.
public enum ConversionResult: Sendable, Hashable {
    /// Recorded.
    case recorded
    /// The buyer did not buy this lead.
    case notFound
    /// A conversion of this lead was already recorded by this buyer.
    case alreadyRecorded
}

/// The result of checking the ledger's books.
public struct AuditReport: Sendable, Hashable {
    /// How many ledger entries there are.
    public var entries: Int
    /// The sum of every entry (zero when the books balance).
    public var total: Money
    /// Every problem found, one line each (lead id and what is wrong).
    public var problems: [String]
    /// What the verification of the chain found.
    public var chain: ChainReport

    /// Creates a report.
    public init(entries: Int, total: Money, problems: [String], chain: ChainReport = ChainReport()) {
        self.entries = entries
        self.total = total
        self.problems = problems
        self.chain = chain
    }

    /// Whether the books are in order: they balance and the chain is intact.
    public var isClean: Bool { total == .zero && problems.isEmpty && chain.isIntact }
}

/// A lead a buyer bought, for the buyer's inbox.
public struct BoughtLead: Sendable, Hashable {
    /// The lead, with its full fields.
    public var lead: Lead
    /// The campaign that bought it.
    public var campaignID: String
    /// What the buyer paid.
    public var price: Money
    /// When it was sold.
    public var soldAt: Timestamp
    /// Whether it was returned.
    public var returned: Bool

    /// Creates an entry.
    public init(lead: Lead, campaignID: String, price: Money, soldAt: Timestamp, returned: Bool) {
        self.lead = lead
        self.campaignID = campaignID
        self.price = price
        self.soldAt = soldAt
        self.returned = returned
    }
}

/// The storage of money after the sale: returns, conversions, payments, the ledger's audit,
/// the buyer's inbox, and bulk import for fixtures.
public protocol MoneyStore: Sendable {
    /// Returns a lead, atomically: only the buyer whose campaign bought it, within that
    /// campaign's return window (counted from the sale), once; an approved return reverses the
    /// sale's three ledger entries (kind `return`) and reduces the buyer's unpaid balance. Cap
    /// usage is not given back. For a shared lead, only this buyer's sale is returned.
    func recordReturn(_ request: ReturnRequest) async throws -> ReturnResult
    /// Records a conversion of a lead the buyer bought, once per lead and buyer, with the
    /// `conversion.recorded` messages `webhooks` makes of it, in one transaction.
    func recordConversion(
        leadID: String, buyerID: String, value: Money?, at: Timestamp, webhooks: WebhookFanOut
    ) async throws
        -> ConversionResult
    /// Records a buyer's payment: ledger entries `buyer:<id>` −amount and `cash` +amount (kind
    /// `payment`, lead id empty), and reduces the buyer's unpaid balance.
    func recordPayment(buyerID: String, amount: Money, at: Timestamp) async throws
    /// Checks the books: all entries sum to zero; every sale of a non-test lead has exactly its
    /// three entries (buyer +price, seller −payout, margin −margin) and, when returned, exactly
    /// their reversal; no entries exist for leads without sales. Then verifies the chain
    /// (``ChainVerifier``), streaming it in position order.
    func audit() async throws -> AuditReport
    /// The leads a buyer bought, sold in `[from, to)`, oldest first, at most `limit`.
    func boughtLeads(buyerID: String, from: Timestamp, to: Timestamp, limit: Int) async throws -> [BoughtLead]
    /// Stores many finished leads fast (fixtures and benchmarks): each lead with its outcome,
    /// exactly as `insertLead` + `recordOutcome` would, without dedupe.
    func importLeads(_ leads: [(lead: Lead, outcome: LeadOutcome)]) async throws
}

extension MoneyStore {
    /// Records a conversion with no webhook to tell.
    public func recordConversion(leadID: String, buyerID: String, value: Money?, at: Timestamp) async throws -> ConversionResult {
        try await recordConversion(leadID: leadID, buyerID: buyerID, value: value, at: at, webhooks: .none)
    }
}

/// What a seller's `Idempotency-Key` found.
public enum IdempotencyClaim: Sendable, Hashable {
    /// A new key: the caller owns it and must complete it.
    case fresh
    /// The same key and body finished before: replay this response.
    case replay(status: Int, body: [UInt8])
    /// The key was used with another body.
    case mismatch
    /// The same key and body are being processed right now.
    case inProgress
}

/// Storage of idempotency keys, which survive restarts.
public protocol IdempotencyStore: Sendable {
    /// Atomically claims `key` for a seller and a body fingerprint, or says what it already holds.
    func claimIdempotencyKey(sellerID: String, key: String, fingerprint: String, at: Timestamp) async throws -> IdempotencyClaim
    /// Stores the response of a claimed key.
    func completeIdempotencyKey(sellerID: String, key: String, status: Int, body: [UInt8]) async throws
    /// Forgets a claimed key whose request failed before anything was stored, so it can be retried.
    func abandonIdempotencyKey(sellerID: String, key: String) async throws
    /// Deletes the keys claimed before a time, finished or not; returns how many.
    @discardableResult
    func purgeIdempotencyKeys(createdBefore time: Timestamp) async throws -> Int
}
