import GavelCore
import GavelSim

extension BenchScenarios {
    /// The same sandbox buyers reached natively and through a mapped integration that rebuilds
    /// the native calls member by member: the exchange's CPU per buyer call for each protocol
    /// (the slope of CPU per auction over the buyer counts) and their ratio.
    func fanoutMapped() async throws -> ScenarioReport {
        var runs: [LoadResult] = []
        var points: [Bool: [(x: Double, y: Double)]] = [:]
        for count in knobs.mappedFanout {
            for mapped in [false, true] {
                let run = try await fanoutRun(buyers: count, baseline: false, mapped: mapped)[0]
                runs.append(run)
                points[mapped, default: []].append((Double(count), run.cpuMicrosPerRequest))
            }
        }
        return mappedReport(runs, native: BenchMath.slope(points[false] ?? []), mapped: BenchMath.slope(points[true] ?? []))
    }

    private func mappedReport(_ runs: [LoadResult], native: Double?, mapped: Double?) -> ScenarioReport {
        var report = ScenarioReport(
            name: "fanout-mapped", title: "native versus mapped buyers answering at once (closed \(knobs.fanoutConcurrency))", runs: runs)
        guard let native, let mapped, native > 0 else { return report }
        let ratio = mapped / native
        report.notes.append(
            "CPU per buyer call: native \(BenchFormat.fixed(native, 1)) µs, mapped \(BenchFormat.fixed(mapped, 1)) µs = \(BenchFormat.fixed(ratio, 2))×"
        )
        report.figures = [
            "native_cpu_us_per_call": BenchFormat.number(native), "mapped_cpu_us_per_call": BenchFormat.number(mapped),
            "mapped_to_native": BenchFormat.number(ratio),
        ]
        report.targets.append(
            BenchTarget(
                name: "fanout-mapped: CPU per mapped call / native call", measured: ratio, comparison: .atMost, limit: 1.3, unit: "×"))
        return report
    }
}
