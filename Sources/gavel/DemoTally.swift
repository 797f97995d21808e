import GavelCore
import GavelSim
import Histogram

/// What the demo's lead stream has done so far: outcomes, seller revenue and latencies, in
/// total and since the last progress line. Shared by the sending tasks behind one lock.
final class DemoTally: Sendable {
    /// One progress reading.
    struct Reading {
        var leads: Int
        var sold: Int
        var revenue: Money
        var windowLeads: Int
        var windowSeconds: Double
        var windowP50: Double
        var windowP99: Double
        var errors: Int
    }

    private struct State: Sendable {
        var statuses: [String: Int] = [:]
        var leads = 0
        var sold = 0
        var revenue = Money.zero
        var total = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var window = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var windowLeads = 0
        var windowStart = ContinuousClock.now
    }

    private let state = Locked(State())
    let started = ContinuousClock.now

    /// Counts one answered lead: its status (`sold`, `unsold`, … or `http_503`, `error`), the
    /// seller's payout and the latency in microseconds.
    func record(status: String, payout: Money, latencyMicros: UInt64) {
        state.withLock { state in
            state.leads += 1
            state.windowLeads += 1
            state.statuses[status, default: 0] += 1
            if status == "sold" {
                state.sold += 1
                state.revenue += payout
            }
            _ = state.total.record(max(1, latencyMicros))
            _ = state.window.record(max(1, latencyMicros))
        }
    }

    /// A reading, starting a new window.
    func reading() -> Reading {
        state.withLock { state in
            let now = ContinuousClock.now
            let seconds = state.windowStart.duration(to: now).seconds
            let reading = Reading(
                leads: state.leads, sold: state.sold, revenue: state.revenue, windowLeads: state.windowLeads, windowSeconds: seconds,
                windowP50: Double(state.window.valueAtPercentile(50)) / 1_000,
                windowP99: Double(state.window.valueAtPercentile(99)) / 1_000,
                errors: state.leads
                    - (state.statuses["sold", default: 0] + state.statuses["unsold", default: 0] + state.statuses["duplicate", default: 0]
                        + state.statuses["rejected", default: 0]))
            state.window.reset()
            state.windowLeads = 0
            state.windowStart = now
            return reading
        }
    }

    /// The progress line for a reading.
    func line(_ reading: Reading) -> String {
        let elapsed = started.duration(to: .now).seconds
        let rate = BenchMath.rate(count: reading.windowLeads, seconds: reading.windowSeconds)
        let soldShare = reading.leads == 0 ? 0 : Double(reading.sold) * 100 / Double(reading.leads)
        let average = reading.sold == 0 ? Money.zero : Money(cents: reading.revenue.cents / Int64(reading.sold))
        return
            "[\(BenchFormat.fixed(elapsed, 0))s] \(reading.leads) leads  \(BenchFormat.fixed(rate, 1))/s  sold \(BenchFormat.fixed(soldShare, 1))%"
            + "  avg $\(average)  p50 \(BenchFormat.fixed(reading.windowP50, 1)) ms  p99 \(BenchFormat.fixed(reading.windowP99, 1)) ms"
            + (reading.errors > 0 ? "  errors \(reading.errors)" : "")
    }

    /// The closing summary.
    func summary() -> [String] {
        state.withLock { state in
            let (leads, sold, revenue, total) = (state.leads, state.sold, state.revenue, state.total)
            let seconds = started.duration(to: .now).seconds
            let soldShare = leads == 0 ? 0 : Double(sold) * 100 / Double(leads)
            let average = sold == 0 ? Money.zero : Money(cents: revenue.cents / Int64(sold))
            let perLead = leads == 0 ? Money.zero : Money(cents: revenue.cents / Int64(leads))
            let others = state.statuses.filter { $0.key != "sold" }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            return [
                "Gavel demo summary (\(BenchFormat.fixed(seconds, 1)) s):",
                "  leads sent      \(leads) (\(BenchFormat.fixed(BenchMath.rate(count: leads, seconds: seconds), 1))/s)",
                "  sold            \(sold) (\(BenchFormat.fixed(soldShare, 1))%)"
                    + (others.isEmpty ? "" : "   " + others.joined(separator: "   ")),
                "  seller revenue  $\(revenue)  (avg $\(average) per sold lead, $\(perLead) per lead)",
                "  latency         p50 \(Self.ms(total, 50)) ms   p99 \(Self.ms(total, 99)) ms   max \(BenchFormat.fixed(Double(total.max) / 1_000, 1)) ms"
                    + "   (seen by the seller, from each lead's scheduled send time)",
            ]
        }
    }

    private static func ms(_ histogram: Histogram<UInt64>, _ percentile: Double) -> String {
        BenchFormat.fixed(Double(histogram.valueAtPercentile(percentile)) / 1_000, 1)
    }
}
