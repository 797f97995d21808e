// The storage ports: what the exchange keeps durably, split by the role a caller needs. A
// component depends on the narrowest port it uses (the exchange on ExchangeStore, a route
// on MoneyStore); a backend conforms to Storage, all of them, so a store that lacks a
// capability does not compile. The in-memory, SQLite and PostgreSQL stores pass one
// conformance suite.

/// Configuration: verticals, sellers, buyers, campaigns and settings.
public protocol ConfigStore: Sendable {
    /// Loads all configuration.
    func loadConfig() async throws -> MarketConfig
    /// Stores a new record; `StorageError.conflict` when its id exists.
    func create(_ record: ConfigRecord) async throws
    /// Replaces a record; `StorageError.notFound` when it does not exist.
    func replace(_ record: ConfigRecord) async throws
    /// Deletes a record; `false` when it did not exist.
    func delete(_ kind: ConfigKind, id: String) async throws -> Bool
    /// Replaces the settings.
    func saveSettings(_ settings: Settings) async throws
}

/// API keys, stored as hashes.
public protocol KeyStore: Sendable {
    /// Stores a new key.
    func createAPIKey(_ key: APIKeyRecord) async throws
    /// All keys.
    func apiKeys() async throws -> [APIKeyRecord]
    /// Deletes a key; `false` when it did not exist.
    func deleteAPIKey(id: String) async throws -> Bool
}

/// Leads: durable on arrival, their outcomes, and crash reconciliation.
public protocol LeadStore: Sendable {
    /// Stores a lead durably as pending. When `dedupeSince` is given and a lead of the same
    /// consumer (by contact key) arrived since then, it is stored as a duplicate instead —
    /// atomically, so two concurrent submissions of one consumer cannot both pass.
    func insertLead(_ lead: Lead, dedupeSince: Timestamp?) async throws -> LeadInsertResult
    /// Durably notes that a post of the lead to a campaign is about to be sent, so a crash
    /// before its outcome is recorded can be reconciled.
    func markPosting(leadID: String, campaignID: String) async throws
    /// Records a lead's outcome: its status, pings, posts, skips, sales and their ledger entries
    /// and cap usage, in one transaction.
    func recordOutcome(_ outcome: LeadOutcome, sellerID: String) async throws
    /// Whether ``insertLead(_:dedupeSince:then:)`` writes the lead and what follows it in one
    /// durable commit. When it does, the exchange stores a lead only at its first durable
    /// need — the posting marker before a post leaves, or the outcome — so a lead sold to
    /// hosted campaigns costs one commit and one posted over HTTP two; when it does not, the
    /// lead is stored on arrival as before.
    var combinesLeadWrites: Bool { get }
    /// The earlier lead of the same consumer (by contact key, not a duplicate or rejected
    /// itself) that arrived since `since`, as ``insertLead(_:dedupeSince:)`` would find it, read
    /// without writing: the exchange's check before it auctions a lead it has not stored yet.
    func original(of lead: Lead, since: Timestamp) async throws -> String?
    /// Stores a lead exactly as ``insertLead(_:dedupeSince:)`` does and, unless it is a
    /// duplicate, writes `followUp` with it: atomically and in one commit when
    /// ``combinesLeadWrites``. A duplicate is stored as one and the follow-up is not written.
    func insertLead(_ lead: Lead, dedupeSince: Timestamp?, then followUp: LeadFollowUp) async throws -> LeadInsertResult
    /// A lead with its outcome.
    func lead(id: String) async throws -> LeadDetail?
    /// When each campaign last bought a consumer with any of these keys, since a time.
    func lastSales(contactKeys: [String], since: Timestamp) async throws -> [String: Timestamp]
    /// Marks leads left pending by a crash: `review` when a post had been sent, `unsold`
    /// otherwise. Returns how many of each.
    func reconcile(now: Timestamp) async throws -> (review: Int, unsold: Int)
    /// Marks these leads as ``reconcile(now:)`` would, those still pending only: leads whose
    /// auction a store failure cut short while the exchange kept running (see
    /// ``InterruptedLeads``). Unknown or finished leads are left alone.
    func reconcile(leadIDs: [String], now: Timestamp) async throws -> (review: Int, unsold: Int)
}

/// The bids of two-step pings, held until their post.
public protocol PingStore: Sendable {
    /// Holds a ping's bids.
    func holdPing(_ ping: HeldPing) async throws
    /// A seller's held ping, without claiming it (`nil` for an unknown id or another seller's).
    func heldPing(id: String, sellerID: String) async throws -> HeldPing?
    /// Claims a held ping for its post, atomically: only one post can claim a ping.
    func claimPing(id: String, sellerID: String, now: Timestamp) async throws -> PingClaim
    /// Deletes the held pings that expired before a time, claimed or not; returns how many.
    @discardableResult
    func purgeHeldPings(expiredBefore time: Timestamp) async throws -> Int
}

/// Cap usage and buyer credit, reserved atomically before each post.
public protocol CapStore: Sendable {
    /// Current cap usage of campaigns in the given periods.
    func capUsage(_ periods: [String: CapPeriods]) async throws -> [String: CapUsage]
    /// Unpaid spend per buyer.
    func balances(buyerIDs: [String]) async throws -> [String: Money]
    /// Atomically holds a cap slot and buyer credit for a post. When it throws, the slot may or
    /// may not have been taken (``release(_:)`` it to be sure).
    func hold(_ hold: CapHold) async throws -> CapHoldResult
    /// Gives back a hold whose post did not sell, if a matching hold is outstanding: releasing
    /// a hold that was never taken, or that was already released or sold, changes nothing. So a
    /// hold whose ``hold(_:)`` or `release` failed (and may or may not have happened) can be
    /// released again once the database is back. Matching holds (same campaign, buyer, periods
    /// and price) are interchangeable.
    func release(_ hold: CapHold) async throws
}

/// Buyers' suppression lists (hashes of their existing customers' contact keys).
public protocol SuppressionStore: Sendable {
    /// Adds hashes to a buyer's suppression list; returns the list's size.
    func addSuppressions(buyerID: String, hashes: [String]) async throws -> Int
    /// Empties a buyer's suppression list.
    func clearSuppressions(buyerID: String) async throws
    /// The buyers whose lists hold any of the keys.
    func suppressingBuyers(contactKeys: [String]) async throws -> Set<String>
}

/// Whether the database can take writes, for readiness checks.
public protocol HealthStore: Sendable {
    /// Writes a small marker and returns once it is durable; ``StorageError/unavailable(_:)``
    /// when the database cannot be reached or written now (down, restarting, disk full).
    func checkWritable() async throws
}

/// Personal data: the secret contact keys are keyed with, erasure of one consumer's leads or
/// of old leads (see ``Redaction`` for what erasing does), and the record of erasures.
public protocol PrivacyStore: Sendable {
    /// The database's secret for contact keys (32 random bytes made with its schema, the same
    /// for every node and after every restart).
    func contactKeySecret() async throws -> [UInt8]
    /// Erases the personal data of every lead whose contact keys include any of these, and
    /// records the erasure with how many leads it erased — atomically. With each lead go the
    /// buyer texts that repeat its personal values wherever they are stored (posts, sales,
    /// return reasons, webhook outbox bodies — see ``Redaction/scrubWebhookBody(_:values:)``);
    /// stored idempotency responses for those leads lose their redirect URL; and the store
    /// makes sure no copy of the erased values is left in its files (SQLite) or tables
    /// (PostgreSQL). Returns the record.
    func eraseConsumer(contactKeys: [String], redaction: Redaction, record: ErasureRecord) async throws -> ErasureRecord
    /// Erases, as ``eraseConsumer(contactKeys:redaction:record:)`` erases each lead, the
    /// personal data of up to `limit` leads received before a time and not erased yet, oldest
    /// first; returns how many (the caller repeats until fewer than `limit`).
    func eraseExpired(receivedBefore: Timestamp, redaction: Redaction, at: Timestamp, limit: Int) async throws -> Int
    /// Records an erasure (a retention pass's).
    func recordErasure(_ record: ErasureRecord) async throws
    /// The recorded erasures, newest first, at most `limit`.
    func erasures(limit: Int) async throws -> [ErasureRecord]
}

/// What the exchange's auction needs: leads, held pings, caps and suppressions.
public protocol ExchangeStore: LeadStore, PingStore, CapStore, SuppressionStore {
    /// Holds a cap slot and credit (``CapStore/hold(_:)``) and, when held, durably notes that
    /// a post of the stored lead to the hold's campaign is about to be sent
    /// (``LeadStore/markPosting(leadID:campaignID:)``). A store where each statement is a round
    /// trip does both in one. ``StorageError/notFound(_:)`` for an unknown lead (the hold may
    /// then have been taken: release it, as after a failed ``CapStore/hold(_:)``).
    func hold(_ hold: CapHold, markingPostingOf leadID: String) async throws -> CapHoldResult
    /// Stores a lead on arrival (``LeadStore/insertLead(_:dedupeSince:)``) and, where a store
    /// can do it in the same round trip, reads the buyers whose suppression lists hold its
    /// contact keys (``SuppressionStore/suppressingBuyers(contactKeys:)``); `nil` when it
    /// reads them apart (the exchange then asks when eligibility needs them).
    func insertLeadReadingSuppressions(_ lead: Lead, dedupeSince: Timestamp?) async throws -> (LeadInsertResult, Set<String>?)
}

extension ExchangeStore {
    /// The hold, then the posting marker when held: two writes.
    public func hold(_ hold: CapHold, markingPostingOf leadID: String) async throws -> CapHoldResult {
        let result = try await self.hold(hold)
        if result == .held { try await markPosting(leadID: leadID, campaignID: hold.campaignID) }
        return result
    }

    /// The insert alone: suppressions are read apart.
    public func insertLeadReadingSuppressions(_ lead: Lead, dedupeSince: Timestamp?) async throws -> (LeadInsertResult, Set<String>?) {
        (try await insertLead(lead, dedupeSince: dedupeSince), nil)
    }
}

/// Everything a backend stores: every port. The server holds one `any Storage` and hands each
/// component the narrower port it needs, with no casts.
public protocol Storage: ConfigStore, KeyStore, ExchangeStore, MoneyStore, ReportStore, IdempotencyStore, ChainStore,
    WebhookStore, HealthStore, PrivacyStore
{}

/// What a store writes together with a lead it inserts (see
/// ``LeadStore/insertLead(_:dedupeSince:then:)``).
public enum LeadFollowUp: Sendable {
    /// A post to this campaign is about to be sent (``LeadStore/markPosting(leadID:campaignID:)``).
    case posting(campaignID: String)
    /// The lead's outcome (``LeadStore/recordOutcome(_:sellerID:)``).
    case outcome(LeadOutcome, sellerID: String)
}

extension LeadStore {
    /// Inserts the lead, then writes the follow-up unless the lead was a duplicate: two writes,
    /// for a store whose ``combinesLeadWrites`` is `false` (the exchange then stores each lead
    /// on arrival and never calls this).
    public func insertThenFollowUp(_ lead: Lead, dedupeSince: Timestamp?, then followUp: LeadFollowUp) async throws -> LeadInsertResult {
        let result = try await insertLead(lead, dedupeSince: dedupeSince)
        guard case .inserted = result else { return result }
        try await write(followUp, leadID: lead.id)
        return result
    }

    /// Writes a follow-up of a lead already stored: its posting marker or its outcome.
    public func write(_ followUp: LeadFollowUp, leadID: String) async throws {
        switch followUp {
        case .posting(let campaignID): try await markPosting(leadID: leadID, campaignID: campaignID)
        case .outcome(let outcome, let sellerID): try await recordOutcome(outcome, sellerID: sellerID)
        }
    }
}
