import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

extension StorageConformance {
    static let hour: Int64 = 3_600_000

    /// A query over the day of `Fixtures.now`.
    static func query(_ dimension: ReportDimension, seller: String? = nil, buyer: String? = nil) -> ReportQuery {
        let day = Timestamp(milliseconds: Fixtures.now.milliseconds / 86_400_000 * 86_400_000)
        return ReportQuery(groupBy: dimension, from: day, to: day.adding(milliseconds: 24 * hour), sellerID: seller, buyerID: buyer)
    }

    /// One sold lead (`Fixtures.soldOutcome`), a duplicate, an unsold lead and a test lead,
    /// counted by hand.
    static func reportCountsEveryFact(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1", phone: "4155550100")
        #expect(try await store.insertLead(Fixtures.lead("L2"), dedupeSince: Fixtures.now.minus(days: 30)) == .duplicate(of: "L1"))
        try await insert(store, "L3", phone: "2125550199")
        let unsold = LeadOutcome(leadID: "L3", status: .unsold, reason: "no_bids", finishedAt: Fixtures.now)
        try await store.recordOutcome(unsold, sellerID: "S1")
        try await sell(store, "T1", test: true, phone: "2125550198")

        let seller = try #require(try await store.report(query(.seller)).first)
        #expect(try await store.report(query(.seller)).count == 1)
        var expected = ReportRow(key: "S1")
        (expected.leads, expected.pings, expected.bids, expected.timeouts) = (3, 4, 2, 1)
        (expected.sold, expected.accepted, expected.rejected) = (1, 1, 1)
        (expected.revenue, expected.payout) = (Money("12.50"), Money("10.00"))
        // Remote pings only: 41 ms, 12 ms and the 250 ms timeout; the hosted pricing has no latency.
        expected.latency = LatencyHistogram(counts: [41: 1, 12: 1, 115: 1])
        #expect(seller == expected)
        #expect(seller.latency.percentile(0.5) == 42)
        #expect(seller.margin == Money("2.50"))

        let campaigns = try await store.report(query(.campaign))
        #expect(campaigns.map(\.key) == ["acme-auto-ca", "hosted-auto", "other-auto", "slow-auto", "zeta-auto"])
        let acme = try #require(campaigns.first)
        #expect((acme.leads, acme.pings, acme.bids, acme.sold, acme.accepted, acme.rejected) == (1, 1, 1, 1, 1, 0))
        #expect((acme.revenue, acme.payout, acme.latency.total) == (Money("12.50"), Money("10.00"), 1))
        let hosted = campaigns[1]
        #expect((hosted.leads, hosted.pings, hosted.bids, hosted.latency.total, hosted.revenue) == (1, 1, 1, 0, .zero))
        #expect((campaigns[2].leads, campaigns[2].pings, campaigns[2].rejected) == (1, 0, 1))
        #expect((campaigns[3].timeouts, campaigns[3].bids) == (1, 0))
        #expect(try await store.report(query(.buyer)).map(\.key) == ["acme", "host", "other", "slow", "zeta"])
    }

    static func reportKeysAndScopes(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        #expect(try await store.report(query(.source)).map(\.key) == ["S1/fb-spring-7"])
        #expect(try await store.report(query(.source, seller: "S1")).map(\.key) == ["fb-spring-7"])
        #expect(try await store.report(query(.source, seller: "S2")).isEmpty)
        #expect(try await store.report(query(.vertical)).map(\.key) == ["auto_insurance"])
        #expect(try await store.report(query(.day)).map(\.key) == ["2026-11-30"])
        #expect(try await store.report(query(.hour)).map(\.key) == ["2026-11-30T15:00Z"])

        // A buyer sees only its campaigns, on either side.
        let acme = try await store.report(query(.campaign, buyer: "acme"))
        #expect(acme.map(\.key) == ["acme-auto-ca"])
        let sellerForAcme = try #require(try await store.report(query(.seller, buyer: "acme")).first)
        #expect((sellerForAcme.leads, sellerForAcme.pings, sellerForAcme.sold, sellerForAcme.revenue) == (1, 1, 1, Money("12.50")))
        let zeta = try #require(try await store.report(query(.hour, buyer: "zeta")).first)
        #expect((zeta.leads, zeta.pings, zeta.bids, zeta.sold, zeta.revenue) == (1, 1, 0, 0, .zero))
        #expect(try await store.report(query(.buyer, seller: "S2")).isEmpty)

        // Leads count by arrival: a range that ends before the lead leaves it out.
        let before = ReportQuery(groupBy: .seller, from: Fixtures.now.minus(days: 1), to: Fixtures.now.adding(milliseconds: -hour))
        #expect(try await store.report(before).isEmpty)
        let empty = ReportQuery(groupBy: .seller, from: Fixtures.now, to: Fixtures.now)
        #expect(try await store.report(empty).isEmpty)
    }

    /// Returns and conversions count in the lead's arrival hour, net of the money.
    static func reportCountsReturnsAndConversions(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await sell(store, "L1")
        let nextWeek = Fixtures.now.adding(milliseconds: 6 * day)
        let request = ReturnRequest(leadID: "L1", buyerID: "acme", reason: "bad", at: nextWeek)
        #expect(try await store.recordReturn(request) == .approved(refund: Money("12.50")))
        #expect(try await store.recordConversion(leadID: "L1", buyerID: "acme", value: Money("99.00"), at: nextWeek) == .recorded)
        for dimension in [ReportDimension.seller, .campaign] {
            let row = try #require(try await store.report(query(dimension)).first)
            #expect((row.sold, row.returned, row.conversions) == (1, 1, 1))
            #expect((row.revenue, row.payout, row.margin) == (.zero, .zero, .zero))
        }
        let week = ReportQuery(groupBy: .seller, from: nextWeek.minus(days: 1), to: nextWeek.adding(milliseconds: day))
        #expect(try await store.report(week).isEmpty)
    }

    /// A lead closed by `reconcile` counts as a lead, with nothing else known about it.
    static func reportCountsReconciledLeads(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await insert(store, "L1")
        try await insert(store, "T1", phone: "2125550199", test: true)
        #expect(try await store.report(query(.seller)).isEmpty)
        _ = try await store.reconcile(now: Fixtures.now.adding(milliseconds: 1_000))
        let row = try #require(try await store.report(query(.seller)).first)
        #expect((row.key, row.leads, row.pings, row.sold) == ("S1", 1, 0, 0))
    }

    /// Importing a lead whose id exists fails with a conflict and changes nothing.
    static func importRefusesExistingLeads(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let leads = GeneratedMarket(start: Fixtures.now, spacing: 1_000).leads(0..<20)
        try await store.importLeads(leads)
        let before = try await store.report(query(.hour))
        await #expect(throws: StorageError.conflict("G5")) { try await store.importLeads([leads[5]]) }
        #expect(try await store.report(query(.hour)) == before)
        #expect(try await store.audit().isClean)
    }

    /// A few thousand generated leads, imported, with returns and conversions: every dimension
    /// and scope agrees with the reference model, and the money agrees with the ledger.
    static func reportsMatchTheModel(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let market = GeneratedMarket(start: Fixtures.now.minus(days: 2), spacing: 3 * day / 3_000)
        let leads = market.leads(0..<3_000)
        try await store.importLeads(leads)
        var model = ReportModel()
        for (lead, outcome) in leads { model.add(lead, outcome) }
        try await returnAndConvert(store, leads, into: &model)

        let ranges = [
            (market.start, market.start.adding(milliseconds: 3 * day)), (Fixtures.now, Fixtures.now.adding(milliseconds: 7 * hour + 1)),
        ]
        let scopes: [(String?, String?)] = [(nil, nil), ("S2", nil), (nil, "zeta"), ("S1", "acme")]
        for (from, to) in ranges {
            for (seller, buyer) in scopes {
                for dimension in ReportDimension.allCases {
                    let query = ReportQuery(groupBy: dimension, from: from, to: to, sellerID: seller, buyerID: buyer)
                    #expect(try await store.report(query) == model.report(query), "\(query)")
                }
            }
        }
        try await checkAgainstLedger(harness, store, leads, from: ranges[0].0, to: ranges[0].1)
    }

    /// Returns every 7th sold lead's first sale and converts every 5th, in the store and the model.
    static func returnAndConvert(
        _ store: any Storage, _ leads: [(lead: Lead, outcome: LeadOutcome)], into model: inout ReportModel
    )
        async throws
    {
        let sold = leads.filter { !$0.lead.test && !$0.outcome.sales.isEmpty }
        for (index, (lead, outcome)) in sold.enumerated() {
            let sale = outcome.sales[0]
            let at = outcome.finishedAt.adding(milliseconds: hour)
            if index % 7 == 0 {
                let request = ReturnRequest(leadID: lead.id, buyerID: sale.buyerID, reason: "bad", at: at)
                #expect(try await store.recordReturn(request) == .approved(refund: sale.price))
                model.returned(leadID: lead.id, sale: sale)
            }
            if index % 5 == 0 {
                #expect(try await store.recordConversion(leadID: lead.id, buyerID: sale.buyerID, value: nil, at: at) == .recorded)
                model.converted(leadID: lead.id, campaignID: sale.campaignID)
            }
        }
    }

    /// Revenue is the sum of the buyer entries of the leads in range, payout minus the seller
    /// entries; per buyer too.
    static func checkAgainstLedger(
        _ harness: some StoreHarness, _ store: any Storage, _ leads: [(lead: Lead, outcome: LeadOutcome)], from: Timestamp,
        to: Timestamp
    ) async throws {
        var (revenue, payout, acme) = (Money.zero, Money.zero, Money.zero)
        for (lead, _) in leads where lead.receivedAt >= from && lead.receivedAt < to {
            for entry in try await harness.ledgerEntries(store, leadID: lead.id) where entry.kind != .payment {
                if entry.account.hasPrefix("buyer:") { revenue += entry.amount }
                if entry.account.hasPrefix("seller:") { payout -= entry.amount }
                if entry.account == "buyer:acme" { acme += entry.amount }
            }
        }
        let sellers = try await store.report(ReportQuery(groupBy: .seller, from: from, to: to))
        #expect(sellers.reduce(Money.zero) { $0 + $1.revenue } == revenue)
        #expect(sellers.reduce(Money.zero) { $0 + $1.payout } == payout)
        let buyers = try await store.report(ReportQuery(groupBy: .buyer, from: from, to: to))
        #expect(buyers.reduce(Money.zero) { $0 + $1.revenue } == revenue)
        #expect(buyers.first { $0.key == "acme" }?.revenue == acme)
        #expect(revenue > .zero)
        #expect(try await store.audit().isClean)
    }

    /// Importing leads leaves the same state as the exchange's path (insert with dedupe, hold,
    /// record the outcome): the same reports, ledger, audit, details, cap usage and balances.
    static func importMatchesTheNormalPath(_ normal: some StoreHarness, _ imported: some StoreHarness) async throws {
        let (one, other) = (try await normal.open(), try await imported.open())
        let market = GeneratedMarket(start: Fixtures.now, spacing: 5 * hour / 400, seed: 7)
        let leads = market.leads(0..<400)
        for (lead, outcome) in leads { try await exchangePath(one, lead, outcome) }
        try await other.importLeads(leads)

        for dimension in ReportDimension.allCases {
            let query = ReportQuery(groupBy: dimension, from: market.start, to: market.start.adding(milliseconds: 6 * hour))
            #expect(try await one.report(query) == other.report(query))
        }
        let (audit, importedAudit) = (try await one.audit(), try await other.audit())
        #expect(audit == importedAudit)
        #expect(audit.isClean && audit.entries > 0)
        for (lead, _) in leads {
            #expect(try await one.lead(id: lead.id) == other.lead(id: lead.id))
            #expect(try await normal.ledgerEntries(one, leadID: lead.id) == imported.ledgerEntries(other, leadID: lead.id))
        }
        let periods = Campaign.Caps().periods(at: market.start)
        let usage = Dictionary(uniqueKeysWithValues: GeneratedMarket.campaigns.map { ($0.id, periods) })
        #expect(try await one.capUsage(usage) == other.capUsage(usage))
        #expect(try await one.balances(buyerIDs: ["acme", "zeta", "host"]) == other.balances(buyerIDs: ["acme", "zeta", "host"]))
        #expect(try await other.balances(buyerIDs: ["acme"])["acme"] ?? .zero > .zero)
    }

    private static func exchangePath(_ store: any Storage, _ lead: Lead, _ outcome: LeadOutcome) async throws {
        if outcome.status == .duplicate {
            #expect(try await store.insertLead(lead, dedupeSince: lead.receivedAt.minus(days: 30)) != .inserted)
            return
        }
        #expect(try await store.insertLead(lead, dedupeSince: nil) == .inserted)
        for sale in outcome.sales { #expect(try await store.hold(sale.hold) == .held) }
        try await store.recordOutcome(outcome, sellerID: lead.sellerID)
    }
}
