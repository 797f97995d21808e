import GavelCore
import GavelSim
import Testing

@Suite("Benchmark statistics")
struct BenchStatisticsTests {
    @Test func nearestRankPercentiles() {
        let values = Array(1...100)
        #expect(BenchMath.percentile(values, 50) == 50)
        #expect(BenchMath.percentile(values, 99) == 99)
        #expect(BenchMath.percentile(values, 99.5) == 100)
        #expect(BenchMath.percentile(values, 100) == 100)
        #expect(BenchMath.percentile(values, 0) == 1)
        #expect(BenchMath.percentile([7], 99) == 7)
        #expect(BenchMath.percentile([Int](), 50) == nil)
        #expect(BenchMath.percentile([10, 20, 30, 40], 50) == 20)
        #expect(BenchMath.percentile([10, 20, 30, 40], 51) == 30)
    }

    @Test func exactSummaryOfKnownLatencies() {
        // 1,000 samples of 1…1000 ms, in microseconds, shuffled.
        var samples = (1...1_000).map { UInt64($0) * 1_000 }
        samples.reverse()
        let summary = LatencySummary.exact(microseconds: samples)
        #expect(summary.count == 1_000)
        #expect(summary.p50 == 500)
        #expect(summary.p90 == 900)
        #expect(summary.p99 == 990)
        #expect(summary.p999 == 999)
        #expect(summary.max == 1_000)
        #expect(summary.mean == 500.5)
    }

    @Test func ratesAndRatios() {
        #expect(BenchMath.rate(count: 5_000, seconds: 2) == 2_500)
        #expect(BenchMath.rate(count: 5, seconds: 0) == 0)
        #expect(BenchMath.ratio(3, to: 2) == 1.5)
        #expect(BenchMath.ratio(3, to: 0) == nil)
    }

    @Test func openLoopScheduleAndLatencyFromIntendedStart() {
        #expect(BenchMath.intendedStartNanos(index: 0, ratePerSecond: 1_000) == 0)
        #expect(BenchMath.intendedStartNanos(index: 1, ratePerSecond: 1_000) == 1_000_000)
        #expect(BenchMath.intendedStartNanos(index: 3, ratePerSecond: 3) == 1_000_000_000)
        // A request meant for t=10 ms that the generator only sent at t=40 ms and that was
        // answered at t=45 ms took 35 ms, not 5 ms: no coordinated omission.
        #expect(BenchMath.latencyNanos(intendedStart: 10_000_000, finished: 45_000_000) == 35_000_000)
        #expect(BenchMath.latencyNanos(intendedStart: 10, finished: 5) == 0)
    }

    @Test func slopeOfCostOverBuyers() {
        let points: [(x: Double, y: Double)] = [(1, 110), (5, 150), (20, 300), (50, 600)]
        #expect(abs((BenchMath.slope(points) ?? 0) - 10) < 1e-9)
        #expect(BenchMath.slope([(1, 1)]) == nil)
        #expect(BenchMath.slope([(2, 1), (2, 5)]) == nil)
    }

    @Test func loadResultDerivedFigures() {
        let result = LoadResult(
            name: "x", load: "closed 4", completed: 2_000, errors: 3, seconds: 4, cpuSeconds: 6,
            latency: LatencySummary.exact(microseconds: [1_000]))
        #expect(result.rate == 500)
        #expect(result.cpuMicrosPerRequest == 3_000)
        #expect(result.coresBusy == 1.5)
        #expect(result.json["rate_per_s"] == .number(Number(500)))
    }

    @Test func targets() {
        #expect(BenchTarget(name: "p99", measured: 1.8, comparison: .atMost, limit: 2, unit: "×").met)
        #expect(!BenchTarget(name: "p99", measured: 2.1, comparison: .atMost, limit: 2, unit: "×").met)
        #expect(BenchTarget(name: "rate", measured: 5_000, comparison: .atLeast, limit: 5_000, unit: "/s").met)
        #expect(!BenchTarget(name: "rate", measured: 4_999, comparison: .atLeast, limit: 5_000, unit: "/s").met)
    }

    @Test func formatting() {
        #expect(BenchFormat.fixed(3.14159, 2) == "3.14")
        #expect(BenchFormat.fixed(2.005, 0) == "2")
        #expect(BenchFormat.fixed(-0.5, 1) == "-0.5")
        #expect(BenchFormat.fixed(12, 3) == "12.000")
        #expect(BenchFormat.number(1.23456) == .number(Number(text: "1.235")!))
        #expect(BenchFormat.table([["a", "bb"], ["ccc", "d"]]) == "a    bb\n---  --\nccc  d")
    }

    @Test func outcomeArithmetic() {
        var outcome = SimOutcome()
        outcome.record(price: Money(cents: 1_000), payout: Money(cents: 850))
        outcome.record(price: nil, payout: nil)
        outcome.record(price: Money(cents: 2_000), payout: Money(cents: 1_700))
        outcome.record(price: nil, payout: nil)
        #expect(outcome.leads == 4)
        #expect(outcome.sold == 2)
        #expect(outcome.fillRate == 0.5)
        #expect(outcome.sellerRevenue == Money(cents: 2_550))
        #expect(outcome.averagePrice == Money(cents: 1_275))
        #expect(outcome.revenuePerLead == Money(cents: 637))
    }
}
