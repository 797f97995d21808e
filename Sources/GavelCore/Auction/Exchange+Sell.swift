extension Exchange {
    /// Runs the post cascade over a round's offers and returns the lead's outcome. Each offer
    /// first holds a slot of the campaign's caps and its buyer's credit (released if the post
    /// does not sell), so concurrent leads can never overshoot a cap.
    func sell(_ context: Context, round: Round, blocked: [String: String]) async throws -> LeadOutcome {
        var cascade = Cascade.plan(
            allocated: round.allocated, ranked: round.ranked, prices: round.prices, directs: round.directs,
            maxSales: round.maxSales)
        var posts: [PostRecord] = []
        var sales: [Sale] = []
        while let offer = cascade.next() {
            let (record, sale) = try await attempt(offer, context: context, blocked: blocked)
            posts.append(record)
            if let sale { sales.append(sale) }
            cascade.record(offer, accepted: sale != nil)
        }
        let status: LeadStatus = sales.isEmpty ? .unsold : .sold
        return LeadOutcome(
            leadID: context.lead.id, status: status, reason: sales.isEmpty ? unsoldReason(round, posts: posts) : nil,
            sales: sales, pings: round.pings, posts: posts, skips: round.skips, finishedAt: deps.wallClock.now(),
            elapsedMicros: context.arrival.duration(to: deps.clock.now).microseconds, note: round.note)
    }

    private func unsoldReason(_ round: Round, posts: [PostRecord]) -> String {
        if !posts.isEmpty { return "all_buyers_rejected" }
        if round.pings.contains(where: { $0.answer.isBid }) { return "bids_below_floor" }
        if round.pings.isEmpty && round.directs.isEmpty { return "no_eligible_buyers" }
        return "no_bids"
    }

    /// One offer: hold the cap slot, post (or deliver to the inbox), and record what happened.
    func attempt(_ offer: Offer, context: Context, blocked: [String: String]) async throws -> (PostRecord, Sale?) {
        func refused(_ reason: String) -> (PostRecord, Sale?) {
            deps.observer.posted(campaignID: offer.campaignID, outcome: .rejected)
            return (
                PostRecord(
                    campaignID: offer.campaignID, buyerID: offer.buyerID, price: offer.price, origin: offer.origin,
                    outcome: .rejected, reason: reason, at: deps.wallClock.now()), nil
            )
        }
        guard let campaign = context.market.config.campaigns[offer.campaignID] else { return refused("campaign_removed") }
        if let reason = blocked[campaign.id] { return refused(reason) }
        let hold = capHold(offer, campaign: campaign, context: context)
        // A stored lead's posting marker goes with the hold (one write); an unstored lead's
        // goes with the lead itself, after the hold.
        let marked = campaign.delivery.postsOverHTTP && context.stored.isStored
        if let reason = try await take(hold, markingPosting: marked, context: context) { return refused(reason) }
        let answer: PostAnswer
        do {
            answer = try await deliver(offer, campaign: campaign, marked: marked, context: context)
                .settled(offered: offer.price, policy: campaign.delivery.integration?.post?.lowerPrice ?? .accept)
        } catch {
            try? await release(hold, context: context)
            throw error
        }
        deps.observer.posted(campaignID: offer.campaignID, outcome: answer.outcome)
        if !context.lead.test && campaign.delivery.postsOverHTTP {
            deps.intelligence.recordPost(campaignID: campaign.id, outcome: answer.outcome)
        }
        let record = PostRecord(offer: offer, answer: answer, at: deps.wallClock.now())
        guard answer.outcome == .accepted else {
            try await release(hold, context: context)
            return (record, nil)
        }
        var charged = offer
        charged.price = answer.confirmedPrice ?? offer.price
        let sale = Sale(
            offer: charged, seller: context.seller, buyerLeadID: answer.buyerLeadID, hold: hold,
            returnWindowDays: campaign.returnWindowDays)
        return (record, sale)
    }

    /// Holds a cap slot and credit for an offer, noting the hold first (a hold that fails may
    /// have been taken), with the lead's posting marker when `markingPosting`; why it was
    /// refused, or `nil` when held.
    private func take(_ hold: CapHold, markingPosting: Bool, context: Context) async throws -> String? {
        context.holds.add(hold)
        let result =
            markingPosting
            ? try await deps.store.hold(hold, markingPostingOf: context.lead.id) : try await deps.store.hold(hold)
        guard result != .held else { return nil }
        context.holds.remove(hold)
        return result == .capReached ? "cap_reached" : "credit_limit"
    }

    /// Gives a hold back and forgets it (a failed release stays noted, for repair).
    func release(_ hold: CapHold, context: Context) async throws {
        try await deps.store.release(hold)
        context.holds.remove(hold)
    }

    private func capHold(_ offer: Offer, campaign: Campaign, context: Context) -> CapHold {
        CapHold(
            campaignID: campaign.id, buyerID: campaign.buyerID, caps: campaign.caps,
            periods: campaign.caps.periods(at: context.lead.receivedAt), price: offer.price,
            balanceLimit: context.market.config.buyers[campaign.buyerID]?.balanceLimit, counts: !context.lead.test)
    }

    /// Posts the full lead to the campaign's post URL (its posting marker written first, unless
    /// it is `marked` already), or delivers it to the buyer's inbox when the campaign has none.
    private func deliver(_ offer: Offer, campaign: Campaign, marked: Bool, context: Context) async throws -> PostAnswer {
        guard campaign.delivery.postsOverHTTP else { return .accepted }
        if !marked { try await write(.posting(campaignID: campaign.id), context: context) }
        let request = PostRequest(
            pingID: context.lead.pingID ?? context.lead.id, bidID: offer.bidID, leadID: context.lead.id, price: offer.price,
            vertical: context.vertical.id, test: context.lead.test, fields: context.lead.fields, consent: context.lead.consent,
            captures: offer.captures, source: context.lead.source, sellerAlias: context.seller.alias)
        let (gateway, timeoutMS) = (deps.gateway, campaign.delivery.effectivePostTimeoutMS)
        return await Deadline.race(until: deps.clock.now.advanced(by: .milliseconds(timeoutMS)), clock: deps.clock) {
            await gateway.post(request, campaign: campaign)
        } late: { _ in
            PostAnswer(outcome: .rejected, reason: "timeout", latencyMicros: Int64(timeoutMS) * 1_000)
        }
    }
}
