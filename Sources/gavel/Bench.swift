import ArgumentParser
import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Logging
import NIOCore
import NIOPosix

/// `gavel bench`: a seeded, reproducible load test of the exchange, run in this process on a
/// fresh temporary database (SQLite by default, or PostgreSQL) with in-process sandbox buyers,
/// driven over loopback HTTP.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the exchange: hosted auctions, buyer fan-out, dead buyers, and the ping tree versus the auction.",
        discussion: """
            Each scenario starts a fresh exchange in this process (a fresh database, see --database; sandbox buyers on
            loopback) and measures a bare GET /healthz in the same run, so figures read as ratios. Open-loop runs
            send at a fixed rate and measure latency from each request's intended send time; closed-loop runs keep
            N requests in flight. CPU is this whole process's (exchange, buyers and load generator). Build with
            -c release for meaningful figures.
            """)

    static let allScenarios = ["hosted", "fanout", "fanout-mapped", "deadline", "tree", "floors", "quality"]

    @Option(help: "Scenarios, comma-separated: hosted, fanout, fanout-mapped, deadline, tree, floors, quality, or all.")
    var scenario: String = "all"

    @Option(help: "Seed of the lead streams.")
    var seed: UInt64 = 42

    @Option(help: "Seconds per measured run.")
    var seconds: Double = 8

    @Option(help: "Clients in flight in closed-loop runs (hosted).")
    var concurrency: Int = 64

    @Option(help: "Open-loop rate for latency runs (hosted), requests per second.")
    var rate: Double = 1_000

    @Option(help: "Most leads per closed-loop run.")
    var leads: Int = 40_000

    @Option(help: "Buyer counts of the fan-out scenario, comma-separated.")
    var fanout: String = "1,5,20,50"

    @Option(help: "Buyer counts of the fanout-mapped scenario (native, then mapped, at each), comma-separated.")
    var mappedFanout: String = "5,20"

    @Option(help: "Clients in flight in the fan-out scenarios.")
    var fanoutConcurrency: Int = 32

    @Option(help: "The deadline (default_tmax_ms) of the deadline scenario.")
    var tmax: Int = 100

    @Option(help: "Buyers that never answer in the deadline scenario (beside 5 live ones).")
    var deadBuyers: Int = 3

    @Option(help: "Open-loop rate of the deadline scenario.")
    var deadlineRate: Double = 200

    @Option(help: "Leads of the tree scenario's stream.")
    var treeLeads: Int = 2_000

    @Option(help: "Open-loop rate of the tree scenario.")
    var treeRate: Double = 100

    @Option(help: "Leads of the floors and quality scenarios' streams (sold one after another).")
    var intelligenceLeads: Int = 6_000

    @Option(
        help:
            "The database: sqlite::memory: (a temporary SQLite file, the default), or a postgres://… server URL on which each scenario gets a fresh database (its role needs CREATEDB). With --fill, the database to fill: sqlite:PATH or postgres://…."
    )
    var database: String = "sqlite::memory:"

    @Option(
        help: ArgumentHelp(
            "Instead of the scenarios: fill --database with this many finished leads over the last 30 days, then time a report by each grouping and audit the ledger.",
            discussion: "Use a file (sqlite:fill.sqlite) or a postgres:// URL to keep the data and serve it afterwards."))
    var fill: Int?

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Run Swift concurrency on NIO's event loops (NIOSingletons' global executor).")
    var nioExecutor = false

    func validate() throws {
        guard !selected.isEmpty, selected.allSatisfy(Self.allScenarios.contains) else {
            throw ValidationError("--scenario takes all or any of \(Self.allScenarios.joined(separator: ", "))")
        }
        guard seconds > 0, concurrency > 0, rate > 0, leads > 0, fanoutConcurrency > 0, tmax > 0, deadlineRate > 0, treeLeads > 0,
            treeRate > 0, intelligenceLeads > 0
        else { throw ValidationError("durations, rates and counts must be positive") }
        if let fill {
            guard fill > 0 else { throw ValidationError("--fill takes a positive number of leads") }
            return
        }
        guard database == "sqlite::memory:" || database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") else {
            throw ValidationError("--database takes sqlite::memory: or a postgres:// server URL (each scenario needs an empty database)")
        }
        guard !fanoutCounts.isEmpty, fanoutCounts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--fanout takes positive counts, e.g. 1,5,20,50")
        }
        guard Set(mappedFanoutCounts).count >= 2, mappedFanoutCounts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--mapped-fanout takes at least two different positive counts, e.g. 5,20")
        }
    }

    var selected: [String] {
        scenario == "all" ? Self.allScenarios : scenario.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    var fanoutCounts: [Int] { Self.counts(fanout) }

    var mappedFanoutCounts: [Int] { Self.counts(mappedFanout) }

    static func counts(_ list: String) -> [Int] {
        list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    var knobs: BenchScenarios.Knobs {
        BenchScenarios.Knobs(
            seed: seed, seconds: seconds, concurrency: concurrency, rate: rate, leads: leads, fanout: fanoutCounts,
            mappedFanout: mappedFanoutCounts, fanoutConcurrency: fanoutConcurrency, tmaxMS: tmax, deadBuyers: deadBuyers,
            deadlineRate: deadlineRate,
            treeLeads: treeLeads, treeRate: treeRate, intelligenceLeads: intelligenceLeads, database: database)
    }

    func run() async throws {
        let executor = nioExecutor && NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        var logger = Runtime.logger(label: "gavel.bench")
        if ProcessInfo.processInfo.environment["LOG_LEVEL"] == nil { logger.logLevel = .error }
        BenchPrinter.header(executor: executor).forEach(Runtime.say)
        if let fill {
            return try await BenchFill(count: fill, database: database, seed: seed, logger: logger).run()
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: Self.clientConfiguration)
        var reports: [ScenarioReport] = []
        do {
            let scenarios = BenchScenarios(knobs: knobs, client: client, logger: logger)
            for name in selected {
                Runtime.say("\n== \(name) …")
                let report = try await scenarios.run(name)
                BenchPrinter.report(report).forEach(Runtime.say)
                reports.append(report)
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        BenchPrinter.targets(reports).forEach(Runtime.say)
        if let json { try write(reports, executor: executor, to: json) }
    }

    static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 4_096)
        return configuration
    }

    private func write(_ reports: [ScenarioReport], executor: Bool, to path: String) throws {
        let document: JSONValue = [
            "machine": BenchPrinter.machineJSON, "build": .string(BenchPrinter.build), "nio_executor": .bool(executor),
            "arguments": .array(CommandLine.arguments.dropFirst().map(JSONValue.string)),
            "scenarios": .array(reports.map(\.json)),
            "targets": .array(reports.flatMap(\.targets).map(\.json)),
        ]
        try Data(JSONWriter.bytes(document)).write(to: URL(fileURLWithPath: path))
        Runtime.say("Wrote \(path)")
    }
}

/// The benchmark's printed output.
enum BenchPrinter {
    #if DEBUG
    static let build = "debug"
    #else
    static let build = "release"
    #endif

    static var cpuModel: String {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    }

    static var machineJSON: JSONValue {
        [
            "cpu": .string(cpuModel), "cores": .number(Number(ProcessInfo.processInfo.activeProcessorCount)),
            "memory_gib": BenchFormat.number(Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824),
            "os": .string(ProcessInfo.processInfo.operatingSystemVersionString),
        ]
    }

    static func header(executor: Bool) -> [String] {
        var lines = [
            "gavel bench — \(build) build, \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpuModel)), "
                + "\(BenchFormat.fixed(Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824, 0)) GiB",
            "Swift concurrency on \(executor ? "NIO's event loops" : "its default global executor")",
        ]
        if build == "debug" { lines.append("warning: a debug build; build with `swift build -c release` for meaningful figures") }
        return lines
    }

    static func report(_ report: ScenarioReport) -> [String] {
        var rows = [["run", "load", "done", "errors", "per s", "p50 ms", "p90 ms", "p99 ms", "max ms", "CPU µs/req", "cores"]]
        for run in report.runs {
            rows.append([
                run.name, run.load, String(run.completed), String(run.errors), BenchFormat.fixed(run.rate, 0),
                BenchFormat.fixed(run.latency.p50, 2), BenchFormat.fixed(run.latency.p90, 2), BenchFormat.fixed(run.latency.p99, 2),
                BenchFormat.fixed(run.latency.max, 1), BenchFormat.fixed(run.cpuMicrosPerRequest, 0), BenchFormat.fixed(run.coresBusy, 2),
            ])
        }
        let table = report.runs.isEmpty ? [] : BenchFormat.table(rows).split(separator: "\n").map { "  " + $0 }
        return ["\(report.name): \(report.title)"] + table
            + report.notes.map { "  " + $0 }
            + ["  peak RSS so far: \(BenchFormat.fixed(Double(ProcessStats.peakRSSBytes()) / 1_048_576, 0)) MiB"]
    }

    static func targets(_ reports: [ScenarioReport]) -> [String] {
        let targets = reports.flatMap(\.targets)
        guard !targets.isEmpty else { return [] }
        var rows = [["target", "measured", "limit", "met"]]
        for target in targets {
            rows.append([
                target.name, "\(BenchFormat.fixed(target.measured, 2)) \(target.unit)",
                "\(target.comparison.rawValue) \(BenchFormat.fixed(target.limit, 2)) \(target.unit)", target.met ? "yes" : "NO",
            ])
        }
        return ["", "Targets:"] + BenchFormat.table(rows).split(separator: "\n").map { "  " + $0 }
    }
}
