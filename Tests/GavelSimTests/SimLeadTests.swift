import GavelCore
import GavelSim
import GavelTesting
import Testing

@Suite("Generated leads", .heavy)
struct SimLeadTests {
    let market = SimMarket.standard()

    @Test func sameSeedSameLeads() {
        let a = SimLeadGenerator(market: market, seed: 11).leads(0..<200)
        let b = SimLeadGenerator(market: market, seed: 11).leads(0..<200)
        #expect(a == b)
    }

    @Test func leadsCanBeMadeInAnyOrder() {
        let generator = SimLeadGenerator(market: market, seed: 11)
        #expect(generator.lead(57) == generator.leads(0..<100)[57])
    }

    @Test func differentSeedsDiffer() {
        let a = SimLeadGenerator(market: market, seed: 11).leads(0..<50)
        let b = SimLeadGenerator(market: market, seed: 12).leads(0..<50)
        #expect(a.map(\.fields) != b.map(\.fields))
    }

    @Test func everyLeadValidatesAgainstItsVertical() throws {
        for lead in SimLeadGenerator(market: market, seed: 5).leads(0..<2_000) {
            let vertical = try #require(SimMarket.vertical(lead.vertical))
            let result = vertical.validate(fields: lead.fields)
            guard case .success(let normalized) = result else {
                Issue.record("lead \(lead.index) (\(lead.vertical)) does not validate: \(result)")
                continue
            }
            #expect(normalized == lead.fields, "lead \(lead.index) is not generated in normalized form")
        }
    }

    @Test func leadsOfEveryBuiltInVerticalValidate() throws {
        var market = SimMarket.standard()
        market.sellers = [
            SimSeller(
                id: "s", name: "s", alias: "s", revenueShare: "0.8", weight: 1,
                verticals: BuiltInVerticals.all.map { SimSeller.Mix($0.id, 1) }, sources: [SimSource("x", quality: 1, weight: 1)])
        ]
        let leads = SimLeadGenerator(market: market, seed: 9).leads(0..<400)
        #expect(Set(leads.map(\.vertical)) == Set(BuiltInVerticals.all.map(\.id)))
        for lead in leads {
            let vertical = try #require(SimMarket.vertical(lead.vertical))
            guard case .success = vertical.validate(fields: lead.fields) else {
                Issue.record("lead \(lead.index) (\(lead.vertical)) does not validate")
                continue
            }
        }
    }

    @Test func phonesAndEmailsAreUnique() {
        let leads = SimLeadGenerator(market: market, seed: 5).leads(0..<20_000)
        let phones = leads.compactMap { $0.fields["phone"]?.stringValue }
        let emails = leads.compactMap { $0.fields["email"]?.stringValue }
        #expect(phones.count == leads.count)
        #expect(Set(phones).count == phones.count)
        #expect(Set(emails).count == emails.count)
    }

    @Test func trafficFollowsTheSellersMix() {
        let leads = SimLeadGenerator(market: market, seed: 6).leads(0..<20_000)
        let share = Double(leads.filter { $0.sellerID == "leadspring" }.count) / Double(leads.count)
        #expect(abs(share - 0.45) < 0.02)
        #expect(leads.filter { $0.sellerID == "quotewise" }.allSatisfy { $0.vertical != "solar" })
    }
}
