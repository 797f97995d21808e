import Foundation
import GavelCore
import Testing

@testable import GavelServer

@Suite("Dashboard: SVG charts")
struct DashboardChartTests {
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func scalesUseRoundStepsAndIncludeZero() {
        #expect(ChartScale.niceStep(1) == 1)
        #expect(ChartScale.niceStep(3) == 5)
        #expect(ChartScale.niceStep(7) == 10)
        #expect(ChartScale.niceStep(11) == 20)
        #expect(ChartScale.niceStep(260) == 500)
        let scale = ChartScale(covering: [0, 120, 370])
        #expect(scale.step == 100)
        #expect(scale.low == 0)
        #expect(scale.high == 400)
        #expect(scale.ticks == [0, 100, 200, 300, 400])
        let signed = ChartScale(covering: [-130, 250])
        #expect(signed.low == -200)
        #expect(signed.high == 300)
        #expect(signed.fraction(-200) == 0)
        #expect(signed.fraction(300) == 1)
        #expect(ChartScale(covering: []).high > 0, "an empty scale still has a range")
    }

    @Test func barChartsDrawOneBarPerNonZeroValueWithTooltips() {
        let chart = BarChart(
            id: "hours", title: "Leads by hour", labels: ["10:00", "11:00", "12:00"],
            series: [ChartSeries("Leads", [4, 0, 9]), ChartSeries("Sold", [3, 0, 7])])
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-hours-title\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains("<title id=\"chart-hours-title\">Leads by hour</title>"))
        #expect(Self.count("<rect class=\"bar", in: svg) == 4)
        #expect(svg.contains("<title>12:00 · Leads: 9</title>"))
        #expect(Self.count("class=\"swatch", in: svg) == 2, "a legend for two series")
        #expect(!svg.contains("style="), "no inline styles (the CSP allows none)")
    }

    @Test func barsOfNegativeValuesHangBelowTheZeroLine() {
        let svg = BarChart(id: "m", title: "Margin", labels: ["a", "b"], series: [ChartSeries("Margin", [-500, 1_000])], unit: .money).svg()
        #expect(svg.contains("class=\"grid zero\""))
        #expect(svg.contains("<title>a · Margin: -$5</title>"))
        #expect(svg.contains(">$10<"), "money ticks in whole dollars")
    }

    @Test func lineChartsDrawAPolylineAndADotPerPoint() {
        let svg = LineChart(
            id: "money", title: "Revenue", labels: ["1", "2", "3", "4"], series: [ChartSeries("Revenue", [0, 12_50, 99_99, 1_234_56])],
            unit: .money
        ).svg()
        #expect(Self.count("<polyline", in: svg) == 1)
        #expect(Self.count("<circle", in: svg) == 4)
        #expect(svg.contains("Revenue: $1,234.56"))
        #expect(Self.count("class=\"swatch", in: svg) == 0, "no legend for one series")
    }

    @Test func everyTextIsEscaped() {
        let label = "<script>alert(\"x\")</script> & 'co'"
        let svg = BarChart(id: "x\"><svg", title: label, labels: [label], series: [ChartSeries(label, [1])]).svg()
        #expect(!svg.contains("<script>"))
        #expect(!svg.contains("x\"><svg"))
        #expect(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"))
    }

    @Test func emptyChartsSaySo() {
        #expect(BarChart(id: "e", title: "Nothing", labels: [], series: []).svg().contains("No data yet"))
        #expect(LineChart(id: "z", title: "Zeros", labels: ["a"], series: [ChartSeries("s", [0])]).svg().contains("No data yet"))
        #expect(Histogram(id: "h", title: "None", values: []).bins.isEmpty)
    }

    @Test func categoryLabelsAreThinnedAndShortened() {
        let labels = (0..<24).map { "hour \($0)" }
        let svg = BarChart(id: "d", title: "Day", labels: labels, series: [ChartSeries("n", Array(repeating: 1, count: 24))]).svg()
        #expect(Self.count("class=\"category\"", in: svg) == 12)
        let long = BarChart(id: "l", title: "Long", labels: ["a-very-long-source-name"], series: [ChartSeries("n", [1])]).svg()
        #expect(long.contains(">a-very-long-s…<"))
        #expect(long.contains("a-very-long-source-name · n: 1"), "the tooltip keeps the whole label")
    }

    @Test func histogramsCountValuesIntoRoundBins() {
        let prices: [Int64] = [1_000, 1_250, 1_499, 1_500, 2_210, 3_999, 4_000]
        let histogram = Histogram(id: "p", title: "Prices", values: prices, binCount: 6, unit: .money)
        let bins = histogram.bins
        #expect(bins.first?.lower == 1_000)
        #expect(bins.map { $0.upper - $0.lower }.allSatisfy { $0 == 500 })
        #expect(bins.map(\.count).reduce(0, +) == prices.count)
        #expect(bins[0].count == 3, "10.00, 12.50 and 14.99")
        #expect(bins.last?.count == 1, "40.00 in the last bin")
        #expect(histogram.label(bins[0]) == "$10–$15")
        #expect(Self.count("<rect class=\"bar", in: histogram.svg()) == bins.filter { $0.count > 0 }.count)
        let cents = Histogram(id: "c", title: "Small", values: [5, 7, 12], binCount: 3, unit: .money)
        #expect(cents.label(cents.bins[0]) == "$0.04–$0.06")
        #expect(cents.bins.map(\.count) == [1, 1, 0, 0, 1])
    }

    @Test func coordinatesHaveOneDecimal() {
        #expect(ChartCanvas.number(12.345) == "12.3")
        #expect(ChartCanvas.number(-0.25) == "-0.3")
        #expect(ChartCanvas.number(100) == "100.0")
    }
}
