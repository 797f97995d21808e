import Testing

@testable import GavelCore

@Suite("Eligibility")
struct EligibilityTests {
    /// Monday 2026-03-09 10:00 EDT.
    static let mondayMorning = utc(2026, 3, 9, 14)

    /// A hosted campaign for CA leads, open Monday 09:00–17:00 New York time.
    static func campaign(id: String = "c1", buyer: String = "b1") -> Campaign {
        Campaign(
            id: id, buyerID: buyer, vertical: "auto_insurance", delivery: .init(mode: .hosted), bid: BidPolicy(base: cents(1000)),
            filters: [Condition(field: "state", op: .eq, operand: "CA")],
            schedule: Schedule(timezone: newYork, hours: [0: [Schedule.Range(start: 540, end: 1_020)]]))
    }

    static func context(now: Timestamp = mondayMorning, state: JSONValue = "CA", seller: String = "S1") -> EligibilityContext {
        EligibilityContext(sellerID: seller, fields: ["state": state, "age": 30], now: now)
    }

    static let buyer = Buyer(id: "b1", name: "Buyer", balanceLimit: cents(10_000))

    func reason(_ campaign: Campaign, buyer: Buyer? = buyer, _ context: EligibilityContext) -> SkipReason? {
        Eligibility.skipReason(campaign, buyer: buyer, context: context, converter: ZoneConverter())
    }

    @Test func eligibleWhenNothingStandsInTheWay() {
        #expect(reason(Self.campaign(), Self.context()) == nil)
    }

    @Test func paused() {
        var campaign = Self.campaign()
        campaign.status = .paused
        #expect(reason(campaign, Self.context()) == .paused)
    }

    @Test func sellerLists() {
        var campaign = Self.campaign()
        campaign.sellers.deny = ["S1"]
        #expect(reason(campaign, Self.context()) == .sellerList)
        #expect(reason(campaign, Self.context(seller: "S2")) == nil)
        campaign.sellers = Campaign.SellerPolicy(allow: ["S2"])
        #expect(reason(campaign, Self.context()) == .sellerList)
        #expect(reason(campaign, Self.context(seller: "S2")) == nil)
    }

    @Test func filters() {
        #expect(reason(Self.campaign(), Self.context(state: "NY")) == .filter)
        #expect(reason(Self.campaign(), EligibilityContext(sellerID: "S1", fields: [:], now: Self.mondayMorning)) == .filter)
    }

    @Test func scheduleFollowsTheManualClockInTheScheduleZone() {
        let clock = ManualWallClock(utc(2026, 3, 9, 12, 59))  // 08:59 EDT
        let campaign = Self.campaign()
        #expect(reason(campaign, Self.context(now: clock.now())) == .schedule)
        clock.advance(milliseconds: 60_000)  // 09:00 EDT
        #expect(reason(campaign, Self.context(now: clock.now())) == nil)
        clock.set(utc(2026, 3, 9, 20, 59))  // 16:59 EDT
        #expect(reason(campaign, Self.context(now: clock.now())) == nil)
        clock.advance(milliseconds: 60_000)  // 17:00 EDT
        #expect(reason(campaign, Self.context(now: clock.now())) == .schedule)
        clock.set(utc(2026, 3, 10, 14))  // Tuesday 10:00 EDT: no hours
        #expect(reason(campaign, Self.context(now: clock.now())) == .schedule)
    }

    @Test func scheduleIsDSTAware() {
        // 13:30 UTC is 08:30 EST on Friday 2026-03-06 but 09:30 EDT on Monday 2026-03-09.
        var campaign = Self.campaign()
        campaign.schedule = Schedule(
            timezone: newYork, hours: Dictionary(uniqueKeysWithValues: (0...6).map { ($0, [Schedule.Range(start: 540, end: 1_020)]) }))
        #expect(reason(campaign, Self.context(now: utc(2026, 3, 6, 13, 30))) == .schedule)
        #expect(reason(campaign, Self.context(now: utc(2026, 3, 9, 13, 30))) == nil)
    }

    @Test func noScheduleIsAlwaysOpen() {
        var campaign = Self.campaign()
        campaign.schedule = nil
        #expect(reason(campaign, Self.context(now: utc(2026, 3, 15, 3))) == nil)
    }

    @Test func caps() {
        var campaign = Self.campaign()
        campaign.caps = Campaign.Caps(timezone: newYork, dailyLeads: 5)
        var context = Self.context()
        context.usage = ["c1": CapUsage(dayLeads: 4)]
        #expect(reason(campaign, context) == nil)
        context.usage = ["c1": CapUsage(dayLeads: 5)]
        #expect(reason(campaign, context) == .cap)
        context.usage = ["other": CapUsage(dayLeads: 5)]
        #expect(reason(campaign, context) == nil)  // another campaign's usage does not count
    }

    @Test func credit() {
        var context = Self.context()
        context.balances = ["b1": cents(9_999)]
        #expect(reason(Self.campaign(), context) == nil)
        context.balances = ["b1": cents(10_000)]
        #expect(reason(Self.campaign(), context) == .credit)
        #expect(reason(Self.campaign(), buyer: Buyer(id: "b1", name: "B"), context) == nil)  // no limit
        #expect(reason(Self.campaign(), buyer: nil, context) == nil)
        context.balances = ["b2": cents(1_000_000)]
        #expect(reason(Self.campaign(), context) == nil)
    }

    @Test func dedupeWithinTheCampaignsOwnWindow() {
        var campaign = Self.campaign()
        campaign.dedupeDays = 30
        var context = Self.context()
        context.lastSold = ["c1": Self.mondayMorning.minus(days: 29)]
        #expect(reason(campaign, context) == .dedupe)
        context.lastSold = ["c1": Self.mondayMorning.minus(days: 30).adding(milliseconds: 1)]
        #expect(reason(campaign, context) == .dedupe)
        context.lastSold = ["c1": Self.mondayMorning.minus(days: 30)]
        #expect(reason(campaign, context) == nil)  // exactly 30 days ago is outside the window
        context.lastSold = ["c1": Self.mondayMorning.minus(days: 31)]
        #expect(reason(campaign, context) == nil)
        context.lastSold = ["c2": Self.mondayMorning]
        #expect(reason(campaign, context) == nil)
        context.lastSold = ["c1": Self.mondayMorning]
        campaign.dedupeDays = 0
        #expect(reason(campaign, context) == nil)
        campaign.dedupeDays = nil
        #expect(reason(campaign, context) == nil)
    }

    @Test func suppression() {
        var context = Self.context()
        context.suppressedBuyers = ["b1"]
        #expect(reason(Self.campaign(), context) == .suppression)
        #expect(reason(Self.campaign(id: "c2", buyer: "b2"), buyer: nil, context) == nil)
    }

    @Test func circuitOpen() {
        var context = Self.context()
        context.openCircuits = ["c1"]
        #expect(reason(Self.campaign(), context) == .circuitOpen)
        #expect(reason(Self.campaign(id: "c2"), context) == nil)
    }

    @Test func reasonsAreCheckedInAFixedOrder() {
        // A campaign failing every check reports them one at a time, in this order, as each is fixed.
        var campaign = Self.campaign()
        campaign.status = .paused
        campaign.sellers.deny = ["S1"]
        campaign.caps = Campaign.Caps(dailyLeads: 1)
        campaign.dedupeDays = 30
        var context = Self.context(now: utc(2026, 3, 10, 14), state: "NY")
        context.usage = ["c1": CapUsage(dayLeads: 1)]
        context.balances = ["b1": cents(10_000)]
        context.lastSold = ["c1": context.now]
        context.suppressedBuyers = ["b1"]
        context.openCircuits = ["c1"]

        var seen: [SkipReason] = []
        func record() { if let found = reason(campaign, context) { seen.append(found) } }
        record()
        campaign.status = .active
        record()
        campaign.sellers.deny = []
        record()
        context.fields["state"] = "CA"
        record()
        context.now = Self.mondayMorning
        context.lastSold = ["c1": Self.mondayMorning]
        record()
        context.usage = [:]
        record()
        context.balances = [:]
        record()
        campaign.dedupeDays = nil
        record()
        context.suppressedBuyers = []
        record()
        context.openCircuits = []
        #expect(reason(campaign, context) == nil)
        #expect(seen == [.paused, .sellerList, .filter, .schedule, .cap, .credit, .dedupe, .suppression, .circuitOpen])
    }

    @Test func partitionSplitsAndExplains() {
        var paused = Self.campaign(id: "paused")
        paused.status = .paused
        let eligible = Self.campaign(id: "ok")
        let otherBuyer = Self.campaign(id: "broke", buyer: "b2")
        let buyers = ["b1": Self.buyer, "b2": Buyer(id: "b2", name: "B2", balanceLimit: .zero)]
        let result = Eligibility.partition(
            [paused, eligible, otherBuyer], buyers: buyers, context: Self.context(), converter: ZoneConverter())
        #expect(result.eligible.map(\.id) == ["ok"])
        #expect(result.skipped.map(\.campaign.id) == ["paused", "broke"])
        #expect(result.skipped.map(\.reason) == [.paused, .credit])
    }

    @Test func skipReasonsHaveWireNames() {
        #expect(
            SkipReason.allCases.map(\.rawValue) == [
                "paused", "filter", "seller_list", "schedule", "cap", "credit", "dedupe", "suppression", "circuit_open",
            ])
    }
}
