import AsyncHTTPClient
import Foundation
import GavelCore
import GavelSim
import Histogram
import NIOCore
import NIOHTTP1

/// Latencies and counts of one load run, recorded from many tasks (HdrHistogram, microseconds).
final class LatencyRecorder: Sendable {
    private struct State: Sendable {
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var completed = 0
        var errors = 0
    }

    private let state = Locked(State())

    var completed: Int { state.withLock { $0.completed } }
    var errors: Int { state.withLock { $0.errors } }

    func record(nanos: UInt64, ok: Bool) {
        state.withLock { state in
            _ = state.histogram.record(min(max(1, nanos / 1_000), 120_000_000))
            if ok { state.completed += 1 } else { state.errors += 1 }
        }
    }

    var summary: LatencySummary {
        state.withLock { state in
            let histogram = state.histogram
            let ms = { (p: Double) in Double(histogram.valueAtPercentile(p)) / 1_000 }
            return LatencySummary(
                count: Int(histogram.totalCount), p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9),
                max: Double(histogram.max) / 1_000, mean: histogram.mean / 1_000)
        }
    }
}

/// Process CPU time and peak memory, from `getrusage`.
enum ProcessStats {
    /// User plus system CPU seconds used by this process so far.
    static func cpuSeconds() -> Double {
        let usage = current()
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The peak resident set size in bytes (Linux reports kilobytes).
    static func peakRSSBytes() -> Int {
        Int(current().ru_maxrss) * 1_024
    }

    private static func current() -> rusage {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return usage
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }
}

/// A load of requests, prepared ahead so that making them costs the measurement nothing.
struct LoadPlan: Sendable {
    /// What is measured, e.g. `POST /v1/leads`.
    var name: String
    /// How many requests there are.
    var count: Int
    /// Request `index` (each used at most once).
    var request: @Sendable (_ index: Int) -> HTTPClientRequest
    /// Reads an answer; `false` counts it as an error.
    var check: @Sendable (_ index: Int, _ status: HTTPResponseStatus, _ body: ByteBuffer) -> Bool

    /// Prepared requests, in order.
    static func prepared(
        _ name: String, _ requests: [HTTPClientRequest],
        check: @escaping @Sendable (_ index: Int, _ status: HTTPResponseStatus, _ body: ByteBuffer) -> Bool = { _, status, _ in
            status == .ok
        }
    ) -> LoadPlan {
        LoadPlan(name: name, count: requests.count, request: { requests[$0] }, check: check)
    }

    /// The same request, as often as asked.
    static func repeated(_ name: String, _ request: HTTPClientRequest) -> LoadPlan {
        LoadPlan(name: name, count: .max, request: { _ in request }) { _, status, _ in status == .ok }
    }
}

/// Drives a server with open-loop (fixed arrival rate, latency from each request's intended
/// send time, so a stall is never hidden) or closed-loop (N clients, each sending its next
/// request when the last is answered) load, and measures rate, latency and CPU.
struct LoadRunner: Sendable {
    let client: HTTPClient
    var timeout: TimeAmount = .seconds(30)

    /// Sends the plan's requests at `rate` per second, up to `seconds` long.
    func openLoop(_ plan: LoadPlan, rate: Double, seconds: Double) async -> LoadResult {
        let count = min(plan.count, Int(rate * seconds))
        let recorder = LatencyRecorder()
        return await measure(plan.name, load: "open \(BenchFormat.fixed(rate, 0))/s", recorder: recorder) {
            let start = ContinuousClock.now
            await withDiscardingTaskGroup { group in
                for index in 0..<count {
                    let intended = start.advanced(by: .nanoseconds(Int64(BenchMath.intendedStartNanos(index: index, ratePerSecond: rate))))
                    if ContinuousClock.now < intended { try? await Task.sleep(until: intended, clock: .continuous) }
                    group.addTask {
                        let ok = await send(plan, index)
                        recorder.record(nanos: Self.nanos(intended.duration(to: .now)), ok: ok)
                    }
                }
            }
        }
    }

    /// Sends the plan's requests from `concurrency` clients until they run out or `seconds` pass.
    func closedLoop(_ plan: LoadPlan, concurrency: Int, seconds: Double) async -> LoadResult {
        let recorder = LatencyRecorder()
        let cursor = Cursor(limit: plan.count)
        return await measure(plan.name, load: "closed \(concurrency)", recorder: recorder) {
            let end = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1_000)))
            await withDiscardingTaskGroup { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        while ContinuousClock.now < end, let index = cursor.next() {
                            let sent = ContinuousClock.now
                            let ok = await send(plan, index)
                            recorder.record(nanos: Self.nanos(sent.duration(to: .now)), ok: ok)
                        }
                    }
                }
            }
        }
    }

    private func measure(_ name: String, load: String, recorder: LatencyRecorder, _ work: () async -> Void) async -> LoadResult {
        let cpu = ProcessStats.cpuSeconds()
        let start = ContinuousClock.now
        await work()
        let seconds = Double(Self.nanos(start.duration(to: .now))) / 1e9
        return LoadResult(
            name: name, load: load, completed: recorder.completed, errors: recorder.errors, seconds: seconds,
            cpuSeconds: ProcessStats.cpuSeconds() - cpu, latency: recorder.summary)
    }

    private func send(_ plan: LoadPlan, _ index: Int) async -> Bool {
        do {
            let response = try await client.execute(plan.request(index), timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            return plan.check(index, response.status, body)
        } catch {
            return false
        }
    }

    static func nanos(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.nanoseconds))
    }

    /// Hands out request indexes to closed-loop clients.
    final class Cursor: Sendable {
        private let position = Locked(0)
        private let limit: Int

        init(limit: Int) {
            self.limit = limit
        }

        func next() -> Int? {
            position.withLock { position in
                guard position < limit else { return nil }
                defer { position += 1 }
                return position
            }
        }
    }
}
