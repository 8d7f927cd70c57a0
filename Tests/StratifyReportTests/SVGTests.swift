import Foundation
@testable import StratifyExport
import StratifyReference
import Testing
@testable import StratifyPipeline

/// The report's chart builders (issue 13): funnel limits that do not flatten, axis labels that
/// say what the tick is, categories that match the prevalence files.
@Suite struct FunnelChartTests {
    func yValues(ofPathWithClass cls: String, in svg: String) throws -> [Double] {
        let marker = "class=\"limit \(cls.split(separator: "-").dropLast().joined(separator: "-")) \(cls)\" d=\""
        let start = try #require(svg.range(of: marker), "no path \(cls)")
        let d = svg[start.upperBound...].prefix { $0 != "\"" }
        return d.split(whereSeparator: { $0 == "M" || $0 == "L" }).compactMap { Double($0.split(separator: ",")[1]) }
    }

    /// A 1% prevalence: the normal-approximation lower limit is 0 (clamped) for small practices.
    /// Drawn, the clamp was a flat line along 0%; now the curve starts where the limit lifts off.
    @Test func lowerLimitIsNotDrawnWhereItIsClampedToZero() throws {
        let points = [50, 400, 3000].map { SVG.FunnelPoint(n: $0, ratio: 0.01, band: .within, title: "p") }
        let svg = SVG.funnel(id: "f", label: "t", points: points, target: 0.01)
        let ys = try yValues(ofPathWithClass: "limit-998-low", in: svg)
        let frame = try #require(SVG.funnelFrame(points: points, target: 0.01))
        #expect(!ys.isEmpty)
        // Every vertex is strictly above the 0% line: none is the clamp.
        #expect(ys.allSatisfy { $0 < frame.y(0) - 0.05 }, "\(ys.max() ?? 0) vs 0% at \(frame.y(0))")
        #expect(PrevalenceStatistics.funnel(target: 0.01, n: 50, z: PrevalenceStatistics.z998)!.low == 0, "the case this test is about")
    }

    @Test func xAxisStartsNearTheSmallestDenominatorNotZero() throws {
        let points = [4000, 6000, 12000].map { SVG.FunnelPoint(n: $0, ratio: 0.14, band: .within, title: "p") }
        let svg = SVG.funnel(id: "f", label: "t", points: points, target: 0.14)
        #expect(!svg.contains(">0</text>"), "no 0 tick on the denominator axis")
        #expect(svg.contains(">4,000</text>") || svg.contains(">5,000</text>"))
    }

    @Test func hoverTextAndAccessibleNameAreThere() {
        let svg = SVG.funnel(id: "funnel-x", label: "Funnel plot of X", points: [SVG.FunnelPoint(n: 100, ratio: 0.2, band: .high998, title: "Practice A (A1): count 20")],
                             target: 0.1)
        #expect(svg.contains("role=\"img\" aria-label=\"Funnel plot of X\""))
        #expect(svg.contains("<title>Funnel plot of X</title>"))
        #expect(svg.contains("<title>Practice A (A1): count 20</title>"))
        #expect(svg.contains("Prevalence (%)") && svg.contains("Denominator ("))
    }

    @Test(arguments: [([0.0, 0.025, 0.05], ["0.0%", "2.5%", "5.0%"]), ([0.1, 0.2], ["10%", "20%"]), ([0.001, 0.002], ["0.1%", "0.2%"])])
    func percentTicksShowEveryTickExactly(ticks: [Double], labels: [String]) {
        #expect(SVG.percentLabels(ticks) == labels)
    }

    @Test func ticksAreRoundNumbersInsideTheRange() {
        #expect(SVG.ticks(0.03, 0.21) == [0.05, 0.1, 0.15, 0.2])
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1000, "1,000"), (1234567, "1,234,567")])
    func thousandsSeparators(value: Int, text: String) {
        #expect(SVG.thousands(value) == text)
    }

    @Test func longDatesSpellTheMonth() {
        #expect(SVG.longDate("2026-03-31") == "31 Mar 2026")
    }
}

@Suite struct FunnelBandTests {
    func row(_ num: Int, _ den: Int, icb: Double) -> Prevalence.Row {
        Prevalence.Row(measure: "m", grouping: .practice, group: "P", numerator: num, denominator: den, icbRatio: icb)
    }

    /// The report's points agree with the prevalence files' `variation` (99.8%) and add the 95% band.
    @Test(arguments: [(200, SVG.Band.high998), (125, .high95), (100, .within), (75, .low95), (50, .low998)])
    func bandFollowsTheLimits(numerator: Int, band: SVG.Band) {
        // ICB 10%, n = 1,000: 95% limits 8.1–11.9%, 99.8% limits 7.1–12.9%.
        #expect(SVG.Band(Prevalence.Shown(row(numerator, 1000, icb: 0.1), disclosure: nil)) == band)
    }
}

@Suite struct MeasureLabelTests {
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reference").path

    /// A reviewer reads words: every shipped measure has a label (a new measure without one
    /// would show its code in the report).
    @Test func everyShippedMeasureHasALabel() throws {
        let reference = try ReferenceData(root: Self.reference)
        let labels = try MeasureLabels.load(reference: reference)
        let measures = try PrevalenceMeasure.load(reference: reference).map(\.name)
        #expect(measures.count >= 22)
        #expect(measures.filter { labels[$0] == nil }.isEmpty, "unlabelled: \(measures.filter { labels[$0] == nil })")
        #expect(labels["reg_hyp"] == "Hypertension register")
    }
}

/// The segment chart's stacked shares and the achievement trend chart (docs/report.md).
@Suite struct SegmentAndTrendChartTests {
    static let categories = [("a", "#000001", "#fff"), ("b", "#000002", "#fff"), ("c", "#000003", "#fff")]

    func widths(_ svg: String) -> [Double] {
        svg.components(separatedBy: "<rect class=\"part\"").dropFirst().compactMap { part in
            part.range(of: "width=\"").flatMap { Double(part[$0.upperBound...].prefix { $0 != "\"" }) }
        }
    }

    @Test func aSuppressedCountHasNoPartAndTheOthersFillTheBar() throws {
        let svg = SVG.stackedShares(id: "s", label: "t", rows: [(name: "N1", values: [30, nil, 10])],
                                    categories: Self.categories, xTitle: "x", yTitle: "y")
        let w = widths(svg)
        #expect(w.count == 2)
        let total: Double = w.reduce(0, +), plot: Double = 820 - 214 - 16
        #expect(abs(total - plot) < 0.2, "shares of the counts shown fill the bar: \(w)")
        #expect(svg.contains("count * (suppressed) in b"))
        #expect(!svg.contains("N1, b:"))
    }

    @Test func eachPartSaysItsCountAndShareOnHover() {
        let svg = SVG.stackedShares(id: "s", label: "t", rows: [(name: "N1", values: [30, 0, 10])],
                                    categories: Self.categories, xTitle: "x", yTitle: "y")
        #expect(svg.contains("<title>N1, a: count 30, 75.0%</title>"))
        #expect(svg.contains("<title>N1, c: count 10, 25.0%</title>"))
        #expect(!svg.contains("N1, b:"), "a zero count draws nothing")
    }

    @Test func aSuppressedRateBreaksTheTrendLine() {
        let svg = SVG.rateTrend(id: "r", label: "t", values: [0.5, nil, 0.6], xLabels: ["d1", "d2", "d3"], target: 0.8, yTitle: "y")
        #expect(svg.components(separatedBy: "<circle class=\"pt\"").count - 1 == 2)
        #expect(svg.contains("d2: suppressed"))
        let path = svg.components(separatedBy: "class=\"series\" d=\"")[1].prefix { $0 != "\"" }
        #expect(path.filter { $0 == "M" }.count == 2, "the line lifts its pen over the suppressed run: \(path)")
    }

    @Test func theTrendAxisStartsAtZeroAndHoldsTheTarget() throws {
        let svg = SVG.rateTrend(id: "r", label: "t", values: [0.5], xLabels: ["d1"], target: 0.8, yTitle: "y")
        #expect(svg.contains(">0%</text>"))
        #expect(svg.contains("target 80%"))
    }
}
