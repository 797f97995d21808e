extension Exchange {
    /// Eligibility, the hybrid allocation draw, the fan-out and the ranking.
    func auction(_ context: Context, pingID: String, fullFields: Bool) async throws -> Round {
        let campaigns = context.market.campaignsByVertical[context.vertical.id] ?? []
        let eligibility = try await eligibilityContext(context, campaigns: campaigns)
        let (eligible, skipped) = Eligibility.partition(campaigns, buyers: context.market.config.buyers, context: eligibility)
        var round = Round()
        round.maxSales = context.vertical.maxSales
        round.skips = skipped.map { SkipRecord(campaignID: $0.campaign.id, reason: $0.reason) }
        round.usage = eligibility.usage
        for skip in round.skips { deps.observer.skipped(campaignID: skip.campaignID, reason: skip.reason) }
        let staticFloor = context.market.config.settings.floor(for: context.vertical)
        round.directs = directOffers(eligible, context: context)
        round.allocated = allocate(eligible, floor: staticFloor)
        let bidders = eligible.filter { $0.delivery.mode != .direct }
        let segment = self.segment(context)
        round.floor = deps.intelligence.floor(
            vertical: context.vertical.id, segment: segment, staticFloor: staticFloor, settings: context.market.config.settings,
            draw: deps.draw)
        round.pings = await fanOut(bidders, context: context, pingID: pingID)
        let bids = bids(round.pings, campaigns: context.market.config.campaigns)
        learn(from: bids, segment: segment, context: context)
        rank(bids, into: &round, settings: context.market.config.settings)
        return round
    }

    /// The lead's segment for learned floors.
    func segment(_ context: Context) -> String {
        context.market.config.settings.floorLearning.segment(
            vertical: context.vertical.id, fields: context.lead.fields, source: context.lead.source, seller: context.seller.id)
    }

    /// Every auction of a real lead teaches its segment, whatever the floor was.
    private func learn(from bids: [Bid], segment: String, context: Context) {
        let learning = context.market.config.settings.floorLearning
        guard !context.lead.test, learning.isOn(for: context.vertical.id) else { return }
        deps.intelligence.observe(FloorObservation(bids: bids.map { $0.amount }), segment: segment, learning: learning)
    }

    /// Orders the bids at or above the floor by price or by quality, and prices them.
    private func rank(_ bids: [Bid], into round: inout Round, settings: Settings) {
        round.ranking = settings.ranking
        guard settings.ranking == .quality else {
            round.ranked = Auction.rank(bids, floor: round.floor.floor)
            round.prices = Auction.clearingPrices(round.ranked, floor: round.floor.floor, kind: settings.auction)
            return
        }
        round.rejectionCost = settings.rejectionCost
        round.quality = deps.intelligence.estimates(bids.map { $0.campaignID }, rejectionCost: settings.rejectionCost)
        round.ranked = Auction.rank(bids, floor: round.floor.floor, quality: round.quality)
        round.prices = Auction.clearingPrices(round.ranked, floor: round.floor.floor, kind: settings.auction, quality: round.quality)
    }

    /// Reads the usage, balances, dedupe history and suppressions eligibility needs, skipping
    /// every read no campaign needs.
    func eligibilityContext(_ context: Context, campaigns: [Campaign]) async throws -> EligibilityContext {
        let now = context.lead.receivedAt
        var result = EligibilityContext(
            sellerID: context.seller.id, fields: context.pingFields, now: now,
            openCircuits: deps.circuits.openCircuits())
        let capped = campaigns.filter { !$0.caps.isEmpty && $0.status == .active }
        if !capped.isEmpty {
            let periods = Dictionary(uniqueKeysWithValues: capped.map { ($0.id, $0.caps.periods(at: now)) })
            result.usage = try await deps.store.capUsage(periods)
        }
        let limited = Set(campaigns.compactMap { context.market.config.buyers[$0.buyerID]?.balanceLimit == nil ? nil : $0.buyerID })
        if !limited.isEmpty { result.balances = try await deps.store.balances(buyerIDs: limited.sorted()) }
        let keys = context.lead.contactKeys.all
        guard !keys.isEmpty else { return result }
        let longest = campaigns.compactMap { $0.dedupeDays }.max() ?? 0
        if longest > 0 { result.lastSold = try await deps.store.lastSales(contactKeys: keys, since: now.minus(days: longest)) }
        if let read = context.stored.suppressions {
            result.suppressedBuyers = read
        } else {
            result.suppressedBuyers = try await deps.store.suppressingBuyers(contactKeys: keys)
        }
        return result
    }

    /// Direct campaigns at or above the floor, by priority then price.
    func directOffers(_ eligible: [Campaign], context: Context) -> [Offer] {
        let floor = context.market.config.settings.floor(for: context.vertical)
        return eligible.filter { $0.delivery.mode == .direct && ($0.price ?? .zero) >= floor && ($0.price ?? .zero) > .zero }
            .sorted { ($0.priority, $0.price ?? .zero, $1.id) > ($1.priority, $1.price ?? .zero, $0.id) }
            .map { Offer(campaignID: $0.id, buyerID: $0.buyerID, price: $0.price ?? .zero, origin: .direct) }
    }

    /// The hybrid draw: with probability equal to its `allocation`, a direct campaign takes the
    /// lead before any auction. Several allocations share one draw, in priority order.
    func allocate(_ eligible: [Campaign], floor: Money) -> Offer? {
        let candidates = eligible.filter { $0.delivery.mode == .direct && ($0.allocation?.micros ?? 0) > 0 && ($0.price ?? .zero) >= floor }
            .sorted { ($0.priority, $1.id) > ($1.priority, $0.id) }
        guard !candidates.isEmpty else { return nil }
        let draw = deps.draw()
        var cumulative: Int64 = 0
        for campaign in candidates {
            cumulative += campaign.allocation?.micros ?? 0
            if draw < cumulative {
                return Offer(campaignID: campaign.id, buyerID: campaign.buyerID, price: campaign.price ?? .zero, origin: .allocation)
            }
        }
        return nil
    }

    /// Prices hosted campaigns in-process and pings every remote one at once; each remote answer
    /// must arrive before the campaign's deadline, measured from the lead's arrival. A buyer that
    /// does not answer in time costs only its own bid.
    func fanOut(_ campaigns: [Campaign], context: Context, pingID: String) async -> [PingRecord] {
        let settings = context.market.config.settings
        let fields = context.pingFields
        var records: [PingRecord] = []
        var remote: [(Campaign, PingRequest)] = []
        var requests: [Int: PingRequest] = [:]
        for campaign in campaigns {
            switch campaign.delivery.mode {
            case .hosted: records.append(hostedRecord(campaign, fields: fields, context: context))
            case .remote:
                let tmax = campaign.timeoutMS(settings: settings)
                let request =
                    requests[tmax]
                    ?? PingRequest(
                        pingID: pingID, vertical: context.vertical.id, tmaxMS: tmax,
                        test: context.lead.test, sellerAlias: context.seller.alias, source: context.lead.source, fields: fields)
                requests[tmax] = request
                remote.append((campaign, request))
            case .direct: break
            }
        }
        records += await pingRemote(remote, context: context)
        for record in records { deps.observer.pinged(campaignID: record.campaignID, answer: record.answer) }
        return records
    }

    private func hostedRecord(_ campaign: Campaign, fields: [String: JSONValue], context: Context) -> PingRecord {
        guard let price = campaign.bid.price(for: fields) else {
            return PingRecord(campaignID: campaign.id, buyerID: campaign.buyerID, answer: PingAnswer(kind: .noBid))
        }
        return PingRecord(
            campaignID: campaign.id, buyerID: campaign.buyerID, answer: PingAnswer(kind: .hosted, bid: price),
            effectiveBid: campaign.effectiveBid(price, seller: context.seller.id, source: context.lead.source))
    }

    /// Pings the remote campaigns at once, each under its own deadline measured from the
    /// lead's arrival (see ``Deadline``).
    private func pingRemote(_ pings: [(Campaign, PingRequest)], context: Context) async -> [PingRecord] {
        let (gateway, clock) = (deps.gateway, deps.clock)
        let calls = pings.map { campaign, request in
            let deadline = context.arrival.advanced(by: .milliseconds(request.tmaxMS))
            let sendable = clock.now < deadline
            return Deadline.Call(
                deadline: deadline,
                work: {
                    guard sendable else { return PingAnswer(kind: .timeout, detail: "deadline passed before sending") }
                    return await gateway.ping(request, campaign: campaign)
                },
                late: { answer in Self.late(answer, tmaxMS: request.tmaxMS) })
        }
        let answers = await Deadline.gather(calls, clock: clock)
        return zip(pings, answers).map { ping, answer in record(ping.0, answer: answer, context: context) }
    }

    /// A ping that missed its deadline: a timeout — "answered after the deadline" with the
    /// latency it took, or (cancelled at the deadline) "no answer by the deadline".
    static func late(_ answer: PingAnswer?, tmaxMS: Int) -> PingAnswer {
        guard let answer, answer.kind != .timeout else {
            return PingAnswer(kind: .timeout, latencyMicros: Int64(tmaxMS) * 1_000, detail: "no answer by the deadline")
        }
        return PingAnswer(kind: .timeout, latencyMicros: answer.latencyMicros, detail: "answered after the deadline")
    }

    private func record(_ campaign: Campaign, answer: PingAnswer, context: Context) -> PingRecord {
        let effective =
            answer.isBid ? answer.bid.map { campaign.effectiveBid($0, seller: context.seller.id, source: context.lead.source) } : nil
        return PingRecord(campaignID: campaign.id, buyerID: campaign.buyerID, answer: answer, effectiveBid: effective)
    }

    /// The bids among ping records.
    func bids(_ records: [PingRecord], campaigns: [String: Campaign]) -> [Bid] {
        records.compactMap { record in
            guard record.answer.isBid, let amount = record.effectiveBid, let campaign = campaigns[record.campaignID] else { return nil }
            return Bid(
                campaignID: record.campaignID, buyerID: record.buyerID, amount: amount, offered: record.answer.bid,
                bidID: record.answer.bidID, priority: campaign.priority, latencyMicros: record.answer.latencyMicros,
                leadType: campaign.leadType, captures: record.answer.captures)
        }
    }
}
