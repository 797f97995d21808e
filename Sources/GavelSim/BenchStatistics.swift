import GavelCore

/// The arithmetic of `gavel bench`, as pure functions so it can be tested on known inputs:
/// percentiles, rates, ratios, the open-loop schedule and marginal costs.
public enum BenchMath {
    /// The nearest-rank percentile of ascending values: the smallest value such that at least
    /// `percentile`% of the values are at or below it (HdrHistogram's definition, without its
    /// bucketing); `nil` for no values. `percentile` is clamped to 0...100; 0 gives the minimum.
    public static func percentile<T: Comparable>(_ sorted: [T], _ percentile: Double) -> T? {
        guard !sorted.isEmpty else { return nil }
        let p = min(max(percentile, 0), 100)
        // Nearest rank in integers (p in thousandths of a percent), so 99.9 % of 1,000 is rank
        // 999 exactly, not 1,000 from floating-point noise.
        let thousandths = Int((p * 1_000).rounded())
        let rank = (thousandths * sorted.count + 99_999) / 100_000
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Events per second; 0 when no time passed.
    public static func rate(count: Int, seconds: Double) -> Double {
        seconds > 0 ? Double(count) / seconds : 0
    }

    /// `value / baseline`; `nil` when the baseline is not positive.
    public static func ratio(_ value: Double, to baseline: Double) -> Double? {
        baseline > 0 ? value / baseline : nil
    }

    /// When request `index` of an open-loop run at `ratePerSecond` is meant to be sent, in
    /// nanoseconds after the run's start. Latency is measured from this time, not from when the
    /// request actually left, so a stalled server cannot hide its stall (no coordinated omission).
    public static func intendedStartNanos(index: Int, ratePerSecond: Double) -> UInt64 {
        guard ratePerSecond > 0 else { return 0 }
        return UInt64((Double(index) * 1_000_000_000 / ratePerSecond).rounded())
    }

    /// A request's latency measured from its intended start (0 if it somehow finished first).
    public static func latencyNanos(intendedStart: UInt64, finished: UInt64) -> UInt64 {
        finished > intendedStart ? finished - intendedStart : 0
    }

    /// The least-squares slope of `y` over `x` (e.g. CPU per auction over the number of buyers:
    /// the cost of one more buyer); `nil` with fewer than two distinct `x`.
    public static func slope(_ points: [(x: Double, y: Double)]) -> Double? {
        guard points.count >= 2 else { return nil }
        let n = Double(points.count)
        let meanX = points.map(\.x).reduce(0, +) / n
        let meanY = points.map(\.y).reduce(0, +) / n
        let sxx = points.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
        guard sxx > 0 else { return nil }
        return points.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +) / sxx
    }
}

/// Latency percentiles of one measured run, in milliseconds.
public struct LatencySummary: Sendable, Hashable {
    /// Samples.
    public var count: Int
    /// Median.
    public var p50: Double
    /// 90th percentile.
    public var p90: Double
    /// 99th percentile.
    public var p99: Double
    /// 99.9th percentile.
    public var p999: Double
    /// Largest.
    public var max: Double
    /// Mean.
    public var mean: Double

    /// Creates a summary.
    public init(count: Int, p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
    }

    /// The exact summary of latencies given in microseconds (nearest-rank percentiles).
    public static func exact(microseconds samples: [UInt64]) -> LatencySummary {
        let sorted = samples.sorted()
        func ms(_ p: Double) -> Double { Double(BenchMath.percentile(sorted, p) ?? 0) / 1_000 }
        let mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1_000
        return LatencySummary(
            count: sorted.count, p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9), max: Double(sorted.last ?? 0) / 1_000,
            mean: mean)
    }

    /// The wire form.
    public var json: JSONValue {
        [
            "count": .number(Number(count)), "p50_ms": BenchFormat.number(p50), "p90_ms": BenchFormat.number(p90),
            "p99_ms": BenchFormat.number(p99), "p999_ms": BenchFormat.number(p999), "max_ms": BenchFormat.number(max),
            "mean_ms": BenchFormat.number(mean),
        ]
    }
}

/// One measured run: how many requests finished in how long, at what latency and CPU cost.
public struct LoadResult: Sendable, Hashable {
    /// What was measured, e.g. `POST /v1/leads`.
    public var name: String
    /// How it was driven, e.g. `open 1000/s` or `closed 64`.
    public var load: String
    /// Requests answered with the expected status.
    public var completed: Int
    /// Requests that failed or got an unexpected status.
    public var errors: Int
    /// Wall-clock seconds of the run.
    public var seconds: Double
    /// Process CPU seconds (user + system) spent during the run.
    public var cpuSeconds: Double
    /// The latencies.
    public var latency: LatencySummary

    /// Creates a result.
    public init(name: String, load: String, completed: Int, errors: Int, seconds: Double, cpuSeconds: Double, latency: LatencySummary) {
        self.name = name
        self.load = load
        self.completed = completed
        self.errors = errors
        self.seconds = seconds
        self.cpuSeconds = cpuSeconds
        self.latency = latency
    }

    /// Completed requests per second.
    public var rate: Double { BenchMath.rate(count: completed, seconds: seconds) }

    /// CPU microseconds per completed request (the whole process: exchange, sandbox and load generator).
    public var cpuMicrosPerRequest: Double { completed == 0 ? 0 : cpuSeconds * 1_000_000 / Double(completed) }

    /// Cores kept busy on average.
    public var coresBusy: Double { seconds > 0 ? cpuSeconds / seconds : 0 }

    /// The wire form.
    public var json: JSONValue {
        [
            "name": .string(name), "load": .string(load), "completed": .number(Number(completed)), "errors": .number(Number(errors)),
            "seconds": BenchFormat.number(seconds), "rate_per_s": BenchFormat.number(rate), "cpu_seconds": BenchFormat.number(cpuSeconds),
            "cpu_us_per_request": BenchFormat.number(cpuMicrosPerRequest), "cores_busy": BenchFormat.number(coresBusy),
            "latency": latency.json,
        ]
    }
}

/// A performance target and whether a run met it.
public struct BenchTarget: Sendable, Hashable {
    /// Which way the limit goes.
    public enum Comparison: String, Sendable, Hashable {
        /// The measured value must be at most the limit.
        case atMost = "<="
        /// The measured value must be at least the limit.
        case atLeast = ">="
    }

    /// What the target is, e.g. `/v1/leads p99 vs bare round trip`.
    public var name: String
    /// The measured value.
    public var measured: Double
    /// The limit.
    public var limit: Double
    /// Which way.
    public var comparison: Comparison
    /// The unit, e.g. `×` or `leads/s`.
    public var unit: String

    /// Creates a target.
    public init(name: String, measured: Double, comparison: Comparison, limit: Double, unit: String) {
        self.name = name
        self.measured = measured
        self.limit = limit
        self.comparison = comparison
        self.unit = unit
    }

    /// Whether the measurement meets the target.
    public var met: Bool {
        switch comparison {
        case .atMost: measured <= limit
        case .atLeast: measured >= limit
        }
    }

    /// The wire form.
    public var json: JSONValue {
        [
            "name": .string(name), "measured": BenchFormat.number(measured), "comparison": .string(comparison.rawValue),
            "limit": BenchFormat.number(limit), "unit": .string(unit), "met": .bool(met),
        ]
    }
}

/// Number and table formatting for bench output.
public enum BenchFormat {
    /// A double as a JSON number with at most three decimals.
    public static func number(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        return .number(Number(significand: Int64((value * 1_000).rounded()), exponent: -3))
    }

    /// A double with a fixed number of decimals, e.g. `fixed(3.14159, 2)` is `3.14`.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "—" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let whole = scaled / Int64(scale)
        let fraction = String(scaled % Int64(scale))
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// Rows as a text table with columns padded to their widest cell; the first row is the header.
    public static func table(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        var lines: [String] = []
        for (index, row) in rows.enumerated() {
            let cells = row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            lines.append(cells.joined(separator: "  ").trimmingTrailingSpaces)
            if index == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
