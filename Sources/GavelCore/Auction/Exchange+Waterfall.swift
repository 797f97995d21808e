extension Exchange {
    /// The sequential ping tree: one campaign at a time, in priority order, until one takes the
    /// lead; then direct campaigns. Each remote campaign gets its own full deadline, so the
    /// tree's latency adds up — which is what the auction avoids. Returns the outcome and the
    /// cap usage eligibility read.
    func waterfall(_ context: Context) async throws -> (LeadOutcome, [String: CapUsage]) {
        let campaigns = context.market.campaignsByVertical[context.vertical.id] ?? []
        let eligibility = try await eligibilityContext(context, campaigns: campaigns)
        let (eligible, skipped) = Eligibility.partition(campaigns, buyers: context.market.config.buyers, context: eligibility)
        var round = Round()
        round.skips = skipped.map { SkipRecord(campaignID: $0.campaign.id, reason: $0.reason) }
        let floor = context.market.config.settings.floor(for: context.vertical)
        var posts: [PostRecord] = []
        for campaign in Self.treeOrder(eligible) {
            var node = context
            node.arrival = deps.clock.now
            guard let record = await fanOut([campaign], context: node, pingID: context.lead.pingID ?? context.lead.id).first else {
                continue
            }
            round.pings.append(record)
            guard let offer = Self.treeOffer(campaign, record: record, floor: floor) else { continue }
            let (post, sale) = try await attempt(offer, context: context, blocked: [:])
            posts.append(post)
            if let sale { return (finished(context, round: round, posts: posts, sales: [sale]), eligibility.usage) }
        }
        for offer in directOffers(eligible, context: context) {
            let (post, sale) = try await attempt(offer, context: context, blocked: [:])
            posts.append(post)
            if let sale { return (finished(context, round: round, posts: posts, sales: [sale]), eligibility.usage) }
        }
        return (finished(context, round: round, posts: posts, sales: []), eligibility.usage)
    }

    /// Tree order: priority, then tier price (or base bid), highest first.
    static func treeOrder(_ campaigns: [Campaign]) -> [Campaign] {
        campaigns.filter { $0.delivery.mode != .direct }.sorted { a, b in
            let tierA = a.price ?? a.bid.base ?? .zero
            let tierB = b.price ?? b.bid.base ?? .zero
            return (a.priority, tierA, b.id) > (b.priority, tierB, a.id)
        }
    }

    /// The offer a tree node makes: its tier price if the bid reaches it, else its bid; `nil`
    /// below the floor or without a bid.
    static func treeOffer(_ campaign: Campaign, record: PingRecord, floor: Money) -> Offer? {
        guard record.answer.isBid, let bid = record.effectiveBid else { return nil }
        let price = campaign.price ?? bid
        guard bid >= price, price >= floor, price > .zero else { return nil }
        return Offer(
            campaignID: campaign.id, buyerID: campaign.buyerID, price: price, bidID: record.answer.bidID, origin: .auction,
            captures: record.answer.captures)
    }

    private func finished(_ context: Context, round: Round, posts: [PostRecord], sales: [Sale]) -> LeadOutcome {
        LeadOutcome(
            leadID: context.lead.id, status: sales.isEmpty ? .unsold : .sold,
            reason: sales.isEmpty ? (posts.isEmpty ? "no_bids" : "all_buyers_rejected") : nil, sales: sales, pings: round.pings,
            posts: posts, skips: round.skips, finishedAt: deps.wallClock.now(),
            elapsedMicros: context.arrival.duration(to: deps.clock.now).microseconds, note: round.note)
    }
}
