/// The state of a campaign's circuit breaker.
public enum CircuitState: String, Sendable, Hashable, CaseIterable {
    /// Calls flow.
    case closed
    /// Calls are skipped until the cool-down ends.
    case open
    /// One probe call is allowed; its result closes or reopens the circuit.
    case halfOpen = "half_open"
}

/// Health of campaigns as seen by the buyer gateway: which circuit breakers are open.
public protocol CircuitBoard: Sendable {
    /// Campaigns not to ping for this lead. Calling it may let one lead probe a campaign whose
    /// cool-down has ended.
    func openCircuits() -> Set<String>
    /// The state of every campaign whose circuit is not closed, without changing anything.
    func circuitStates() -> [String: CircuitState]
}

extension CircuitBoard {
    /// No circuit is tracked.
    public func circuitStates() -> [String: CircuitState] { [:] }
}

/// A circuit board with every circuit closed.
public struct ClosedCircuits: CircuitBoard {
    /// Creates the board.
    public init() {}
    /// Nothing is open.
    public func openCircuits() -> Set<String> { [] }
}

/// The exchange: validates leads, runs auctions across buyers and sells to the best bid,
/// through its ports. It holds no mutable state of its own.
public struct Exchange<C: Clock>: Sendable where C.Duration == Duration {
    /// What the exchange runs on.
    public struct Dependencies: Sendable {
        /// Durable storage.
        public var store: any ExchangeStore
        /// Calls to remote buyers.
        public var gateway: any BuyerGateway
        /// The configuration.
        public var market: MarketCache
        /// Wall-clock time for records, caps and TTLs.
        public var wallClock: any WallClock
        /// The clock deadlines are measured on.
        public var clock: C
        /// SHA-256 for contact keys.
        public var hasher: any ContactHasher
        /// Metrics.
        public var observer: any ExchangeObserver
        /// Circuit breakers.
        public var circuits: any CircuitBoard
        /// Draws a uniform number in 0..<1,000,000 for hybrid allocation.
        public var draw: @Sendable () -> Int64
        /// Id generation.
        public var ids: IDGenerator
        /// Learned floors and quality ranking.
        public var intelligence: MarketIntelligence
        /// The webhooks, to write the events of each outcome with it.
        public var webhooks: WebhookHub
        /// Where leads cut short by a store failure wait for repair.
        public var interrupted: InterruptedLeads

        /// Creates dependencies.
        public init(
            store: any ExchangeStore, gateway: any BuyerGateway, market: MarketCache, wallClock: any WallClock, clock: C,
            hasher: any ContactHasher, observer: any ExchangeObserver = NoObserver(), circuits: any CircuitBoard = ClosedCircuits(),
            draw: @escaping @Sendable () -> Int64 = { Int64.random(in: 0..<1_000_000) }, ids: IDGenerator = IDGenerator(),
            intelligence: MarketIntelligence = MarketIntelligence(),
            webhooks: WebhookHub = WebhookHub(), interrupted: InterruptedLeads = InterruptedLeads()
        ) {
            self.interrupted = interrupted
            self.intelligence = intelligence
            self.store = store
            self.gateway = gateway
            self.market = market
            self.wallClock = wallClock
            self.clock = clock
            self.hasher = hasher
            self.observer = observer
            self.circuits = circuits
            self.draw = draw
            self.ids = ids
            self.webhooks = webhooks
        }
    }

    let deps: Dependencies

    /// Creates an exchange.
    public init(_ dependencies: Dependencies) {
        deps = dependencies
    }

    /// The leads a store failure cut short, waiting for repair.
    public var interrupted: InterruptedLeads { deps.interrupted }

    /// The auction of one lead up to its ranked bids.
    struct Round: Sendable {
        var pings: [PingRecord] = []
        var skips: [SkipRecord] = []
        var ranked: [Bid] = []
        var prices: [Money] = []
        var allocated: Offer?
        var directs: [Offer] = []
        var maxSales = 1
        var floor = FloorDecision.fixed(.zero)
        var ranking = RankingMode.price
        var quality: [String: QualityEstimate] = [:]
        /// Under quality ranking, the rejection cost the factors used.
        var rejectionCost: Rate?
        /// The cap usage eligibility read (for `campaign.paused` events).
        var usage: [String: CapUsage] = [:]
        /// The floor and order stored with the outcome (carried by a held ping).
        var held: AuctionNote?

        /// The note the outcome stores: the floor and order this round ran with.
        var note: AuctionNote {
            held ?? AuctionNote(floor: floor, ranking: ranking, factors: quality.mapValues { $0.factor }, rejectionCost: rejectionCost)
        }
    }

    /// Everything about the lead being sold that the steps share.
    struct Context: Sendable {
        var market: Market
        var seller: Seller
        let vertical: Vertical
        let lead: Lead
        var arrival: C.Instant
        /// The cap holds taken for the lead and not yet given back or sold.
        var holds = HoldTracker()
        /// Whether the lead is in the store yet (see ``storeAndSell(_:_:)``).
        var stored = StoredMark()
        /// The lead's non-personal fields — what buyers see before a win, what eligibility and
        /// rules read — derived once per lead.
        let pingFields: [String: JSONValue]

        init(market: Market, seller: Seller, vertical: Vertical, lead: Lead, arrival: C.Instant) {
            self.market = market
            self.seller = seller
            self.vertical = vertical
            self.lead = lead
            self.arrival = arrival
            pingFields = vertical.nonPersonal(lead.fields)
        }
    }

    // MARK: One call: POST /v1/leads

    /// Sells a full lead: validates, stores it durably, auctions it and delivers it.
    public func submit(_ submission: LeadSubmission, sellerID: String) async throws -> LeadResult {
        let arrival = deps.clock.now
        let market = deps.market.current
        let (seller, vertical) = try parties(submission.vertical, sellerID: sellerID, market: market)
        let fields = try validated(submission.fields, vertical: vertical, mode: .full)
        let lead = newLead(submission.asSeller(seller), fields: fields, seller: seller, vertical: vertical)
        let context = Context(market: market, seller: seller, vertical: vertical, lead: lead, arrival: arrival)
        return try await storeAndSell(context) { try await sellStored(context) }
    }

    /// Auctions and sells a stored lead, through the waterfall or the auction the settings name.
    private func sellStored(_ context: Context) async throws -> (LeadOutcome, [String: CapUsage]) {
        if context.market.config.settings.auction == .waterfall { return try await waterfall(context) }
        let round = try await auction(context, pingID: context.lead.pingID ?? context.lead.id, fullFields: true)
        return (try await sell(context, round: round, blocked: [:]), round.usage)
    }

    /// Admits the lead (a duplicate of an earlier one is finished at once), sells it with
    /// `sell` and records the outcome, all as one ``interruptible(_:_:)`` stretch.
    ///
    /// On a store that ``LeadStore/combinesLeadWrites`` the lead is written only at its first
    /// durable need, together with it: the posting marker before a post leaves, or else the
    /// outcome. Nothing is acknowledged before that write, so a crash before it loses only a
    /// lead no one was told about; a concurrent lead of the same consumer that got there
    /// first makes this one a duplicate then (its holds are given back, nothing was posted).
    private func storeAndSell(
        _ context: Context, _ sell: () async throws -> (LeadOutcome, [String: CapUsage])
    ) async throws -> LeadResult {
        try await interruptible(context) {
            if let duplicate = try await admit(context) { return duplicate }
            do {
                let (outcome, usage) = try await sell()
                try await record(outcome, context: context, usage: usage)
                return finish(context, outcome)
            } catch is LateDuplicate {
                for hold in context.holds.outstanding { try await release(hold, context: context) }
                return finish(context, duplicateOutcome(context.lead))
            }
        }
    }

    /// Stores the lead on arrival, or — on a store that combines writes — only checks that it
    /// is no duplicate, and that only when remote buyers would be pinged (a read; otherwise no
    /// one hears of the lead before its write, whose own check is enough); the finished
    /// result when it is one.
    private func admit(_ context: Context) async throws -> LeadResult? {
        let lead = context.lead
        let since = dedupeSince(lead, market: context.market)
        if deps.store.combinesLeadWrites {
            guard let since, !lead.contactKeys.all.isEmpty, Self.pingsBuyers(context),
                try await deps.store.original(of: lead, since: since) != nil
            else { return nil }
        }
        let (result, suppressions) = try await deps.store.insertLeadReadingSuppressions(lead, dedupeSince: since)
        if case .duplicate = result { return finish(context, duplicateOutcome(lead)) }
        context.stored.set(suppressions: suppressions)
        return nil
    }

    /// Writes a posting marker or the outcome, with the lead itself when it is not stored yet;
    /// ``LateDuplicate`` when the lead turned out to be a duplicate as it was written.
    func write(_ followUp: LeadFollowUp, context: Context) async throws {
        guard !context.stored.isStored else { return try await deps.store.write(followUp, leadID: context.lead.id) }
        let since = dedupeSince(context.lead, market: context.market)
        guard case .inserted = try await deps.store.insertLead(context.lead, dedupeSince: since, then: followUp) else {
            throw LateDuplicate()
        }
        context.stored.set()
    }

    /// Whether a lead of this vertical may be pinged to remote buyers.
    private static func pingsBuyers(_ context: Context) -> Bool {
        (context.market.campaignsByVertical[context.vertical.id] ?? []).contains { $0.delivery.mode == .remote }
    }

    private func duplicateOutcome(_ lead: Lead) -> LeadOutcome {
        LeadOutcome(leadID: lead.id, status: .duplicate, reason: "duplicate", finishedAt: deps.wallClock.now())
    }

    /// Runs the part of a lead's sale that writes to the store. When it fails, the lead and the
    /// holds it may still have outstanding are noted in ``InterruptedLeads`` (for repair once the
    /// database answers) and the error goes on to the seller — a lead whose outcome could not be
    /// written is never answered as if it had been. An id conflict on insert is someone else's
    /// lead and is left alone.
    private func interruptible(_ context: Context, _ work: () async throws -> LeadResult) async throws -> LeadResult {
        do {
            return try await work()
        } catch let error as StorageError where error == .conflict(context.lead.id) {
            throw error
        } catch {
            deps.interrupted.add(leadID: context.lead.id, holds: context.holds.outstanding)
            throw error
        }
    }

    // MARK: Two calls: POST /v1/ping, POST /v1/post

    /// Prices a partial lead: runs the auction up to the ranked bids and holds them.
    public func ping(_ submission: LeadSubmission, sellerID: String) async throws -> PingResult {
        let arrival = deps.clock.now
        let market = deps.market.current
        let (seller, vertical) = try parties(submission.vertical, sellerID: sellerID, market: market)
        let submission = submission.asSeller(seller)
        let fields = try validated(submission.fields, vertical: vertical, mode: .ping)
        let now = deps.wallClock.now()
        let pingID = deps.ids.make("P", at: now)
        let lead = Lead(
            id: pingID, sellerID: seller.id, vertical: vertical.id, source: submission.source, test: submission.test,
            fields: fields, receivedAt: now, pingID: pingID)
        let context = Context(market: market, seller: seller, vertical: vertical, lead: lead, arrival: arrival)
        let round = try await auction(context, pingID: pingID, fullFields: false)
        let expires = now.adding(milliseconds: Int64(market.config.settings.pingTTLSeconds) * 1_000)
        try await deps.store.holdPing(
            HeldPing(
                id: pingID, sellerID: seller.id, vertical: vertical.id, source: submission.source, test: submission.test,
                fields: fields, bids: round.ranked, prices: round.prices, allocated: round.allocated, pings: round.pings,
                skips: round.skips, createdAt: now, expiresAt: expires, note: round.note))
        let plan = Cascade.plan(allocated: nil, ranked: round.ranked, prices: round.prices, directs: [], maxSales: round.maxSales)
        let top = plan.headline
        return PingResult(pingID: pingID, hasBid: top > .zero, price: seller.payout(for: top), expiresAt: expires, test: lead.test)
    }

    /// Delivers the full lead for a held ping and runs the post cascade over its bids.
    public func post(_ submission: PostSubmission, sellerID: String) async throws -> LeadResult {
        let arrival = deps.clock.now
        let market = deps.market.current
        _ = try selling(sellerID, market: market)
        guard let peeked = try await deps.store.heldPing(id: submission.pingID, sellerID: sellerID) else {
            throw ExchangeError.pingNotFound
        }
        let (seller, vertical) = try parties(peeked.vertical, sellerID: sellerID, market: market)
        let fields = try validated(submission.fields, vertical: vertical, mode: .full)
        let held = try await claim(submission.pingID, sellerID: sellerID)
        let posted = LeadSubmission(
            vertical: held.vertical, source: held.source, test: held.test, fields: fields, consent: submission.consent)
        let lead = newLead(posted.asSeller(seller), fields: fields, seller: seller, vertical: vertical, pingID: held.id)
        let context = Context(market: market, seller: seller, vertical: vertical, lead: lead, arrival: arrival)
        return try await storeAndSell(context) { try await sellHeld(context, held: held) }
    }

    private func claim(_ pingID: String, sellerID: String) async throws -> HeldPing {
        switch try await deps.store.claimPing(id: pingID, sellerID: sellerID, now: deps.wallClock.now()) {
        case .claimed(let held): return held
        case .notFound: throw ExchangeError.pingNotFound
        case .expired: throw ExchangeError.pingExpired
        case .alreadyPosted: throw ExchangeError.pingAlreadyPosted
        }
    }

    private func sellHeld(_ context: Context, held: HeldPing) async throws -> (LeadOutcome, [String: CapUsage]) {
        let now = deps.wallClock.now()
        guard context.pingFields == held.fields else {
            let outcome = LeadOutcome(
                leadID: context.lead.id, status: .rejected, reason: "ping_post_mismatch", pings: held.pings, skips: held.skips,
                finishedAt: now)
            return (outcome, [:])
        }
        var round = Round(pings: held.pings, skips: held.skips, ranked: held.bids, prices: held.prices, allocated: held.allocated)
        round.held = held.note
        round.maxSales = context.vertical.maxSales
        let eligible = context.market.campaignsByVertical[context.vertical.id] ?? []
        round.directs = directOffers(
            eligible.filter { $0.status == .active && $0.sellers.admits(context.seller.id) && $0.accepts(held.fields) }, context: context)
        let wantsUsage = held.skips.contains { $0.reason == .cap } && deps.webhooks.subscribes(to: .campaignPaused)
        let (blocked, usage) = try await postTimeBlocks(context, wantsUsage: wantsUsage)
        return (try await sell(context, round: round, blocked: blocked), usage)
    }

    /// Campaigns a two-step lead may not go to once its contact data is known: campaign dedupe
    /// and suppression lists, which a ping without personal data could not check; and the cap
    /// usage read with them (read even without contact keys when `wantsUsage`).
    private func postTimeBlocks(_ context: Context, wantsUsage: Bool) async throws -> (blocked: [String: String], usage: [String: CapUsage])
    {
        var blocked: [String: String] = [:]
        let campaigns = context.market.campaignsByVertical[context.vertical.id] ?? []
        guard !context.lead.contactKeys.all.isEmpty || wantsUsage else { return ([:], [:]) }
        let eligibility = try await eligibilityContext(context, campaigns: campaigns)
        for campaign in campaigns {
            if Eligibility.isDuplicate(campaign, context: eligibility) { blocked[campaign.id] = SkipReason.dedupe.rawValue }
            if eligibility.suppressedBuyers.contains(campaign.buyerID) { blocked[campaign.id] = SkipReason.suppression.rawValue }
        }
        return (blocked, eligibility.usage)
    }

    // MARK: Steps

    /// The seller, if it may sell now: 403 when unknown or switched off, or paused.
    private func selling(_ sellerID: String, market: Market) throws -> Seller {
        guard let seller = market.config.sellers[sellerID], seller.active else { throw ExchangeError.sellerInactive }
        guard seller.status != .paused else { throw ExchangeError.sellerPaused }
        return seller
    }

    private func parties(_ verticalID: String, sellerID: String, market: Market) throws -> (Seller, Vertical) {
        let seller = try selling(sellerID, market: market)
        guard let vertical = market.config.verticals[verticalID] else {
            throw ExchangeError.invalid(ValidationFailure(field: "vertical", "unknown vertical '\(verticalID)'"))
        }
        return (seller, vertical)
    }

    private func validated(_ fields: [String: JSONValue], vertical: Vertical, mode: LeadValidationMode) throws -> [String: JSONValue] {
        switch vertical.validate(fields: fields, mode: mode) {
        case .success(let normalized): return normalized
        case .failure(let failure): throw ExchangeError.invalid(failure)
        }
    }

    private func newLead(
        _ submission: LeadSubmission, fields: [String: JSONValue], seller: Seller, vertical: Vertical, pingID: String? = nil
    ) -> Lead {
        let now = deps.wallClock.now()
        return Lead(
            id: deps.ids.make("L", at: now), sellerID: seller.id, vertical: vertical.id, source: submission.source,
            test: submission.test, fields: fields, consent: submission.consent, receivedAt: now,
            pingID: pingID ?? deps.ids.make("P", at: now), contactKeys: deps.hasher.contactKeys(fields: fields, vertical: vertical))
    }

    private func dedupeSince(_ lead: Lead, market: Market) -> Timestamp? {
        let days = market.config.settings.dedupeDays
        guard !lead.test, days > 0, !lead.contactKeys.isEmpty else { return nil }
        return lead.receivedAt.minus(days: days)
    }

    private func finish(_ context: Context, _ outcome: LeadOutcome) -> LeadResult {
        let micros = context.arrival.duration(to: deps.clock.now).microseconds
        deps.observer.leadFinished(status: outcome.status, elapsedMicros: micros)
        return LeadResult(
            leadID: outcome.leadID, status: outcome.status, price: outcome.payout, buyers: outcome.sales.map { $0.campaignID },
            reason: outcome.status == .sold ? nil : outcome.reason, elapsedMS: micros / 1_000, redirectURL: outcome.redirectURL,
            test: context.lead.test)
    }
}

extension Cascade {
    /// What the first stage of a plan would pay if its best offers accept: the top exclusive
    /// price, or the sum of the top shared prices.
    public var headline: Money {
        guard let first = stages.first else { return .zero }
        return Cascade.sharedSum(first.offers, maxSales: first.wanted)
    }
}
