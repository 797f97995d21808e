import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Logging
import NIOCore
import NIOHTTP1

/// What one scenario measured: its runs, ratios and targets, printable and as JSON.
struct ScenarioReport: Sendable {
    var name: String
    var title: String
    var runs: [LoadResult]
    var notes: [String] = []
    var targets: [BenchTarget] = []
    var figures: [String: JSONValue] = [:]

    var json: JSONValue {
        .object([
            "name": .string(name), "title": .string(title), "runs": .array(runs.map(\.json)), "notes": .array(notes.map(JSONValue.string)),
            "targets": .array(targets.map(\.json)), "figures": .object(figures),
        ])
    }
}

/// The benchmark's scenarios, each on a fresh in-process exchange, each with its own bare
/// `GET /healthz` baseline so its figures read as ratios.
struct BenchScenarios: Sendable {
    /// The knobs of a benchmark run.
    struct Knobs: Sendable {
        var seed: UInt64
        var seconds: Double
        var concurrency: Int
        var rate: Double
        var leads: Int
        var fanout: [Int]
        var mappedFanout: [Int]
        var fanoutConcurrency: Int
        var tmaxMS: Int
        var deadBuyers: Int
        var deadlineRate: Double
        var treeLeads: Int
        var treeRate: Double
        var intelligenceLeads: Int
        /// `sqlite::memory:` or a PostgreSQL server URL (a fresh database per scenario).
        var database: String
    }

    let knobs: Knobs
    let client: HTTPClient
    let logger: Logger

    var runner: LoadRunner { LoadRunner(client: client) }

    /// Runs a scenario by name.
    func run(_ name: String) async throws -> ScenarioReport {
        switch name {
        case "hosted": try await hosted()
        case "fanout": try await fanout()
        case "deadline": try await deadline()
        case "fanout-mapped": try await fanoutMapped()
        case "floors": try await floors()
        case "quality": try await quality()
        default: try await tree()
        }
    }

    func health(_ exchange: BenchExchange) -> LoadPlan {
        .repeated("GET /healthz", exchange.healthRequest())
    }

    func leadPlan(_ exchange: BenchExchange, _ generator: SimLeadGenerator, _ range: Range<Int>, key: String) -> LoadPlan {
        .prepared("POST /v1/leads", range.map { exchange.leadRequest(generator.lead($0), key: key) })
    }

    // MARK: hosted

    /// Ten hosted campaigns: durable leads per second (closed loop) and latency at a fixed
    /// rate (open loop), against `/healthz` measured the same way.
    func hosted() async throws -> ScenarioReport {
        let market = SimMarket.hostedBench(campaigns: 10, seed: knobs.seed)
        let generator = SimLeadGenerator(market: market, seed: knobs.seed)
        let knobs = knobs, runner = runner
        let runs = try await BenchExchange.run(client: client, database: knobs.database, logger: logger) { exchange in
            let key = try await exchange.install(market)
            let openCount = Int(knobs.rate * knobs.seconds)
            var next = 0
            func plan(_ count: Int) -> LoadPlan {
                defer { next += count }
                return leadPlan(exchange, generator, next..<(next + count), key: key)
            }
            let warm = plan(1_000), closed = plan(knobs.leads), open = plan(openCount)
            _ = await runner.closedLoop(warm, concurrency: knobs.concurrency, seconds: 30)
            return [
                await runner.closedLoop(health(exchange), concurrency: knobs.concurrency, seconds: knobs.seconds),
                await runner.closedLoop(closed, concurrency: knobs.concurrency, seconds: knobs.seconds),
                await runner.openLoop(health(exchange), rate: knobs.rate, seconds: knobs.seconds),
                await runner.openLoop(open, rate: knobs.rate, seconds: knobs.seconds),
            ]
        }
        return hostedReport(runs)
    }

    private func hostedReport(_ runs: [LoadResult]) -> ScenarioReport {
        let (healthClosed, leadsClosed, healthOpen, leadsOpen) = (runs[0], runs[1], runs[2], runs[3])
        let p99Ratio = BenchMath.ratio(leadsOpen.latency.p99, to: healthOpen.latency.p99) ?? .infinity
        let p50Ratio = BenchMath.ratio(leadsOpen.latency.p50, to: healthOpen.latency.p50) ?? .infinity
        let rateRatio = BenchMath.ratio(leadsClosed.rate, to: healthClosed.rate) ?? 0
        return ScenarioReport(
            name: "hosted", title: "10 hosted campaigns: POST /v1/leads versus GET /healthz", runs: runs,
            notes: [
                "durable leads/s (closed \(knobs.concurrency)): \(BenchFormat.fixed(leadsClosed.rate, 0)) = \(BenchFormat.fixed(rateRatio * 100, 1))% of /healthz's \(BenchFormat.fixed(healthClosed.rate, 0)) req/s",
                "at \(BenchFormat.fixed(knobs.rate, 0))/s: p50 \(BenchFormat.fixed(p50Ratio, 2))× and p99 \(BenchFormat.fixed(p99Ratio, 2))× the bare round trip",
            ],
            targets: [
                BenchTarget(
                    name: "hosted: /v1/leads p99 / bare p99 at \(BenchFormat.fixed(knobs.rate, 0))/s", measured: p99Ratio,
                    comparison: .atMost, limit: 4, unit: "×"),
                BenchTarget(
                    name: "hosted: durable leads/s, 10 hosted campaigns", measured: leadsClosed.rate, comparison: .atLeast, limit: 8_000,
                    unit: "leads/s"),
            ],
            figures: [
                "p99_ratio": BenchFormat.number(p99Ratio), "p50_ratio": BenchFormat.number(p50Ratio),
                "rate_ratio": BenchFormat.number(rateRatio),
            ])
    }

    // MARK: fanout

    /// K remote sandbox buyers answering at once: auctions per second and CPU per auction as K grows.
    func fanout() async throws -> ScenarioReport {
        var runs: [LoadResult] = []
        var points: [(x: Double, y: Double)] = []
        var atTwenty: Double?
        for (offset, count) in knobs.fanout.enumerated() {
            let measured = try await fanoutRun(buyers: count, baseline: offset == 0)
            runs += measured
            let run = measured.last!
            points.append((Double(count), run.cpuMicrosPerRequest))
            if count == 20 { atTwenty = run.rate }
        }
        let slope = BenchMath.slope(points)
        var report = ScenarioReport(
            name: "fanout", title: "K remote buyers answering at once (closed \(knobs.fanoutConcurrency))", runs: runs)
        if let slope {
            report.notes.append(
                "CPU per extra buyer: \(BenchFormat.fixed(slope, 1)) µs per auction (exchange, in-process sandbox and client together)")
            report.figures["cpu_us_per_extra_buyer"] = BenchFormat.number(slope)
        }
        if let atTwenty {
            report.targets.append(
                BenchTarget(
                    name: "fanout: auctions/s with 20 remote buyers", measured: atTwenty, comparison: .atLeast, limit: 1_000,
                    unit: "auctions/s"))
        }
        return report
    }

    /// One fan-out run with `buyers` remote buyers, native or reached through a mapped
    /// integration (see ``SimMarket/nativeLikeIntegration(vertical:pingURL:postURL:)``).
    func fanoutRun(buyers: Int, baseline: Bool, mapped: Bool = false) async throws -> [LoadResult] {
        let market = SimMarket.remoteBench(campaigns: buyers, seed: knobs.seed)
        let generator = SimLeadGenerator(market: market, seed: StableHash.mix(knobs.seed, UInt64(buyers)))
        let knobs = knobs, runner = runner
        return try await BenchExchange.run(client: client, database: knobs.database, logger: logger) { exchange in
            var endpoints = exchange.addBuyers(market) { campaign in .bidding(Money(cents: 400 + Int64(campaign.seed % 300))) }
            if mapped { endpoints = endpoints.mapValues { $0.mapped(vertical: BuiltInVerticals.autoInsurance) } }
            let key = try await exchange.install(market, endpoints: endpoints)
            let warm = leadPlan(exchange, generator, 0..<300, key: key)
            let plan = leadPlan(exchange, generator, 300..<(300 + min(knobs.leads, 20_000)), key: key)
            _ = await runner.closedLoop(warm, concurrency: knobs.fanoutConcurrency, seconds: 30)
            var results: [LoadResult] = []
            if baseline {
                results.append(await runner.closedLoop(health(exchange), concurrency: knobs.fanoutConcurrency, seconds: knobs.seconds))
            }
            var run = await runner.closedLoop(plan, concurrency: knobs.fanoutConcurrency, seconds: knobs.seconds)
            run.name = "POST /v1/leads, \(buyers) \(mapped ? "mapped" : "native") buyer\(buyers == 1 ? "" : "s")"
            return results + [run]
        }
    }

    // MARK: deadline

    /// Live buyers and dead ones (never answering): the lead's latency against tmax.
    func deadline() async throws -> ScenarioReport {
        let live = 5
        let market = SimMarket.remoteBench(campaigns: live + knobs.deadBuyers, tmaxMS: knobs.tmaxMS, seed: knobs.seed)
        let generator = SimLeadGenerator(market: market, seed: StableHash.mix(knobs.seed, 0xDEAD))
        let knobs = knobs, runner = runner
        let runs = try await BenchExchange.run(client: client, database: knobs.database, logger: logger) { exchange in
            let endpoints = exchange.addBuyers(market) { campaign in
                let index = Int(campaign.id.split(separator: "-").last ?? "0") ?? 0
                return index > live ? .failing(.hang) : .bidding(Money(cents: 400 + Int64(campaign.seed % 300)))
            }
            let key = try await exchange.install(market, endpoints: endpoints)
            let count = Int(knobs.deadlineRate * knobs.seconds)
            _ = await runner.openLoop(leadPlan(exchange, generator, 0..<200, key: key), rate: knobs.deadlineRate, seconds: 5)
            let plan = leadPlan(exchange, generator, 200..<(200 + count), key: key)
            return [
                await runner.openLoop(health(exchange), rate: knobs.deadlineRate, seconds: knobs.seconds),
                await runner.openLoop(plan, rate: knobs.deadlineRate, seconds: knobs.seconds),
            ]
        }
        let p99 = runs[1].latency.p99
        return ScenarioReport(
            name: "deadline", title: "\(live) live buyers and \(knobs.deadBuyers) that never answer, tmax \(knobs.tmaxMS) ms", runs: runs,
            notes: [
                "p99 \(BenchFormat.fixed(p99, 1)) ms = tmax + \(BenchFormat.fixed(p99 - Double(knobs.tmaxMS), 1)) ms (bare p99 \(BenchFormat.fixed(runs[0].latency.p99, 1)) ms)"
            ],
            targets: [
                BenchTarget(
                    name: "deadline: p99 with dead buyers, tmax \(knobs.tmaxMS) ms", measured: p99, comparison: .atMost,
                    limit: Double(knobs.tmaxMS + 5), unit: "ms")
            ],
            figures: ["p99_over_tmax_ms": BenchFormat.number(p99 - Double(knobs.tmaxMS))])
    }
}
