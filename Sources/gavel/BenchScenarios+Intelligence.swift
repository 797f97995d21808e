import GavelCore
import GavelSim

/// One class of leads' sums in an intelligence run: what sellers earned, what the exchange
/// kept, how many sold, and what buyers gained (their value of the lead less what they paid).
struct MarketTally: Sendable {
    var leads = 0
    var sold = 0
    var revenue = Money.zero
    var payout = Money.zero
    var refunds = Money.zero
    var refundedPayout = Money.zero
    var buyerSurplusCents = 0.0

    var margin: Money { revenue - payout - (refunds - refundedPayout) }
    var sellerRevenue: Money { payout - refundedPayout }
    var realizedRevenue: Money { revenue - refunds }
    var fillRate: Double { leads == 0 ? 0 : Double(sold) / Double(leads) }
}

extension BenchScenarios {
    /// Learned floors off and on, second-price clearing, the same seeded stream: seller revenue,
    /// margin, fill rate and buyer surplus in thin and thick segments.
    func floors() async throws -> ScenarioReport {
        let market = SimMarket.floorsBench(seed: knobs.seed)
        let vertical = BuiltInVerticals.autoInsurance
        let leads = SimLeadGenerator(market: market, seed: knobs.seed).leads(0..<knobs.intelligenceLeads).filter {
            Self.segmentClass($0, vertical: vertical) != nil
        }
        var tallies: [String: [String: MarketTally]] = [:]
        for mode in ["off", "on"] {
            let settings: JSONValue = [
                "auction": "second_price", "floor_learning": .string(mode),
                "floor_learning_options": ["exploration": .number(Number(text: "0.05")!), "min_samples": 50, "window": 500],
            ]
            tallies[mode] = try await intelligenceRun(market, leads: leads, settings: settings, returns: false) { lead in
                Self.segmentClass(lead, vertical: vertical) ?? "other"
            }
        }
        return floorsReport(off: tallies["off"] ?? [:], on: tallies["on"] ?? [:], leads: leads.count)
    }

    /// Price ranking and quality ranking, first price, the same seeded stream, buyers that
    /// reject posts and return leads at different rates: realized revenue after returns. Quality
    /// ranking runs with the default rejection cost (the target) and with a cost of 1 (ranking
    /// by bid × P(accepted) × (1 − P(returned)), shown for comparison).
    func quality() async throws -> ScenarioReport {
        let market = SimMarket.qualityBench(seed: knobs.seed)
        let leads = SimLeadGenerator(market: market, seed: knobs.seed).leads(0..<knobs.intelligenceLeads)
        var tallies: [(String, MarketTally)] = []
        for (label, ranking, cost) in Self.qualityRuns {
            let settings: JSONValue = [
                "auction": "first_price", "ranking": .string(ranking), "ranking_options": ["rejection_cost": cost.json],
            ]
            let run = try await intelligenceRun(market, leads: leads, settings: settings, returns: true) { _ in "all" }
            tallies.append((label, run["all"] ?? MarketTally()))
        }
        return qualityReport(tallies)
    }

    /// The quality scenario's runs: a label, the ranking and the rejection cost.
    static let qualityRuns: [(String, String, Rate)] = [
        ("price", "price", Settings.defaultRejectionCost),
        ("quality", "quality", Settings.defaultRejectionCost),
        ("quality, cost 1", "quality", .one),
    ]

    static func segmentClass(_ lead: SimLead, vertical: Vertical) -> String? {
        let state = lead.fields["state"]?.stringValue ?? ""
        if SimMarket.thickStates.contains(state) { return "thick" }
        return SimMarket.thinStates[state] == nil ? nil : "thin"
    }

    // MARK: Running

    /// Sells the leads one after another on a fresh exchange with `settings`, returning (when
    /// asked) what each buyer returns right after buying it, and sums each class.
    func intelligenceRun(
        _ market: SimMarket, leads: [SimLead], settings: JSONValue, returns: Bool, classify: @escaping @Sendable (SimLead) -> String
    ) async throws -> [String: MarketTally] {
        let knobs = knobs
        return try await BenchExchange.run(client: client, database: knobs.database, logger: logger) { exchange in
            let endpoints = market.addSandboxBuyers(to: exchange.sandbox, pricing: .auction)
            try await exchange.installer.install(market, pricing: .auction, endpoints: endpoints)
            try await exchange.api.require(.PUT, "/v1/settings", key: BenchExchange.adminToken, json: settings)
            let sellerKey = try await exchange.installer.key(role: "seller", subject: market.sellers[0].id, label: "bench")
            var buyerKeys: [String: String] = [:]
            if returns {
                for campaign in market.campaigns {
                    buyerKeys[campaign.buyerID] = try await exchange.installer.key(role: "buyer", subject: campaign.buyerID, label: "bench")
                }
            }
            var tallies: [String: MarketTally] = [:]
            for lead in leads {
                let sale = try await sell(lead, exchange: exchange, key: sellerKey, market: market, returns: returns, buyerKeys: buyerKeys)
                tallies[classify(lead), default: MarketTally()].add(sale)
            }
            return tallies
        }
    }

    /// What happened to one lead, from the seller's answer, the lead's detail and the return.
    struct SaleFacts: Sendable {
        var sold = false
        var revenue = Money.zero
        var payout = Money.zero
        var refund = Money.zero
        var refundedPayout = Money.zero
        var buyerSurplusCents = 0.0
    }

    private func sell(
        _ lead: SimLead, exchange: BenchExchange, key: String, market: SimMarket, returns: Bool, buyerKeys: [String: String]
    ) async throws -> SaleFacts {
        let answer = try await exchange.api.require(.POST, "/v1/leads", key: key, json: lead.body)
        guard answer["status"] == "sold", let leadID = answer["lead_id"]?.stringValue, let campaignID = answer["buyer"]?.stringValue,
            let sim = market.campaign(campaignID)
        else { return SaleFacts() }
        let detail = try await exchange.api.require(.GET, "/v1/leads/\(leadID)", key: BenchExchange.adminToken)
        var facts = SaleFacts(sold: true)
        facts.revenue = detail["revenue"]?.numberValue.flatMap(Money.init) ?? .zero
        facts.payout = answer["price"]?.numberValue.flatMap(Money.init) ?? .zero
        let fields = BuiltInVerticals.autoInsurance.nonPersonal(lead.fields)
        let value = sim.value(fields: fields, source: lead.source, sourceQuality: market.quality(ofSource: lead.source))
        facts.buyerSurplusCents = value * 100 - Double(facts.revenue.cents)
        if returns, sim.returns(fields: fields, source: lead.source), let buyerKey = buyerKeys[sim.buyerID] {
            let returned = try await exchange.api.require(
                .POST, "/v1/returns", key: buyerKey, json: ["lead_id": .string(leadID), "reason": "bad contact details"])
            if returned["status"] == "approved" {
                facts.refund = facts.revenue
                facts.refundedPayout = facts.payout
                facts.buyerSurplusCents = 0
            }
        }
        return facts
    }

    // MARK: Reports

    private func floorsReport(off: [String: MarketTally], on: [String: MarketTally], leads: Int) -> ScenarioReport {
        var table = [["segments", "floors", "leads", "fill %", "seller revenue", "exchange margin", "buyer surplus"]]
        for segment in ["thin", "thick"] {
            for (label, tally) in [("off", off[segment] ?? MarketTally()), ("learned", on[segment] ?? MarketTally())] {
                table.append(Self.tallyRow(segment, label, tally))
            }
        }
        let thinLift = Self.change(on["thin"]?.sellerRevenue, off["thin"]?.sellerRevenue)
        let thickChange = Self.change(on["thick"]?.sellerRevenue, off["thick"]?.sellerRevenue)
        let fill = (on["thin"]?.fillRate ?? 0) / max(off["thin"]?.fillRate ?? 0, 1e-9)
        let totalFill = Self.totalFill(on) / max(Self.totalFill(off), 1e-9)
        return ScenarioReport(
            name: "floors", title: "\(leads) seeded leads, second price: static floors versus learned floors", runs: [],
            notes: BenchFormat.table(table).split(separator: "\n").map(String.init) + [
                "thin segments: seller revenue \(BenchFormat.fixed(thinLift * 100, 1))%, fill \(BenchFormat.fixed(fill * 100, 1))% of static",
                "thick segments: seller revenue \(BenchFormat.fixed(thickChange * 100, 2))%; all segments: fill \(BenchFormat.fixed(totalFill * 100, 1))% of static",
            ],
            targets: [
                BenchTarget(
                    name: "floors: seller revenue lift, thin segments", measured: thinLift * 100, comparison: .atLeast, limit: 10, unit: "%"
                ),
                BenchTarget(
                    name: "floors: seller revenue change, thick segments", measured: thickChange * 100, comparison: .atLeast, limit: -1,
                    unit: "%"),
                BenchTarget(
                    name: "floors: fill rate of the no-floor run, thin segments", measured: fill * 100, comparison: .atLeast, limit: 90,
                    unit: "%"),
            ],
            figures: [
                "thin_revenue_lift": BenchFormat.number(thinLift), "thick_revenue_change": BenchFormat.number(thickChange),
                "thin_fill_ratio": BenchFormat.number(fill), "fill_ratio": BenchFormat.number(totalFill),
            ])
    }

    private func qualityReport(_ tallies: [(String, MarketTally)]) -> ScenarioReport {
        var table = [["ranking", "leads", "fill %", "realized revenue", "refunds", "seller revenue", "exchange margin", "buyer surplus"]]
        for (label, tally) in tallies {
            table.append([
                label, String(tally.leads), BenchFormat.fixed(tally.fillRate * 100, 1), "$\(tally.realizedRevenue)", "$\(tally.refunds)",
                "$\(tally.sellerRevenue)", "$\(tally.margin)", "$\(Money(cents: Int64(tally.buyerSurplusCents.rounded())))",
            ])
        }
        let price = tallies.first?.1 ?? MarketTally()
        let lift = Self.change(tallies.dropFirst().first?.1.realizedRevenue, price.realizedRevenue)
        let literal = Self.change(tallies.dropFirst(2).first?.1.realizedRevenue, price.realizedRevenue)
        let cost = Settings.defaultRejectionCost.description
        return ScenarioReport(
            name: "quality", title: "\(price.leads) seeded leads, first price: price ranking versus quality ranking", runs: [],
            notes: BenchFormat.table(table).split(separator: "\n").map(String.init) + [
                "realized revenue (after returns): \(BenchFormat.fixed(lift * 100, 1))% with quality ranking (rejection cost \(cost)), "
                    + "\(BenchFormat.fixed(literal * 100, 1))% with a rejection cost of 1"
            ],
            targets: [
                BenchTarget(name: "quality: realized revenue lift", measured: lift * 100, comparison: .atLeast, limit: 5, unit: "%")
            ],
            figures: ["realized_revenue_lift": BenchFormat.number(lift), "realized_revenue_lift_cost_1": BenchFormat.number(literal)])
    }

    static func tallyRow(_ segment: String, _ label: String, _ tally: MarketTally) -> [String] {
        [
            segment, label, String(tally.leads), BenchFormat.fixed(tally.fillRate * 100, 1), "$\(tally.sellerRevenue)", "$\(tally.margin)",
            "$\(Money(cents: Int64(tally.buyerSurplusCents.rounded())))",
        ]
    }

    static func change(_ new: Money?, _ old: Money?) -> Double {
        guard let new, let old, old.cents > 0 else { return 0 }
        return Double(new.cents - old.cents) / Double(old.cents)
    }

    static func totalFill(_ tallies: [String: MarketTally]) -> Double {
        let leads = tallies.values.reduce(0) { $0 + $1.leads }
        return leads == 0 ? 0 : Double(tallies.values.reduce(0) { $0 + $1.sold }) / Double(leads)
    }
}

extension MarketTally {
    mutating func add(_ sale: BenchScenarios.SaleFacts) {
        leads += 1
        guard sale.sold else { return }
        sold += 1
        revenue += sale.revenue
        payout += sale.payout
        refunds += sale.refund
        refundedPayout += sale.refundedPayout
        buyerSurplusCents += sale.buyerSurplusCents
    }
}
