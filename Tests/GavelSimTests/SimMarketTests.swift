import GavelCore
import GavelSim
import GavelTesting
import Testing

@Suite("The market model", .heavy)
struct SimMarketTests {
    let market = SimMarket.standard()

    func pingFields(_ lead: SimLead) -> [String: JSONValue] {
        lead.nonPersonalFields(of: SimMarket.vertical(lead.vertical)!)
    }

    @Test func theStandardMarketHasWhatTheDemoPromises() {
        #expect(market.verticalIDs.count >= 2)
        #expect(market.sellers.count >= 3)
        #expect(market.campaigns.count >= 8)
        #expect(market.campaigns.contains { $0.mode == .remote })
        #expect(market.campaigns.contains { $0.mode == .hosted })
        #expect(market.campaigns.contains { $0.mode == .direct })
        #expect(market.campaigns.contains { $0.dailyCap != nil })
        #expect(market.campaigns.contains { !$0.filters.isEmpty })
        #expect(market.campaigns.contains { $0.businessHours })
    }

    @Test func valuesAreDeterministicPerBuyerAndLead() throws {
        let leads = SimLeadGenerator(market: market, seed: 3).leads(0..<50).filter { $0.vertical == "auto_insurance" }
        let apex = try #require(market.campaign("apex-auto"))
        let corvid = try #require(market.campaign("corvid-auto"))
        for lead in leads {
            let quality = market.quality(ofSource: lead.source)
            let first = apex.value(fields: pingFields(lead), source: lead.source, sourceQuality: quality)
            #expect(first == apex.value(fields: pingFields(lead), source: lead.source, sourceQuality: quality))
            #expect(first > 0)
        }
        let apexValues = leads.map { apex.value(fields: pingFields($0), source: $0.source, sourceQuality: 1) }
        let corvidValues = leads.map { corvid.value(fields: pingFields($0), source: $0.source, sourceQuality: 1) }
        #expect(apexValues != corvidValues)
    }

    @Test func noiseKeepsTheSegmentMean() throws {
        // One segment (the same fields), many sources: the lognormal factor has mean 1.
        let apex = try #require(market.campaign("apex-auto"))
        let fields: [String: JSONValue] = ["state": "TX", "zip": "75001", "age": 40]
        let mean = try #require(apex.valuation.price(for: fields))
        let values = (0..<20_000).map { apex.value(fields: fields, source: "source-\($0)", sourceQuality: 1) }
        let average = values.reduce(0, +) / Double(values.count)
        #expect(abs(average / (Double(mean.cents) / 100) - 1) < 0.02)
    }

    @Test func sourceQualityRaisesRemoteValues() throws {
        let apex = try #require(market.campaign("apex-auto"))
        let fields: [String: JSONValue] = ["state": "TX", "zip": "75001"]
        let good = apex.value(fields: fields, source: "s", sourceQuality: 1.3)
        let poor = apex.value(fields: fields, source: "s", sourceQuality: 0.7)
        #expect(good > poor)
    }

    @Test func sandboxBidsMatchTheModel() throws {
        let lead = try #require(SimLeadGenerator(market: market, seed: 4).leads(0..<40).first { $0.vertical == "auto_insurance" })
        let apex = try #require(market.campaign("apex-auto"))
        let ping: JSONValue = ["ping_id": "P1", "source": .string(lead.source), "fields": .object(pingFields(lead))]
        let value = apex.value(fields: pingFields(lead), source: lead.source, sourceQuality: market.quality(ofSource: lead.source))
        let behavior = market.behavior(for: apex, pricing: .auction)
        #expect(behavior.bid.price(for: ping) == apex.bid(value: value, pricing: .auction))
        #expect(market.behavior(for: apex, pricing: .tree).bid.price(for: ping) == apex.bid(value: value, pricing: .tree))
    }

    @Test func everyOperatorBodyParsesForBothPricings() {
        for pricing in SimMarket.Pricing.allCases {
            for step in market.operatorSteps(pricing, endpoints: [:]) where step.collection == "campaigns" {
                guard case .success(let campaign) = Campaign.parse(step.body, defaultID: "x") else {
                    Issue.record("campaign \(step.id) does not parse under \(pricing)")
                    continue
                }
                if pricing == .tree && campaign.delivery.mode != .direct {
                    #expect(campaign.price != nil, "tree campaign \(step.id) needs a tier price")
                    #expect(campaign.priority > 0)
                }
            }
        }
    }

    @Test func tiersAreDeterministicAndOrderTheTree() throws {
        let tiers = market.tierPrices(sample: 1_500)
        #expect(tiers == market.tierPrices(sample: 1_500))
        let steps = market.operatorSteps(.tree, endpoints: [:]).filter { $0.collection == "campaigns" }
        let auto = steps.compactMap { step -> (Int, Money)? in
            guard step.body["vertical"]?.stringValue == "auto_insurance", let tier = tiers[step.id] else { return nil }
            return (Int(step.body["priority"]?.numberValue?.integerValue ?? 0), tier)
        }.sorted { $0.0 > $1.0 }
        #expect(auto.map(\.1) == auto.map(\.1).sorted(by: >))
    }

    @Test func theAuctionEarnsSellersMoreThanTheTree() {
        let leads = SimLeadGenerator(market: market, seed: 42).leads(0..<1_500)
        let auction = market.expectedOutcome(leads, pricing: .auction)
        let tree = market.expectedOutcome(leads, pricing: .tree)
        #expect(auction.leads == leads.count)
        #expect(auction.sellerRevenue > tree.sellerRevenue)
        #expect(auction.fillRate >= tree.fillRate)
        #expect(auction == market.expectedOutcome(leads, pricing: .auction))
    }

    @Test func faultsAreDeterministicAndOccasional() {
        #expect(market.faults(tick: 5) == market.faults(tick: 5))
        let faulty = (0..<2_000).map { market.faults(tick: $0).count }.reduce(0, +)
        let expected = market.campaigns.map(\.faultRate).reduce(0, +) * 2_000
        #expect(abs(Double(faulty) - expected) < expected * 0.3)
    }
}
