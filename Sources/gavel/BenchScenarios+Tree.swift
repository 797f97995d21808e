import AsyncHTTPClient
import GavelCore
import GavelSim
import NIOCore
import NIOHTTP1

/// Sums the sellers' side of `/v1/leads` answers: sold or not, and the payout.
final class OutcomeRecorder: Sendable {
    private let outcome = Locked(SimOutcome())

    /// Counts an answer body; `false` when it is not a lead result.
    func record(_ body: ByteBuffer) -> Bool {
        guard let json = try? JSONParser.parse(Array(body.readableBytesView)), let status = json["status"]?.stringValue else {
            return false
        }
        let payout = json["price"]?.numberValue.flatMap(Money.init) ?? .zero
        outcome.withLock { $0.record(price: status == "sold" ? payout : nil, payout: status == "sold" ? payout : nil) }
        return true
    }

    var result: SimOutcome { outcome.withLock { $0 } }
}

extension BenchScenarios {
    /// One seeded lead stream sold twice on the default market, each time on a fresh
    /// exchange: by the fixed-price ping tree (`waterfall`) and by the parallel auction.
    func tree() async throws -> ScenarioReport {
        let market = SimMarket.standard()
        let leads = SimLeadGenerator(market: market, seed: knobs.seed).leads(0..<knobs.treeLeads)
        var runs: [LoadResult] = []
        var measured: [SimMarket.Pricing: SimOutcome] = [:]
        for pricing in [SimMarket.Pricing.tree, .auction] {
            let (results, outcome) = try await treeRun(market, leads: leads, pricing: pricing, baseline: pricing == .tree)
            runs += results
            measured[pricing] = outcome
        }
        let expected = [SimMarket.Pricing.tree, .auction].map { ($0, market.expectedOutcome(leads, pricing: $0)) }
        return treeReport(runs: runs, measured: measured, expected: Dictionary(uniqueKeysWithValues: expected))
    }

    private func treeRun(
        _ market: SimMarket, leads: [SimLead], pricing: SimMarket.Pricing, baseline: Bool
    ) async throws -> ([LoadResult], SimOutcome) {
        let knobs = knobs, runner = runner
        return try await BenchExchange.run(client: client, database: knobs.database, logger: logger) { exchange in
            let endpoints = market.addSandboxBuyers(to: exchange.sandbox, pricing: pricing)
            try await exchange.installer.install(market, pricing: pricing, endpoints: endpoints)
            let keys = try await exchange.installer.sellerKeys(market, label: "bench")
            let recorder = OutcomeRecorder()
            let plan = LoadPlan.prepared(
                "POST /v1/leads, \(pricing == .tree ? "waterfall tree" : "auction")",
                leads.map { exchange.leadRequest($0, key: keys[$0.sellerID] ?? "") }
            ) { _, status, body in status == .ok && recorder.record(body) }
            var results: [LoadResult] = []
            if baseline { results.append(await runner.openLoop(health(exchange), rate: knobs.treeRate, seconds: knobs.seconds)) }
            results.append(await runner.openLoop(plan, rate: knobs.treeRate, seconds: Double(leads.count) / knobs.treeRate + 1))
            return (results, recorder.result)
        }
    }

    private func treeReport(
        runs: [LoadResult], measured: [SimMarket.Pricing: SimOutcome], expected: [SimMarket.Pricing: SimOutcome]
    ) -> ScenarioReport {
        let tree = measured[.tree] ?? SimOutcome(), auction = measured[.auction] ?? SimOutcome()
        let ratio = BenchMath.ratio(Double(auction.sellerRevenue.cents), to: Double(tree.sellerRevenue.cents)) ?? 0
        let modelRatio =
            BenchMath.ratio(
                Double(expected[.auction]?.sellerRevenue.cents ?? 0), to: Double(expected[.tree]?.sellerRevenue.cents ?? 0)) ?? 0
        var table = [["pricing", "leads", "sold %", "seller revenue", "avg price", "per lead", "p50 ms", "p99 ms"]]
        for (label, pricing, run) in [("waterfall tree", SimMarket.Pricing.tree, runs[1]), ("auction", .auction, runs[2])] {
            let outcome = measured[pricing] ?? SimOutcome()
            table.append(Self.outcomeRow(label, outcome, p50: run.latency.p50, p99: run.latency.p99))
        }
        for (label, pricing) in [("model: tree", SimMarket.Pricing.tree), ("model: auction", .auction)] {
            table.append(Self.outcomeRow(label, expected[pricing] ?? SimOutcome(), p50: nil, p99: nil))
        }
        return ScenarioReport(
            name: "tree",
            title:
                "\(knobs.treeLeads) seeded leads on the default market: waterfall tree versus auction at \(BenchFormat.fixed(knobs.treeRate, 0))/s",
            runs: runs,
            notes: BenchFormat.table(table).split(separator: "\n").map(String.init) + [
                "seller revenue, auction / tree: \(BenchFormat.fixed(ratio, 2))× measured (\(BenchFormat.fixed(modelRatio, 2))× by the offline model, which leaves out schedules, caps and timeouts)"
            ],
            targets: [
                BenchTarget(
                    name: "tree: auction seller revenue / waterfall tree", measured: ratio, comparison: .atLeast, limit: 1.3, unit: "×")
            ],
            figures: [
                "revenue_ratio": BenchFormat.number(ratio), "model_revenue_ratio": BenchFormat.number(modelRatio),
                "tree": Self.outcomeJSON(tree), "auction": Self.outcomeJSON(auction),
            ])
    }

    static func outcomeRow(_ label: String, _ outcome: SimOutcome, p50: Double?, p99: Double?) -> [String] {
        [
            label, String(outcome.leads), BenchFormat.fixed(outcome.fillRate * 100, 1), "$\(outcome.sellerRevenue)",
            "$\(outcome.averagePrice)",
            "$\(outcome.revenuePerLead)", p50.map { BenchFormat.fixed($0, 1) } ?? "", p99.map { BenchFormat.fixed($0, 1) } ?? "",
        ]
    }

    static func outcomeJSON(_ outcome: SimOutcome) -> JSONValue {
        [
            "leads": .number(Number(outcome.leads)), "sold": .number(Number(outcome.sold)),
            "fill_rate": BenchFormat.number(outcome.fillRate),
            "seller_revenue": outcome.sellerRevenue.json, "average_price": outcome.averagePrice.json,
            "revenue_per_lead": outcome.revenuePerLead.json,
        ]
    }
}
