import Foundation
import GavelCore
import GavelSim
import Histogram

/// What the demo's lead stream has done so far: outcomes, seller revenue and latencies, in
/// total and since the last progress line. Shared by the sending tasks behind one lock.
final class DemoTally: @unchecked Sendable {
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

    private let lock = NSLock()
    private var statuses: [String: Int] = [:]
    private var leads = 0
    private var sold = 0
    private var revenue = Money.zero
    private var total = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    private var window = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    private var windowLeads = 0
    private var windowStart = ContinuousClock.now
    let started = ContinuousClock.now

    /// Counts one answered lead: its status (`sold`, `unsold`, … or `http_503`, `error`), the
    /// seller's payout and the latency in microseconds.
    func record(status: String, payout: Money, latencyMicros: UInt64) {
        lock.withLock {
            leads += 1
            windowLeads += 1
            statuses[status, default: 0] += 1
            if status == "sold" {
                sold += 1
                revenue += payout
            }
            _ = total.record(max(1, latencyMicros))
            _ = window.record(max(1, latencyMicros))
        }
    }

    /// A reading, starting a new window.
    func reading() -> Reading {
        lock.withLock {
            let now = ContinuousClock.now
            let seconds = Self.seconds(windowStart.duration(to: now))
            let reading = Reading(
                leads: leads, sold: sold, revenue: revenue, windowLeads: windowLeads, windowSeconds: seconds,
                windowP50: Double(window.valueAtPercentile(50)) / 1_000, windowP99: Double(window.valueAtPercentile(99)) / 1_000,
                errors: leads - (statuses["sold", default: 0] + statuses["unsold", default: 0] + statuses["duplicate", default: 0] + statuses["rejected", default: 0]))
            window.reset()
            windowLeads = 0
            windowStart = now
            return reading
        }
    }

    /// The progress line for a reading.
    func line(_ reading: Reading) -> String {
        let elapsed = Self.seconds(started.duration(to: .now))
        let rate = BenchMath.rate(count: reading.windowLeads, seconds: reading.windowSeconds)
        let soldShare = reading.leads == 0 ? 0 : Double(reading.sold) * 100 / Double(reading.leads)
        let average = reading.sold == 0 ? Money.zero : Money(cents: reading.revenue.cents / Int64(reading.sold))
        return "[\(BenchFormat.fixed(elapsed, 0))s] \(reading.leads) leads  \(BenchFormat.fixed(rate, 1))/s  sold \(BenchFormat.fixed(soldShare, 1))%"
            + "  avg $\(average)  p50 \(BenchFormat.fixed(reading.windowP50, 1)) ms  p99 \(BenchFormat.fixed(reading.windowP99, 1)) ms"
            + (reading.errors > 0 ? "  errors \(reading.errors)" : "")
    }

    /// The closing summary.
    func summary() -> [String] {
        lock.withLock {
            let seconds = Self.seconds(started.duration(to: .now))
            let soldShare = leads == 0 ? 0 : Double(sold) * 100 / Double(leads)
            let average = sold == 0 ? Money.zero : Money(cents: revenue.cents / Int64(sold))
            let perLead = leads == 0 ? Money.zero : Money(cents: revenue.cents / Int64(leads))
            let others = statuses.filter { $0.key != "sold" }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            return [
                "Gavel demo summary (\(BenchFormat.fixed(seconds, 1)) s):",
                "  leads sent      \(leads) (\(BenchFormat.fixed(BenchMath.rate(count: leads, seconds: seconds), 1))/s)",
                "  sold            \(sold) (\(BenchFormat.fixed(soldShare, 1))%)" + (others.isEmpty ? "" : "   " + others.joined(separator: "   ")),
                "  seller revenue  $\(revenue)  (avg $\(average) per sold lead, $\(perLead) per lead)",
                "  latency         p50 \(ms(50)) ms   p99 \(ms(99)) ms   max \(BenchFormat.fixed(Double(total.max) / 1_000, 1)) ms"
                    + "   (seen by the seller, from each lead's scheduled send time)",
            ]
        }
    }

    private func ms(_ percentile: Double) -> String {
        BenchFormat.fixed(Double(total.valueAtPercentile(percentile)) / 1_000, 1)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
