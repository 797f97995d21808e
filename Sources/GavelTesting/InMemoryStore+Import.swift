import GavelCore
import GavelStoreSupport

extension InMemoryStore {
    /// How many leads one import step stores atomically (as the SQLite store's transactions).
    static let importChunk = 10_000

    /// Stores many finished leads, each exactly as `insertLead` (without dedupe) and
    /// `recordOutcome` would leave it — with its contact keys, sales, ledger entries, cap usage
    /// and report rollups — in atomic steps of ``importChunk`` leads. A lead whose outcome is
    /// `duplicate` is stored as `insertLead` stores a duplicate. Throws
    /// ``StorageError/conflict(_:)`` when a lead id exists (its step stores nothing; earlier
    /// steps stay).
    public func importLeads(_ leads: [(lead: Lead, outcome: LeadOutcome)]) async throws {
        for start in stride(from: leads.startIndex, to: leads.endIndex, by: Self.importChunk) {
            let chunk = leads[start..<min(start + Self.importChunk, leads.endIndex)]
            try locked { try $0.importChunk(chunk) }
        }
    }
}

extension InMemoryState {
    /// Imports leads at once, or none when one of their ids exists.
    mutating func importChunk(_ chunk: ArraySlice<(lead: Lead, outcome: LeadOutcome)>) throws {
        var seen = Set<String>()
        for (lead, _) in chunk {
            guard leads[lead.id] == nil, seen.insert(lead.id).inserted else { throw StorageError.conflict(lead.id) }
        }
        for (lead, outcome) in chunk { importLead(lead, outcome) }
    }

    /// Stores one finished lead; its counted sales add to the cap and credit book too (they
    /// were never held).
    private mutating func importLead(_ lead: Lead, _ outcome: LeadOutcome) {
        guard outcome.status != .duplicate else { return storeDuplicate(lead) }
        storeOutcome(outcome, of: lead, sellerID: lead.sellerID)
        indexContacts(lead)
        var increments: [UsageKey: UsageCount] = [:]
        for sale in outcome.sales where sale.hold.counts {
            for key in UsageKey.all(for: sale.hold) {
                increments[key, default: .zero].leads += 1
                increments[key, default: .zero].spendCents += sale.price.cents
            }
        }
        usage.seed(Array(increments.keys), persisted: [:])
        usage.addPersisted(increments)
    }
}
