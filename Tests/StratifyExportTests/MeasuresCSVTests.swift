import Foundation
import StratifyCore
import StratifyExport
import Testing

/// The two measures files from fixed counts: layout, disclosure control, secondary suppression,
/// and statistics computed from the counts each file shows.
@Suite struct MeasuresCSVTests {
    static let definitions = try! MeasureSet.parse(Array("""
        {"measures": [{"name": "m", "label": "test", "numerator": "true", "denominator": "true", "target": 0.6,
          "groupings": ["practice"], "age_standardise": {"min_age": 80}, "source": {"rules": "test"}}]}
        """.utf8), path: "test.json")

    /// Practices P1–P4, P1 and P2 in one PCN, P3 and P4 in another. P1's denominator (3) is
    /// small; the ICB total is 41 of 65. Bands 80-84, 85-89, 90+ on the ICB row.
    static func result() -> MeasureResult {
        let day = Day(iso: "2026-03-31")!
        let rows = [
            MeasureResult.Row(measure: 0, grouping: 0, groups: ["ICB"], numerator: 41, denominator: 65,
                              bandNumerators: [20, 12, 9], bandDenominators: [30, 20, 15]),
            MeasureResult.Row(measure: 0, grouping: 1, groups: ["P1"], numerator: 0, denominator: 3, bandNumerators: [0, 0, 0], bandDenominators: [1, 1, 1]),
            MeasureResult.Row(measure: 0, grouping: 1, groups: ["P2"], numerator: 9, denominator: 9),
            MeasureResult.Row(measure: 0, grouping: 1, groups: ["P3"], numerator: 12, denominator: 13),
            MeasureResult.Row(measure: 0, grouping: 1, groups: ["P4"], numerator: 20, denominator: 40),
        ]
        let zero = (numerator: 0, denominator: 0)
        return MeasureResult(intervalStart: day, intervalEnd: day, definitions: definitions, rows: rows,
                             deciles: [Array(repeating: zero, count: 10)], quintiles: [Array(repeating: zero, count: 5)],
                             practices: ["P1": ("One", "PCN X", "PCN X"), "P2": ("Two", "PCN X", "PCN X"),
                                         "P3": ("Three", "PCN Y", "PCN Y"), "P4": ("Four", "PCN Y", "PCN Y")])
    }

    static func table(_ bytes: [UInt8]) -> [[String: String]] {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    @Test func headerStartsWithEhrQLsMeasuresLayout() {
        let header = String(decoding: MeasuresCSV.render(Self.result(), disclosure: nil), as: UTF8.self).split(separator: "\n")[0]
        #expect(header.hasPrefix("measure,interval_start,interval_end,ratio,numerator,denominator,"))
        #expect(header.contains(",grouping,"))
    }

    @Test func internalCopyHasExactCounts() {
        let rows = Self.table(MeasuresCSV.render(Self.result(), disclosure: nil))
        #expect(rows.map { $0["numerator"]! } == ["41", "0", "9", "12", "20"])
        #expect(rows[1]["practice_name"] == "One")
    }

    @Test func shareableSuppressesSmallCountsAndRoundsTheRest() {
        let rows = Self.table(MeasuresCSV.render(Self.result(), disclosure: DisclosureControl()))
        #expect(rows[1]["denominator"] == "" && rows[1]["suppressed"] == "true")
        #expect(rows[3]["numerator"] == "10" && rows[3]["denominator"] == "15")  // 12 → 10, 13 → 15
    }

    /// §20: disclosure control applies to the numerator and the denominator separately. P1: a
    /// small numerator (3) with a large denominator (200) is suppressed by the numerator alone;
    /// P2: a zero numerator (not 1-7) with a small denominator (4), by the denominator alone;
    /// P3: neither small, each rounded on its own (0 stays 0, 52 → 50).
    @Test func disclosureAppliesToNumeratorAndDenominatorSeparately() {
        let day = Day(iso: "2026-03-31")!
        let zero = (numerator: 0, denominator: 0)
        let rows = [
            MeasureResult.Row(measure: 0, grouping: 0, groups: ["ICB"], numerator: 3, denominator: 256),
            MeasureResult.Row(measure: 0, grouping: 1, groups: ["P1"], numerator: 3, denominator: 200),
            MeasureResult.Row(measure: 0, grouping: 1, groups: ["P2"], numerator: 0, denominator: 4),
            MeasureResult.Row(measure: 0, grouping: 1, groups: ["P3"], numerator: 0, denominator: 52),
        ]
        let result = MeasureResult(intervalStart: day, intervalEnd: day, definitions: Self.definitions, rows: rows,
                                   deciles: [Array(repeating: zero, count: 10)], quintiles: [Array(repeating: zero, count: 5)],
                                   practices: [:])
        let shared = Self.table(MeasuresCSV.render(result, disclosure: DisclosureControl()))
        #expect(shared[1]["suppressed"] == "true" && shared[1]["numerator"] == "" && shared[1]["denominator"] == "")
        #expect(shared[2]["suppressed"] == "true" && shared[2]["denominator"] == "")
        #expect(shared[3]["suppressed"] == "false" && shared[3]["numerator"] == "0" && shared[3]["denominator"] == "50")
    }

    @Test func shareableRatioIsRecomputedFromRoundedCounts() {
        let rows = Self.table(MeasuresCSV.render(Self.result(), disclosure: DisclosureControl()))
        #expect(rows[3]["ratio"] == JSON.format(10.0 / 15.0))
    }

    @Test func withoutSecondarySuppressionOnlyTheSmallCellIsHidden() {
        let rows = Self.table(MeasuresCSV.render(Self.result(), disclosure: DisclosureControl(), secondary: false))
        #expect(rows.map { $0["suppressed"]! } == ["false", "true", "false", "false", "false"])
    }

    @Test func secondarySuppressionHidesTheNextSmallestPractice() {
        // P1's denominator 3 could be recovered as 65 − 9 − 13 − 40; hiding P2 (9) too stops that.
        let rows = Self.table(MeasuresCSV.render(Self.result(), disclosure: DisclosureControl(), secondary: true))
        #expect(rows.map { $0["suppressed"]! } == ["false", "true", "true", "false", "false"])
    }

    @Test func afterSecondarySuppressionNoMarginHidesASmallSum() {
        let r = Self.result()
        let hidden = MeasuresCSV.suppressed(r, control: DisclosureControl(), secondary: true)
        let practices = Array(1...4)
        for column in [\MeasureResult.Row.numerator, \MeasureResult.Row.denominator] {
            let sum = practices.filter { hidden[$0] }.reduce(0) { $0 + r.rows[$1][keyPath: column] }
            #expect(sum == 0 || sum > 7)
        }
    }

    @Test func standardisedRateIsInTheInternalCopyOnly() {
        let exact = Self.table(MeasuresCSV.render(Self.result(), disclosure: nil))
        let shareable = Self.table(MeasuresCSV.render(Self.result(), disclosure: DisclosureControl()))
        // ICB row: 20/30, 12/20, 9/15 with ESP weights 2500, 1500, 1000 (Python, by hand:
        // (2500·20/30 + 1500·12/20 + 1000·9/15) / 5000 × 100000 = 63333.33).
        #expect(abs(Double(exact[0]["dsr_per_100000"]!)! - 63333.333333) < 1e-3)
        #expect(shareable[0]["dsr_per_100000"] == "")
    }

    @Test func fewerThanTenEventsLeaveTheStandardisedRateEmpty() {
        let exact = Self.table(MeasuresCSV.render(Self.result(), disclosure: nil))
        #expect(exact[1]["dsr_per_100000"] == "")
    }

    @Test func funnelLimitsAndVariationOnPracticeRowsOnly() {
        let rows = Self.table(MeasuresCSV.render(Self.result(), disclosure: nil))
        #expect(rows[0]["funnel_998_low"] == "" && rows[0]["variation"] == "")
        // P2: 9 of 9 against 41/65 = 0.6308; the 99.8% upper limit at n = 9 is 1.
        #expect(rows[2]["variation"] == "within")
        #expect(rows[2]["variation_95"] == "high")
        #expect(rows[2]["target"] == "0.6")
    }
}
