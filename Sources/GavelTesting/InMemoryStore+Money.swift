import GavelCore
import GavelStoreSupport

extension InMemoryStore {
    /// Returns a lead, atomically, as the ``ReturnPolicy`` decides: only the buyer that bought
    /// it (a test lead has no charge to return: `notFound`), before its sale's return window
    /// closes, within the buyer's return rate, once. An approved return marks the sale
    /// returned, writes the reversing entries, reduces the buyer's unpaid balance and counts
    /// in the report rollups of the lead's arrival hour. Cap usage is not given back.
    public func recordReturn(_ request: ReturnRequest) async throws -> ReturnResult {
        try locked { $0.recordReturn(request) }
    }

    /// Records a conversion of a lead the buyer bought, once per lead and buyer.
    public func recordConversion(
        leadID: String, buyerID: String, value: Money?, at: Timestamp, webhooks: WebhookFanOut
    ) async throws
        -> ConversionResult
    {
        try locked { $0.recordConversion(leadID: leadID, buyerID: buyerID, value: value, at: at, webhooks: webhooks) }
    }

    /// Records a buyer's payment: the entries of `LedgerEntry.forPayment` (no lead or campaign),
    /// and reduces the buyer's unpaid balance by the amount (not below zero).
    public func recordPayment(buyerID: String, amount: Money, at: Timestamp) async throws {
        try locked { state in
            state.appendLedger(LedgerEntry.forPayment(buyerID: buyerID, amount: amount, at: at))
            state.reduceBalance(buyerID: buyerID, by: amount)
        }
    }

    /// The leads a buyer bought, sold in `[from, to)`, oldest sale first (then by lead id), at
    /// most `limit`.
    public func boughtLeads(buyerID: String, from: Timestamp, to: Timestamp, limit: Int) async throws -> [BoughtLead] {
        guard limit > 0 else { return [] }
        return try locked { $0.boughtLeads(buyerID: buyerID, from: from, to: to, limit: limit) }
    }

    /// The ledger entries of a lead (`""` for payments), in the order they were written.
    public func ledgerEntries(leadID: String) async throws -> [LedgerEntry] {
        let rows = try locked { $0.ledger[leadID] ?? [] }
        return try rows.map { try $0.entry() }
    }

    /// The balance of every ledger account (the sum of its entries), e.g. `buyer:acme`.
    public func ledgerBalances() async throws -> [String: Money] {
        try locked { state in
            state.ledger.values.joined().reduce(into: [:]) { $0[$1.account, default: .zero] += Money(cents: $1.cents) }
        }
    }
}

extension InMemoryState {
    /// A buyer's sale of a lead: its first not yet returned one, else its first (`nil` when the
    /// buyer did not buy it).
    func sale(leadID: String, buyerID: String) -> (index: Int, stored: StoredSale, lead: StoredLead)? {
        guard let lead = leads[leadID] else { return nil }
        let mine = lead.sales.indices.filter { lead.sales[$0].sale.buyerID == buyerID }
        guard let index = mine.first(where: { !lead.sales[$0].isReturned }) ?? mine.first else { return nil }
        return (index, lead.sales[index], lead)
    }

    /// The core's view of a sale, for the return policy.
    private func sold(_ found: (index: Int, stored: StoredSale, lead: StoredLead), buyerID: String) -> SoldLead {
        let (stored, lead) = (found.stored, found.lead)
        return SoldLead(
            leadID: lead.lead.id, buyerID: buyerID, campaignID: stored.sale.campaignID, sellerID: stored.sellerID,
            price: stored.sale.price, payout: stored.sale.payout, soldAt: stored.at, returnWindowDays: stored.sale.returnWindowDays,
            returned: stored.isReturned, test: lead.lead.test)
    }

    mutating func recordReturn(_ request: ReturnRequest) -> ReturnResult {
        let found = sale(leadID: request.leadID, buyerID: request.buyerID)
        let sold = found.map { self.sold($0, buyerID: request.buyerID) }
        let counts = ReturnPolicy.needsCounts(request, sold: sold) ? rateCounts(request) : nil
        let result: ReturnResult
        switch ReturnPolicy.decide(request, sold: sold, counts: counts) {
        case .refuse(let refusal):
            result = refusal
        case .approve(let refund, let entries):
            guard let found else { return .notFound }
            approve(request, found, refund: refund, entries: entries)
            result = .approved(refund: refund)
        }
        writeWebhookMessages(request.webhooks.returnMessages(request, sold: sold, result: result))
        return result
    }

    /// Marks the sale returned, writes the reversing entries, the report and balance changes.
    private mutating func approve(
        _ request: ReturnRequest, _ found: (index: Int, stored: StoredSale, lead: StoredLead), refund: Money, entries: [LedgerEntry]
    ) {
        appendLedger(entries)
        leads[request.leadID]?.sales[found.index].returnedAt = request.at
        leads[request.leadID]?.sales[found.index].returnReason = request.reason
        let sale = found.stored.sale
        let counters = RollupCounters.returned(priceCents: sale.price.cents, payoutCents: sale.payout.cents)
        rollups.add(.both(counters, campaignID: sale.campaignID, buyerID: request.buyerID), group: found.lead.group)
        reduceBalance(buyerID: request.buyerID, by: refund)
    }

    /// The buyer's returns and counted sales in the policy's rate window.
    private func rateCounts(_ request: ReturnRequest) -> ReturnPolicy.RateCounts {
        let window = ReturnPolicy.rateWindow(request)
        let inWindow = { (time: Timestamp) in time > window.from && time <= window.through }
        let sales = buyerSales(request.buyerID)
        return ReturnPolicy.RateCounts(
            returns: sales.filter { $0.returnedAt.map(inWindow) ?? false }.count,
            sales: sales.filter { $0.counted && inWindow($0.at) }.count)
    }

    /// A buyer's sales, in the order they were made, with their lead ids.
    func buyerSales(_ buyerID: String) -> [StoredSale] {
        (salesByBuyer[buyerID] ?? []).compactMap { leads[$0.leadID]?.sales[$0.index] }
    }

    mutating func recordConversion(
        leadID: String, buyerID: String, value: Money?, at: Timestamp, webhooks: WebhookFanOut
    ) -> ConversionResult {
        guard let found = sale(leadID: leadID, buyerID: buyerID) else { return .notFound }
        let key = ConversionKey(leadID: leadID, buyerID: buyerID)
        guard conversions[key] == nil else { return .alreadyRecorded }
        let campaignID = found.stored.sale.campaignID
        conversions[key] = StoredConversion(campaignID: campaignID, value: value, at: at)
        if !found.lead.lead.test {
            rollups.add(.both(RollupCounters(conversions: 1), campaignID: campaignID, buyerID: buyerID), group: found.lead.group)
        }
        writeWebhookMessages(webhooks.conversionMessages(sold(found, buyerID: buyerID), value: value, at: at))
        return .recorded
    }

    func boughtLeads(buyerID: String, from: Timestamp, to: Timestamp, limit: Int) -> [BoughtLead] {
        let bought = (salesByBuyer[buyerID] ?? []).compactMap { ref -> (ref: SaleRef, lead: Lead, sale: StoredSale)? in
            guard let lead = leads[ref.leadID] else { return nil }
            let sale = lead.sales[ref.index]
            return sale.at >= from && sale.at < to ? (ref, lead.lead, sale) : nil
        }
        let ordered = bought.sorted { ($0.sale.at, $0.ref.leadID, $0.ref.index) < ($1.sale.at, $1.ref.leadID, $1.ref.index) }
        return ordered.prefix(limit).map { item in
            BoughtLead(
                lead: item.lead, campaignID: item.sale.sale.campaignID, price: item.sale.sale.price, soldAt: item.sale.at,
                returned: item.sale.isReturned)
        }
    }
}
