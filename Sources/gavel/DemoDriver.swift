import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Logging
import NIOHTTP1
import ServiceLifecycle

/// A value set once and awaited by others (e.g. the address the server bound).
final class OneShot<Value: Sendable>: Sendable {
    /// The value did not come in time.
    struct Timeout: Error, CustomStringConvertible {
        var description: String { "gave up waiting for the server to start" }
    }

    private let value = Locked<Value?>(nil)

    /// Sets the value (the first call wins).
    func set(_ newValue: Value) {
        value.withLock { value in if value == nil { value = newValue } }
    }

    /// The value, once set; throws on cancellation or after `timeout` (e.g. when the server
    /// failed to start and never will set it).
    func wait(timeout: Duration = .seconds(60)) async throws -> Value {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let value = value.withLock({ $0 }) { return value }
            guard ContinuousClock.now < deadline else { throw Timeout() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// The demo's market in motion, run as the last service of the group (so it stops first, while
/// the server still answers): installs the market through the operator API, prints how to use
/// it, sends leads at a steady rate with a live progress line, switches buyers' faults on and
/// off, and prints a summary when the group shuts down (or after `duration`).
struct DemoDriver: Service {
    /// How the driver runs.
    struct Settings: Sendable {
        var rate: Double
        var seed: UInt64
        var duration: Duration?
        var adminKey: String
        var adminKeyIsDemoDefault: Bool
        var database: String
    }

    let settings: Settings
    let market: SimMarket
    let sandbox: SandboxBuyers
    let address: OneShot<String>

    func run() async throws {
        let base = try await address.wait()
        try await sandbox.waitUntilRunning()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: Self.clientConfiguration)
        do {
            try await drive(APIClient(client: client, baseURL: base))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        return configuration
    }

    private func drive(_ api: APIClient) async throws {
        let installer = MarketInstaller(api: api, adminKey: settings.adminKey)
        let endpoints = market.addSandboxBuyers(to: sandbox, pricing: .auction)
        try await installer.install(market, pricing: .auction, endpoints: endpoints)
        let mapped = try await installer.installMappedBuyer(sandbox)
        let keys = try await installer.sellerKeys(market, label: "gavel demo")
        DemoText.banner(base: api.baseURL, settings: settings, market: market, sandbox: sandbox.baseURL, keys: keys, mapped: mapped)
            .forEach(Runtime.say)
        let tally = DemoTally()
        await withTaskGroup(of: Void.self) { side in
            side.addTask { await faults() }
            side.addTask { await progress(tally) }
            await pump(api, keys: keys, tally: tally)
            side.cancelAll()
        }
        DemoProgress.finish()
        tally.summary().forEach(Runtime.say)
        await DemoText.sellerReport(api, adminKey: settings.adminKey, database: settings.database).forEach(Runtime.say)
    }

    /// Sends lead after lead on an open-loop schedule until shutdown (or the duration ends),
    /// then waits for those in flight.
    private func pump(_ api: APIClient, keys: [String: String], tally: DemoTally) async {
        let generator = SimLeadGenerator(market: market, seed: settings.seed)
        let start = ContinuousClock.now
        await withDiscardingTaskGroup { leads in
            var index = 0
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let offset = Duration.nanoseconds(Int64(BenchMath.intendedStartNanos(index: index, ratePerSecond: settings.rate)))
                if let duration = settings.duration, offset >= duration { break }
                let intended = start.advanced(by: offset)
                guard await Self.sleep(until: intended) else { break }
                let lead = generator.lead(index)
                index += 1
                leads.addTask { await send(lead, api: api, key: keys[lead.sellerID], intended: intended, tally: tally) }
            }
        }
    }

    /// Sleeps until `instant` in short steps; `false` when shutdown began meanwhile.
    private static func sleep(until instant: ContinuousClock.Instant) async -> Bool {
        while ContinuousClock.now < instant {
            let step = min(instant, ContinuousClock.now.advanced(by: .milliseconds(100)))
            try? await Task.sleep(until: step, clock: .continuous)
            if Task.isShuttingDownGracefully || Task.isCancelled { return false }
        }
        return true
    }

    private func send(_ lead: SimLead, api: APIClient, key: String?, intended: ContinuousClock.Instant, tally: DemoTally) async {
        let outcome: (status: String, payout: Money)
        do {
            let (status, body) = try await api.call(.POST, "/v1/leads", key: key, json: lead.body)
            let payout = body["price"]?.numberValue.flatMap(Money.init) ?? .zero
            outcome = (status == 200 ? body["status"]?.stringValue ?? "malformed" : "http_\(status)", payout)
        } catch {
            outcome = ("error", .zero)
        }
        let micros = UInt64(max(0, intended.duration(to: .now).seconds * 1_000_000))
        tally.record(status: outcome.status, payout: outcome.payout, latencyMicros: micros)
    }

    /// Every second, switches buyers' faults as the market model says.
    private func faults() async {
        var tick = 0
        while !Task.isCancelled {
            market.applyFaults(tick: tick, to: sandbox)
            tick += 1
            try? await Task.sleep(for: .seconds(1))
        }
        market.clearFaults(in: sandbox)
    }

    /// Every second, the progress line.
    private func progress(_ tally: DemoTally) async {
        var tick = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled else { return }
            tick += 1
            DemoProgress.show(tally.line(tally.reading()), tick: tick)
        }
    }
}

/// The live progress line: rewritten in place on a terminal, a plain line every 5 s otherwise.
enum DemoProgress {
    static let isTerminal = isatty(STDERR_FILENO) != 0

    static func show(_ line: String, tick: Int) {
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
        } else if tick % 5 == 1 {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Ends the line in place, so what follows starts on a fresh line.
    static func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
