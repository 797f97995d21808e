import GavelCore
import GavelStoreSupport

/// A lead as an ``InMemoryStore`` keeps it: the lead, its current status, its outcome (its
/// sales kept apart, as they change when returned) and its sales.
struct StoredLead: Sendable {
    var lead: Lead
    var status: LeadStatus
    /// The outcome without its sales; `nil` while pending.
    var outcome: LeadOutcome?
    var sales: [StoredSale] = []

    /// The lead with its status and outcome, as a database store reads it back.
    var detail: LeadDetail {
        var outcome = outcome
        outcome?.sales = sales.map(\.sale)
        return LeadDetail(lead: lead, outcome: outcome, status: status)
    }

    /// Its report rollup group.
    var group: LeadGroup { LeadGroup(lead) }

    /// Whether it may be the original of a later duplicate.
    var canBeOriginal: Bool { status != .duplicate && status != .rejected }
}

/// One sale of a lead, with whether and when it was returned.
struct StoredSale: Sendable {
    /// The sale as read back: its hold carries default caps, the periods of its local day and
    /// no credit limit (what a database store keeps of it).
    var sale: Sale
    var sellerID: String
    var at: Timestamp
    var returnedAt: Timestamp?
    var returnReason: String?

    init(_ sale: Sale, sellerID: String, at: Timestamp) {
        var stored = sale
        stored.hold = CapHold(
            campaignID: sale.campaignID, buyerID: sale.buyerID, caps: Campaign.Caps(), periods: CapPeriods(date: sale.hold.periods.day),
            price: sale.price, balanceLimit: nil, counts: sale.hold.counts)
        self.sale = stored
        self.sellerID = sellerID
        self.at = at
    }

    var isReturned: Bool { returnedAt != nil }
    /// Whether it counts in caps and return rates (not a test sale).
    var counted: Bool { sale.hold.counts }
}

/// Where a sale is: its lead and its index among the lead's sales.
struct SaleRef: Sendable, Hashable {
    var leadID: String
    var index: Int
}

/// A ledger line as stored: a ``LedgerEntry`` whose kind is kept as text, so the audit can
/// report one it does not know (see ``InMemoryStore/tamperWithLedgerForTesting(leadID:addingCents:kind:)``).
struct LedgerRow: Sendable, Hashable {
    /// Its id (from 1, in the order written; 0 for a row that is only compared, never stored).
    var id: Int64
    var leadID: String
    var campaignID: String
    var account: String
    var cents: Int64
    var kind: String
    var at: Timestamp

    init(_ entry: LedgerEntry, id: Int64 = 0) {
        self.id = id
        leadID = entry.leadID
        campaignID = entry.campaignID
        account = entry.account
        cents = entry.amount.cents
        kind = entry.kind.rawValue
        at = entry.at
    }

    /// The row as the chain seals it.
    var chainRecord: ChainRecord {
        .ledger(
            ChainRecord.Ledger(
                id: id, leadID: leadID, campaignID: campaignID, account: account, cents: cents, kind: kind, at: at.milliseconds))
    }

    /// The entry; ``StorageError/unavailable(_:)`` for an unknown kind.
    func entry() throws -> LedgerEntry {
        guard let kind = LedgerEntry.Kind(rawValue: kind) else {
            throw StorageError.unavailable("stored ledger entry has an unknown kind")
        }
        return LedgerEntry(leadID: leadID, campaignID: campaignID, account: account, amount: Money(cents: cents), kind: kind, at: at)
    }
}

/// A conversion's key: one per lead and buyer.
struct ConversionKey: Sendable, Hashable {
    var leadID: String
    var buyerID: String
}

/// A recorded conversion.
struct StoredConversion: Sendable {
    var campaignID: String
    var value: Money?
    var at: Timestamp
}

/// A held ping and when it was claimed.
struct StoredPing: Sendable {
    var ping: HeldPing
    var claimedAt: Timestamp?
}

/// An idempotency key's identity: a seller's key.
struct IdempotencyID: Sendable, Hashable {
    var sellerID: String
    var key: String
}

/// A claimed idempotency key and, once completed, its response.
struct IdempotencyEntry: Sendable {
    var fingerprint: String
    var createdAt: Timestamp
    var status: Int?
    var body: [UInt8]
}
