extension Exchange {
    /// Records a lead's outcome with its webhook events in the same transaction: `lead.sold` or
    /// `lead.unsold`, and `campaign.paused` (once per campaign, cap and period) for each
    /// campaign passed by because a cap is used up. Without subscribers the outcome is written
    /// exactly as before.
    func record(_ outcome: LeadOutcome, context: Context, usage: [String: CapUsage]) async throws {
        let (noticed, onceKeys) = withWebhooks(outcome, context: context, usage: usage)
        try await write(.outcome(noticed, sellerID: context.seller.id), context: context)
        deps.webhooks.remember(onceKeys)
    }

    /// The outcome with its webhook messages, and the once keys they carry.
    func withWebhooks(_ outcome: LeadOutcome, context: Context, usage: [String: CapUsage]) -> (LeadOutcome, [String]) {
        let fanOut = deps.webhooks.fanOut(for: [.leadSold, .leadUnsold, .campaignPaused])
        guard !fanOut.subscribers.isEmpty else { return (outcome, []) }
        var noticed = outcome
        let notice = LeadNotice(lead: context.lead, outcome: outcome)
        let type: WebhookEventType = outcome.status == .sold ? .leadSold : .leadUnsold
        noticed.webhooks = fanOut.messages(type, at: outcome.finishedAt, test: context.lead.test) { .lead(notice) }
        var keys: [String] = []
        for (key, pause) in capPauses(outcome, context: context, usage: usage) where !deps.webhooks.wasAnnounced(key) {
            noticed.webhooks += fanOut.messages(.campaignPaused, at: outcome.finishedAt, onceKey: key) { .campaignPaused(pause) }
            keys.append(key)
        }
        return (noticed, keys)
    }

    /// The campaigns eligibility passed by because a cap is used up, each with the once key of
    /// its cap and period.
    private func capPauses(_ outcome: LeadOutcome, context: Context, usage: [String: CapUsage]) -> [(String, PauseNotice)] {
        guard deps.webhooks.subscribes(to: .campaignPaused) else { return [] }
        return outcome.skips.compactMap { skip in
            guard skip.reason == .cap, let campaign = context.market.config.campaigns[skip.campaignID] else { return nil }
            let periods = campaign.caps.periods(at: context.lead.receivedAt)
            guard let reached = campaign.caps.exhaustedCap(usage[campaign.id] ?? .zero, periods: periods) else { return nil }
            let key = WebhookOnceKey.capReached(campaignID: campaign.id, cap: reached.cap, period: reached.period)
            let cause = PauseNotice.Cause.capReached(cap: reached.cap, period: reached.period, timezone: campaign.caps.timezone)
            return (key, PauseNotice(campaignID: campaign.id, buyerID: campaign.buyerID, cause: cause))
        }
    }
}
