import GavelCore

/// The counted facts of one report rollup row (see ``ReportRow``), added up as leads finish and
/// as their sales are returned or converted. A value type with no I/O.
package struct RollupCounters: Sendable, Hashable {
    package var leads = 0
    package var pings = 0
    package var bids = 0
    package var sold = 0
    package var accepted = 0
    package var rejected = 0
    package var returned = 0
    package var conversions = 0
    package var timeouts = 0
    package var revenueCents: Int64 = 0
    package var payoutCents: Int64 = 0
    /// Remote ping latencies by ``LatencyHistogram`` bucket.
    package var latency: [Int: Int] = [:]

    /// Counters with the given counts (zero elsewhere).
    package init(leads: Int = 0, conversions: Int = 0) {
        self.leads = leads
        self.conversions = conversions
    }

    /// One lead and nothing else (a duplicate, or a lead interrupted by a crash).
    package static let oneLead = RollupCounters(leads: 1)

    /// Adds another row's counts.
    package mutating func add(_ other: RollupCounters) {
        leads += other.leads
        pings += other.pings
        bids += other.bids
        sold += other.sold
        accepted += other.accepted
        rejected += other.rejected
        returned += other.returned
        conversions += other.conversions
        timeouts += other.timeouts
        revenueCents += other.revenueCents
        payoutCents += other.payoutCents
        for (bucket, count) in other.latency { latency[bucket, default: 0] += count }
    }

    /// Counts a ping: hosted pricings are pings (and bids) but have no response time.
    package mutating func count(_ ping: PingRecord) {
        pings += 1
        if ping.answer.isBid { bids += 1 }
        guard ping.answer.kind != .hosted else { return }
        if ping.answer.kind == .timeout { timeouts += 1 }
        latency[LatencyHistogram.bucket(micros: ping.answer.latencyMicros), default: 0] += 1
    }

    /// Counts a post: anything but `accepted` is a refusal.
    package mutating func count(_ post: PostRecord) {
        if post.outcome == .accepted { accepted += 1 } else { rejected += 1 }
    }

    /// Counts a sale's money (the lead side counts one sold lead separately).
    package mutating func count(_ sale: Sale) {
        revenueCents += sale.price.cents
        payoutCents += sale.payout.cents
    }

    /// A returned sale: counted, and its money taken back.
    package static func returned(priceCents: Int64, payoutCents: Int64) -> RollupCounters {
        var counters = RollupCounters()
        counters.returned = 1
        counters.revenueCents = -priceCents
        counters.payoutCents = -payoutCents
        return counters
    }

    /// The latency histogram in its stored text form (`""` when empty).
    package var latencyText: String {
        latency.isEmpty ? "" : LatencyHistogram(counts: latency).encoded
    }
}

/// Where a lead's facts are rolled up: its UTC arrival hour, seller, source and vertical.
package struct LeadGroup: Hashable, Sendable {
    /// Hours since the epoch (UTC).
    package var hour: Int64
    package var sellerID: String
    package var source: String
    package var vertical: String

    package static let millisecondsPerHour: Int64 = 3_600_000

    package init(hour: Int64, sellerID: String, source: String, vertical: String) {
        self.hour = hour
        self.sellerID = sellerID
        self.source = source
        self.vertical = vertical
    }

    /// The group of a lead that arrived at `receivedAt` (epoch milliseconds).
    package init(receivedAt: Int64, sellerID: String, source: String, vertical: String) {
        self.init(hour: Self.hour(receivedAt), sellerID: sellerID, source: source, vertical: vertical)
    }

    /// The group of a lead.
    package init(_ lead: Lead) {
        self.init(receivedAt: lead.receivedAt.milliseconds, sellerID: lead.sellerID, source: lead.source, vertical: lead.vertical)
    }

    /// The hours a range `[from, to)` of lead arrivals covers, as reports count them: an hour
    /// that overlaps the range counts whole (empty when `to` is not after `from`).
    package static func hours(from: Timestamp, to: Timestamp) -> Range<Int64> {
        let first = hour(from.milliseconds)
        return first..<max(first, hour(to.milliseconds - 1) + 1)
    }

    /// The hour (since the epoch) of a time in epoch milliseconds.
    package static func hour(_ milliseconds: Int64) -> Int64 {
        milliseconds >= 0 ? milliseconds / millisecondsPerHour : (milliseconds - millisecondsPerHour + 1) / millisecondsPerHour
    }
}

/// Where a campaign's share of a lead is rolled up: the lead's group, the campaign and its buyer.
package struct CampaignGroup: Hashable, Sendable {
    package var lead: LeadGroup
    package var campaignID: String
    package var buyerID: String

    package init(lead: LeadGroup, campaignID: String, buyerID: String) {
        self.lead = lead
        self.campaignID = campaignID
        self.buyerID = buyerID
    }
}

/// One campaign's share of a lead's facts.
package struct CampaignCounters: Sendable, Hashable {
    package var campaignID: String
    package var buyerID: String
    package var counters: RollupCounters
}

/// What one event adds to the rollups, before the lead's group is known: the lead side's
/// counters and each concerned campaign's.
package struct RollupDelta: Sendable, Hashable {
    package var lead: RollupCounters
    package var campaigns: [CampaignCounters]
    /// Each bidding campaign's bid, for bid guidance.
    package var bids: [BidIncrement] = []

    /// The facts of a finished lead: each campaign that was pinged or posted was offered it.
    package init(_ outcome: LeadOutcome) {
        self.init(lead: Self.leadCounters(outcome), campaigns: Self.campaignCounters(outcome))
        bids = BidIncrement.all(outcome)
    }

    /// The lead's side: one lead, all its pings and posts, sold once however many sales.
    private static func leadCounters(_ outcome: LeadOutcome) -> RollupCounters {
        var lead = RollupCounters.oneLead
        for ping in outcome.pings { lead.count(ping) }
        for post in outcome.posts { lead.count(post) }
        for sale in outcome.sales { lead.count(sale) }
        lead.sold = outcome.sales.isEmpty ? 0 : 1
        return lead
    }

    /// Each concerned campaign's side, in order of first appearance.
    private static func campaignCounters(_ outcome: LeadOutcome) -> [CampaignCounters] {
        var campaigns: [CampaignCounters] = []
        for ping in outcome.pings { update(&campaigns, ping.campaignID, ping.buyerID) { $0.count(ping) } }
        for post in outcome.posts { update(&campaigns, post.campaignID, post.buyerID) { $0.count(post) } }
        for sale in outcome.sales {
            update(&campaigns, sale.campaignID, sale.buyerID) {
                $0.sold += 1
                $0.count(sale)
            }
        }
        return campaigns
    }

    package init(lead: RollupCounters, campaigns: [CampaignCounters] = []) {
        self.lead = lead
        self.campaigns = campaigns
    }

    /// The same counters on the lead's side and on one campaign's (a return, a conversion).
    package static func both(_ counters: RollupCounters, campaignID: String, buyerID: String) -> RollupDelta {
        RollupDelta(lead: counters, campaigns: [CampaignCounters(campaignID: campaignID, buyerID: buyerID, counters: counters)])
    }

    /// Finds (or appends, as offered once) a campaign's counters and changes them. Linear: a
    /// lead concerns a few dozen campaigns at most.
    private static func update(
        _ campaigns: inout [CampaignCounters], _ campaignID: String, _ buyerID: String, _ change: (inout RollupCounters) -> Void
    ) {
        if let index = campaigns.firstIndex(where: { $0.campaignID == campaignID && $0.buyerID == buyerID }) {
            change(&campaigns[index].counters)
            return
        }
        var counters = RollupCounters.oneLead
        change(&counters)
        campaigns.append(CampaignCounters(campaignID: campaignID, buyerID: buyerID, counters: counters))
    }
}

/// The rollup increments of one group-commit batch, merged by row.
package struct RollupBatch: Sendable {
    package var leads: [LeadGroup: RollupCounters] = [:]
    package var campaigns: [CampaignGroup: RollupCounters] = [:]
    package var bids: [BidGroup: BidCounts] = [:]

    /// An empty batch.
    package init() {}

    package var isEmpty: Bool { leads.isEmpty && campaigns.isEmpty && bids.isEmpty }

    /// Adds an event's increments under its lead's group.
    package mutating func add(_ delta: RollupDelta, group: LeadGroup) {
        leads[group, default: RollupCounters()].add(delta.lead)
        for campaign in delta.campaigns {
            let key = CampaignGroup(lead: group, campaignID: campaign.campaignID, buyerID: campaign.buyerID)
            campaigns[key, default: RollupCounters()].add(campaign.counters)
        }
        for bid in delta.bids {
            let key = BidGroup(lead: group, campaignID: bid.campaignID, buyerID: bid.buyerID, clearingCents: bid.clearingCents)
            bids[key, default: BidCounts()].add(BidCounts(leads: 1, won: bid.won ? 1 : 0))
        }
    }

    /// Adds another batch's increments.
    package mutating func merge(_ other: RollupBatch) {
        guard !isEmpty else { return self = other }
        for (group, counters) in other.leads { leads[group, default: RollupCounters()].add(counters) }
        for (group, counters) in other.campaigns { campaigns[group, default: RollupCounters()].add(counters) }
        for (group, counts) in other.bids { bids[group, default: BidCounts()].add(counts) }
    }
}
