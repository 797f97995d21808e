import GavelCore
import GavelStoreSupport

extension InMemoryStore {
    /// Stores a lead as pending, or as a duplicate when an earlier lead of the same consumer
    /// (by contact key, not a duplicate or rejected itself) arrived since `dedupeSince` —
    /// checked and stored in one atomic step. ``StorageError/conflict(_:)`` when the id exists.
    ///
    /// Only non-test, non-duplicate leads leave contact keys behind for later dedupe checks; a
    /// duplicate counts in the reports at once (it is finished).
    public func insertLead(_ lead: Lead, dedupeSince: Timestamp?) async throws -> LeadInsertResult {
        try locked { try $0.insertLead(lead, dedupeSince: dedupeSince) }
    }

    /// Notes (with the clock's time, once per campaign) that a post of the lead to a campaign
    /// is about to be sent; ``StorageError/notFound(_:)`` for an unknown lead.
    public func markPosting(leadID: String, campaignID: String) async throws {
        let now = clock.now()
        try locked { state in
            guard state.leads[leadID] != nil else { throw StorageError.notFound(leadID) }
            state.postings[leadID, default: [:]][campaignID] = state.postings[leadID]?[campaignID] ?? now
        }
    }

    /// Records a lead's outcome at once: its status, records, sales, their ledger entries (not
    /// for test leads), the usage of counted sales and the report rollups; clears its posting
    /// marks. ``StorageError/notFound(_:)`` for an unknown lead, ``StorageError/conflict(_:)``
    /// when its outcome was already recorded. A sale charged below (or above) its hold settles
    /// the difference in caps and credit.
    public func recordOutcome(_ outcome: LeadOutcome, sellerID: String) async throws {
        try locked { try $0.recordOutcome(outcome, sellerID: sellerID) }
    }

    /// Whether leads are stored at their first durable need (the default) or on arrival, as
    /// a store whose writes cannot be combined does: both flows of the exchange run on this
    /// store.
    public var combinesLeadWrites: Bool { combining }

    /// The lead's earlier original since a time, without storing anything.
    public func original(of lead: Lead, since: Timestamp) async throws -> String? {
        try locked { $0.original(of: lead, since: since) }
    }

    /// Stores the lead and, unless it is a duplicate, its posting mark or outcome, in one step.
    public func insertLead(_ lead: Lead, dedupeSince: Timestamp?, then followUp: LeadFollowUp) async throws -> LeadInsertResult {
        let now = clock.now()
        return try locked { state in
            let result = try state.insertLead(lead, dedupeSince: dedupeSince)
            guard case .inserted = result else { return result }
            switch followUp {
            case .posting(let campaignID): state.postings[lead.id, default: [:]][campaignID] = now
            case .outcome(let outcome, let sellerID): try state.recordOutcome(outcome, sellerID: sellerID)  // cannot fail: just inserted
            }
            return result
        }
    }

    /// A lead with its current status and its outcome (`nil` while pending).
    public func lead(id: String) async throws -> LeadDetail? {
        try locked { $0.leads[id]?.detail }
    }

    /// When each campaign last bought a consumer with any of these keys, since a time.
    public func lastSales(contactKeys: [String], since: Timestamp) async throws -> [String: Timestamp] {
        try locked { $0.lastSales(contactKeys: contactKeys, since: since) }
    }

    /// Marks leads left pending: `review` when a post had been sent, `unsold` otherwise, both
    /// with reason `interrupted`; each non-test one counts in the reports as a lead.
    public func reconcile(now: Timestamp) async throws -> (review: Int, unsold: Int) {
        try locked { $0.reconcile(now: now) }
    }

    /// Marks these leads, those still pending only, as ``reconcile(now:)`` does.
    public func reconcile(leadIDs: [String], now: Timestamp) async throws -> (review: Int, unsold: Int) {
        try locked { $0.reconcile(now: now, only: Set(leadIDs)) }
    }
}

extension InMemoryState {
    mutating func insertLead(_ lead: Lead, dedupeSince: Timestamp?) throws -> LeadInsertResult {
        guard leads[lead.id] == nil else { throw StorageError.conflict(lead.id) }
        if let since = dedupeSince, let original = original(of: lead, since: since) {
            storeDuplicate(lead)
            return .duplicate(of: original)
        }
        leads[lead.id] = StoredLead(lead: lead, status: .pending, outcome: nil)
        indexContacts(lead)
        return .inserted
    }

    /// Stores a lead as a duplicate, finished on arrival; a non-test one counts as a lead.
    mutating func storeDuplicate(_ lead: Lead) {
        let outcome = LeadOutcome(leadID: lead.id, status: .duplicate, reason: "duplicate", finishedAt: lead.receivedAt)
        leads[lead.id] = StoredLead(lead: lead, status: .duplicate, outcome: outcome)
        if !lead.test { rollups.add(RollupDelta(lead: .oneLead), group: LeadGroup(lead)) }
    }

    /// Indexes a stored lead's contact keys (not a test lead's).
    mutating func indexContacts(_ lead: Lead) {
        guard !lead.test else { return }
        for key in Set(lead.contactKeys.all) { contacts[key, default: []].append(lead.id) }
    }

    /// The earliest lead of the same consumer since `since`: for each key the earliest by
    /// arrival (then id), and of those the first strictly earliest.
    func original(of lead: Lead, since: Timestamp) -> String? {
        var best: (id: String, at: Timestamp)?
        for key in lead.contactKeys.all {
            let candidates = (contacts[key] ?? []).compactMap { leads[$0] }.filter { $0.canBeOriginal && $0.lead.receivedAt >= since }
            guard let first = candidates.min(by: { ($0.lead.receivedAt, $0.lead.id) < ($1.lead.receivedAt, $1.lead.id) }) else { continue }
            if best.map({ first.lead.receivedAt < $0.at }) ?? true { best = (first.lead.id, first.lead.receivedAt) }
        }
        return best?.id
    }

    mutating func recordOutcome(_ outcome: LeadOutcome, sellerID: String) throws {
        guard let stored = leads[outcome.leadID] else { throw StorageError.notFound(outcome.leadID) }
        guard stored.outcome == nil else { throw StorageError.conflict(outcome.leadID) }
        storeOutcome(outcome, of: stored.lead, sellerID: sellerID)
        writeWebhookMessages(outcome.webhooks)
        postings[outcome.leadID] = nil
        for sale in outcome.sales { usage.settle(sale.hold, price: sale.price) }
    }

    /// Stores a finished lead's outcome, sales, ledger entries, durable usage and rollups
    /// (what `recordOutcome` and an import share).
    mutating func storeOutcome(_ outcome: LeadOutcome, of lead: Lead, sellerID: String) {
        var finished = outcome
        finished.sales = []
        finished.webhooks = []
        let sales = outcome.sales.map { StoredSale($0, sellerID: sellerID, at: outcome.finishedAt) }
        leads[lead.id] = StoredLead(lead: lead, status: outcome.status, outcome: finished, sales: sales)
        seal(sales.indices.map { .sale(leadID: lead.id, index: $0) })
        for (index, sale) in outcome.sales.enumerated() {
            salesByBuyer[sale.buyerID, default: []].append(SaleRef(leadID: lead.id, index: index))
            if !lead.test { appendLedger(LedgerEntry.forSale(sale, leadID: lead.id, sellerID: sellerID, at: outcome.finishedAt)) }
            guard sale.hold.counts else { continue }
            for key in UsageKey.all(for: sale.hold) { addDurable(key, leads: 1, cents: sale.price.cents) }
        }
        if !lead.test { rollups.add(RollupDelta(outcome), group: LeadGroup(lead)) }
    }

    /// Appends ledger entries under their leads, and links them into the chain.
    mutating func appendLedger(_ entries: [LedgerEntry]) {
        var places: [InMemoryPlace] = []
        for entry in entries {
            ledgerRows += 1
            places.append(.ledger(leadID: entry.leadID, index: ledger[entry.leadID]?.count ?? 0))
            ledger[entry.leadID, default: []].append(LedgerRow(entry, id: ledgerRows))
        }
        seal(places)
    }

    func lastSales(contactKeys: [String], since: Timestamp) -> [String: Timestamp] {
        var result: [String: Timestamp] = [:]
        for key in contactKeys {
            for id in contacts[key] ?? [] {
                for stored in leads[id]?.sales ?? [] where stored.at >= since {
                    result[stored.sale.campaignID] = max(result[stored.sale.campaignID] ?? stored.at, stored.at)
                }
            }
        }
        return result
    }

    mutating func reconcile(now: Timestamp, only ids: Set<String>? = nil) -> (review: Int, unsold: Int) {
        var (review, unsold) = (0, 0)
        for (id, stored) in leads where stored.status == .pending && ids?.contains(id) ?? true {
            let status: LeadStatus = postings[id] == nil ? .unsold : .review
            if status == .review { review += 1 } else { unsold += 1 }
            leads[id]?.status = status
            leads[id]?.outcome = LeadOutcome(leadID: id, status: status, reason: "interrupted", finishedAt: now)
            if !stored.lead.test { rollups.add(RollupDelta(lead: .oneLead), group: stored.group) }
            postings[id] = nil
        }
        if ids == nil { postings = [:] }
        return (review, unsold)
    }
}
