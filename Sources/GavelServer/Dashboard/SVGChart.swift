import Foundation
import GavelCore

/// What a chart's values count: plain numbers, or money in integer cents.
enum ChartUnit: Sendable, Hashable {
    /// Counts (leads, bids, milliseconds).
    case count
    /// Money in cents.
    case money

    /// An axis or tooltip label for a value.
    func label(_ value: Int64) -> String {
        switch self {
        case .count: DashboardFormat.count(value)
        case .money: DashboardFormat.money(Money(cents: value), wholeDollars: value % 100 == 0)
        }
    }
}

/// One named row of values in a chart, drawn in one of four tones.
struct ChartSeries: Sendable, Hashable {
    /// The legend's name.
    var name: String
    /// One value per label.
    var values: [Int64]

    /// Creates a series.
    init(_ name: String, _ values: [Int64]) {
        self.name = name
        self.values = values
    }
}

/// The drawing area shared by the charts, in SVG user units (the SVG scales to its box).
struct ChartFrame: Sendable, Hashable {
    /// Total width.
    var width = 640
    /// Total height.
    var height = 220
    /// Room left of the plot for the value axis.
    var left = 64
    /// Room right of the plot.
    var right = 12
    /// Room above the plot for the legend.
    var top = 24
    /// Room below the plot for the category labels.
    var bottom = 30

    /// The plot's width.
    var plotWidth: Double { Double(width - left - right) }
    /// The plot's height.
    var plotHeight: Double { Double(height - top - bottom) }
}

/// A value axis from `low` to `high` (both multiples of `step`, `low` ≤ 0 ≤ `high`), in
/// integers so money axes land on whole cents.
struct ChartScale: Sendable, Hashable {
    /// The lowest tick.
    var low: Int64
    /// The highest tick.
    var high: Int64
    /// The distance between ticks.
    var step: Int64

    /// A scale with about `ticks` round steps (1, 2 or 5 × 10ⁿ) covering the values and zero.
    init(covering values: [Int64], ticks: Int64 = 4) {
        let top = max(values.max() ?? 0, 0)
        let bottom = min(values.min() ?? 0, 0)
        let step = Self.niceStep(max(1, (top - bottom + ticks - 1) / ticks))
        self.step = step
        high = max(step, Self.roundUp(top, step))
        low = -Self.roundUp(-bottom, step)
    }

    /// The smallest of 1, 2 or 5 × 10ⁿ that is at least `raw`.
    static func niceStep(_ raw: Int64) -> Int64 {
        var magnitude: Int64 = 1
        while magnitude <= raw / 10 { magnitude *= 10 }
        for factor: Int64 in [1, 2, 5, 10] where factor * magnitude >= raw { return factor * magnitude }
        return 10 * magnitude
    }

    private static func roundUp(_ value: Int64, _ step: Int64) -> Int64 {
        (value + step - 1) / step * step
    }

    /// The ticks from low to high.
    var ticks: [Int64] { Array(stride(from: low, through: high, by: Int(step))) }

    /// Where a value falls, 0 at `low` and 1 at `high`.
    func fraction(_ value: Int64) -> Double {
        Double(value - low) / Double(max(1, high - low))
    }
}

/// A chart of series over labels: an axis, the categories, each series drawn its way, a legend.
protocol SeriesChart {
    /// An id unique on the page (for the accessible title).
    var id: String { get }
    /// The chart's title, read by screen readers.
    var title: String { get }
    /// The label of each category or point.
    var labels: [String] { get }
    /// The series.
    var series: [ChartSeries] { get }
    /// What the values count.
    var unit: ChartUnit { get }
    /// The drawing area.
    var frame: ChartFrame { get }
    /// Draws one series (its position among them is `index`, its tone too).
    func draw(_ series: ChartSeries, _ index: Int, _ scale: ChartScale, _ canvas: inout ChartCanvas)
}

extension SeriesChart {
    /// The chart as an SVG element; every text in it is escaped.
    func svg() -> String {
        var canvas = ChartCanvas(id: id, title: title, frame: frame, summary: ChartCanvas.summary(labels, series, unit))
        guard !labels.isEmpty, series.contains(where: { $0.values.contains { $0 != 0 } }) else { return canvas.empty() }
        let scale = ChartScale(covering: series.flatMap(\.values))
        canvas.axis(scale, unit: unit)
        canvas.categories(labels)
        for (index, series) in series.enumerated() { draw(series, index, scale, &canvas) }
        canvas.legend(series.map(\.name))
        return canvas.finish()
    }
}

/// Grouped vertical bars: one group per label, one bar per series.
struct BarChart: SeriesChart, Sendable, Hashable {
    /// An id unique on the page (for the accessible title).
    var id: String
    /// The chart's title, read by screen readers.
    var title: String
    /// The category under each group.
    var labels: [String]
    /// The series (at most four are told apart by tone).
    var series: [ChartSeries]
    /// What the values count.
    var unit: ChartUnit = .count
    /// The drawing area.
    var frame = ChartFrame()

    func draw(_ series: ChartSeries, _ index: Int, _ scale: ChartScale, _ canvas: inout ChartCanvas) {
        let group = frame.plotWidth / Double(labels.count)
        let width = min(group * 0.8 / Double(self.series.count), 48)
        let inset = (group - width * Double(self.series.count)) / 2
        let zero = canvas.y(0, scale)
        for (slot, value) in series.values.prefix(labels.count).enumerated() where value != 0 {
            let x = Double(frame.left) + group * Double(slot) + inset + width * Double(index)
            let y = canvas.y(value, scale)
            let tip = "\(labels[slot]) · \(series.name): \(unit.label(value))"
            canvas.rect(x: x, y: min(y, zero), width: width, height: abs(zero - y), tone: index, tip: tip)
        }
    }
}

/// Lines over a sequence of labels (e.g. hours), one per series, with a dot per point.
struct LineChart: SeriesChart, Sendable, Hashable {
    /// An id unique on the page.
    var id: String
    /// The chart's title.
    var title: String
    /// The label of each point.
    var labels: [String]
    /// The series.
    var series: [ChartSeries]
    /// What the values count.
    var unit: ChartUnit = .count
    /// The drawing area.
    var frame = ChartFrame()

    func draw(_ series: ChartSeries, _ index: Int, _ scale: ChartScale, _ canvas: inout ChartCanvas) {
        let step = frame.plotWidth / Double(labels.count)
        let points = series.values.prefix(labels.count).enumerated().map { slot, value in
            (x: Double(frame.left) + step * (Double(slot) + 0.5), y: canvas.y(value, scale), value: value, slot: slot)
        }
        canvas.polyline(points.map { ($0.x, $0.y) }, tone: index)
        for point in points {
            canvas.dot(x: point.x, y: point.y, tone: index, tip: "\(labels[point.slot]) · \(series.name): \(unit.label(point.value))")
        }
    }
}

/// How values spread over round-width bins, drawn as bars.
struct Histogram: Sendable, Hashable {
    /// One bin: values in `lower..<upper`.
    struct Bin: Sendable, Hashable {
        /// The bin's first value.
        var lower: Int64
        /// The first value past the bin.
        var upper: Int64
        /// How many values fall in it.
        var count: Int
    }

    /// An id unique on the page.
    var id: String
    /// The chart's title.
    var title: String
    /// The values to count.
    var values: [Int64]
    /// About how many bins to use.
    var binCount: Int = 10
    /// What the values measure.
    var unit: ChartUnit = .count
    /// The drawing area.
    var frame = ChartFrame()

    /// The bins: round widths (1, 2 or 5 × 10ⁿ, at least the range ÷ `binCount`) from the
    /// smallest value to the largest.
    var bins: [Bin] {
        guard let low = values.min(), let high = values.max() else { return [] }
        let width = ChartScale.niceStep(max(1, (high - low) / Int64(max(1, binCount))))
        let start = Self.floor(low, width)
        let count = Int((high - start) / width) + 1
        var bins = (0..<count).map { Bin(lower: start + Int64($0) * width, upper: start + Int64($0 + 1) * width, count: 0) }
        for value in values { bins[Int((value - start) / width)].count += 1 }
        return bins
    }

    private static func floor(_ value: Int64, _ step: Int64) -> Int64 {
        value >= 0 ? value / step * step : -((-value + step - 1) / step * step)
    }

    /// The label of a bin, e.g. `$10–$15`.
    func label(_ bin: Bin) -> String {
        "\(unit.label(bin.lower))–\(unit.label(bin.upper))"
    }

    /// The chart as an SVG element.
    func svg() -> String {
        let bins = bins
        let chart = BarChart(
            id: id, title: title, labels: bins.map(label), series: [ChartSeries("count", bins.map { Int64($0.count) })], unit: .count,
            frame: frame)
        return chart.svg()
    }
}

/// Writes the SVG markup of a chart: escapes every text it is given, and draws with classes
/// (styled by the dashboard's CSS file) and presentation attributes only, never `style`.
struct ChartCanvas {
    let id: String
    let title: String
    let frame: ChartFrame
    let summary: String
    private var parts: [String] = []

    /// Starts a chart.
    init(id: String, title: String, frame: ChartFrame, summary: String) {
        self.id = id
        self.title = title
        self.frame = frame
        self.summary = summary
    }

    /// A one-sentence description of the data for screen readers.
    static func summary(_ labels: [String], _ series: [ChartSeries], _ unit: ChartUnit) -> String {
        guard let first = labels.first, let last = labels.last else { return "No data." }
        let totals = series.map { "\($0.name) from \(unit.label($0.values.min() ?? 0)) to \(unit.label($0.values.max() ?? 0))" }
        return "\(labels.count) points from \(first) to \(last): " + totals.joined(separator: "; ") + "."
    }

    /// The vertical position of a value.
    func y(_ value: Int64, _ scale: ChartScale) -> Double {
        Double(frame.top) + frame.plotHeight * (1 - scale.fraction(value))
    }

    /// Grid lines and value labels.
    mutating func axis(_ scale: ChartScale, unit: ChartUnit) {
        let right = frame.width - frame.right
        for tick in scale.ticks {
            let y = Self.number(y(tick, scale))
            parts.append(#"<line class="grid\#(tick == 0 ? " zero" : "")" x1="\#(frame.left)" x2="\#(right)" y1="\#(y)" y2="\#(y)"/>"#)
            parts.append(
                #"<text class="tick" x="\#(frame.left - 6)" y="\#(y)" text-anchor="end" dominant-baseline="middle">\#(Self.escape(unit.label(tick)))</text>"#
            )
        }
    }

    /// Category labels under the plot, thinned to about twelve so they never overlap.
    mutating func categories(_ labels: [String]) {
        let step = frame.plotWidth / Double(labels.count)
        let every = max(1, (labels.count + 11) / 12)
        let y = frame.height - frame.bottom + 16
        for (slot, label) in labels.enumerated() where slot % every == 0 {
            let x = Self.number(Double(frame.left) + step * (Double(slot) + 0.5))
            let text = label.count > 14 ? String(label.prefix(13)) + "…" : label
            parts.append(#"<text class="category" x="\#(x)" y="\#(y)" text-anchor="middle">\#(Self.escape(text))</text>"#)
        }
    }

    /// A bar with a tooltip.
    mutating func rect(x: Double, y: Double, width: Double, height: Double, tone: Int, tip: String) {
        let box =
            #"x="\#(Self.number(x))" y="\#(Self.number(y))" width="\#(Self.number(width))" height="\#(Self.number(max(height, 0.5)))""#
        parts.append(#"<rect class="bar tone\#(tone % 4)" \#(box)><title>\#(Self.escape(tip))</title></rect>"#)
    }

    /// A line through points.
    mutating func polyline(_ points: [(Double, Double)], tone: Int) {
        let text = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
        parts.append(#"<polyline class="line tone\#(tone % 4)" fill="none" points="\#(text)"/>"#)
    }

    /// A point with a tooltip.
    mutating func dot(x: Double, y: Double, tone: Int, tip: String) {
        parts.append(
            #"<circle class="dot tone\#(tone % 4)" cx="\#(Self.number(x))" cy="\#(Self.number(y))" r="3"><title>\#(Self.escape(tip))</title></circle>"#
        )
    }

    /// A legend along the top, when there is more than one series.
    mutating func legend(_ names: [String]) {
        guard names.count > 1 else { return }
        var x = frame.left
        for (index, name) in names.enumerated() {
            parts.append(#"<rect class="swatch tone\#(index % 4)" x="\#(x)" y="6" width="10" height="10"/>"#)
            parts.append(#"<text class="legend" x="\#(x + 14)" y="15">\#(Self.escape(name))</text>"#)
            x += 24 + 7 * name.count
        }
    }

    /// The chart's markup.
    func finish() -> String {
        let titleID = "chart-\(Self.escape(id))-title"
        return
            #"<svg class="chart" role="img" aria-labelledby="\#(titleID)" viewBox="0 0 \#(frame.width) \#(frame.height)" xmlns="http://www.w3.org/2000/svg">"#
            + #"<title id="\#(titleID)">\#(Self.escape(title))</title><desc>\#(Self.escape(summary))</desc>"#
            + parts.joined() + "</svg>"
    }

    /// A chart with nothing to draw yet.
    mutating func empty() -> String {
        parts = [
            #"<text class="empty" x="\#(frame.width / 2)" y="\#(frame.height / 2)" text-anchor="middle">No data yet</text>"#
        ]
        return finish()
    }

    /// A coordinate with one decimal.
    static func number(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }

    /// Text made safe inside SVG/XML elements and attributes.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
