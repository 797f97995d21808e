import GavelCore
import GavelStoreSupport

extension InMemoryStore {
    /// The store's secret for contact keys (random, made with the store, kept by
    /// ``reopened()``).
    public func contactKeySecret() async throws -> [UInt8] {
        try locked { $0.secret }
    }

    /// Erases the personal data of every lead with any of the contact keys and records the
    /// erasure, atomically; stored idempotency responses for those leads lose their redirect URL.
    public func eraseConsumer(contactKeys: [String], redaction: Redaction, record: ErasureRecord) async throws -> ErasureRecord {
        let keys = Set(contactKeys)
        return try locked { state in
            let ids = state.leads.values.filter { !keys.isDisjoint(with: $0.lead.contactKeys.all) }.map(\.lead.id)
            for id in ids { state.erase(leadID: id, redaction: redaction, at: record.at) }
            state.scrubResponses(leadIDs: Set(ids))
            var done = record
            done.leads = ids.count
            state.erasures.append(done)
            return done
        }
    }

    /// Erases the personal data of up to `limit` leads received before `receivedBefore` and
    /// not erased yet, oldest first; returns how many.
    public func eraseExpired(receivedBefore: Timestamp, redaction: Redaction, at: Timestamp, limit: Int) async throws -> Int {
        try locked { state in
            let ids = state.leads.values.filter { $0.lead.erasedAt == nil && $0.lead.receivedAt < receivedBefore }
                .sorted { ($0.lead.receivedAt, $0.lead.id) < ($1.lead.receivedAt, $1.lead.id) }.prefix(limit).map(\.lead.id)
            for id in ids { state.erase(leadID: id, redaction: redaction, at: at) }
            state.scrubResponses(leadIDs: Set(ids))
            return ids.count
        }
    }

    /// Records an erasure.
    public func recordErasure(_ record: ErasureRecord) async throws {
        try locked { $0.erasures.append(record) }
    }

    /// The recorded erasures, newest first.
    public func erasures(limit: Int) async throws -> [ErasureRecord] {
        try locked { state in
            Array(state.erasures.sorted { ($0.at, $0.id) > ($1.at, $1.id) }.prefix(max(0, limit)))
        }
    }
}

extension InMemoryState {
    /// Erases one lead: its fields and consent, the buyer texts of its posts and sales, its
    /// return reasons and webhook bodies that repeat its personal values.
    mutating func erase(leadID: String, redaction: Redaction, at: Timestamp) {
        guard var stored = leads[leadID] else { return }
        let values = redaction.personalValues(stored.lead)
        stored.lead = redaction.erase(stored.lead, at: at)
        stored.outcome = stored.outcome.map { redaction.erase($0, values: values) }
        for index in stored.sales.indices {
            if let id = stored.sales[index].sale.buyerLeadID, Redaction.mentions(id, values) { stored.sales[index].sale.buyerLeadID = nil }
            if let reason = Redaction.scrubbed(stored.sales[index].returnReason, values: values) {
                stored.sales[index].returnReason = reason
            }
        }
        leads[leadID] = stored
        scrubWebhookBodies(leadID: leadID, values: values)
    }

    /// Rewrites the outbox bodies about the lead whose `reason` repeats a personal value.
    mutating func scrubWebhookBodies(leadID: String, values: [String]) {
        for (id, entry) in webhooks.deliveries where entry.delivery.message.body.contains(leadID) {
            guard let body = Redaction.scrubWebhookBody(entry.delivery.message.body, values: values) else { continue }
            webhooks.deliveries[id]?.delivery.message.body = body
        }
    }

    /// Drops the redirect URL from stored idempotency responses of the leads.
    mutating func scrubResponses(leadIDs: Set<String>) {
        guard !leadIDs.isEmpty else { return }
        for (id, entry) in idempotency {
            guard let scrubbed = Redaction.scrubResponse(entry.body, leadIDs: leadIDs) else { continue }
            idempotency[id]?.body = scrubbed
        }
    }
}
