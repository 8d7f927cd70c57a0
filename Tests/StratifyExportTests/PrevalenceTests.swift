import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference
import Testing

@Suite struct PrevalenceStatisticsTests {
    @Test func wilsonFiveOfTen() throws {
        let ci = try #require(PrevalenceStatistics.wilson(5, 10))
        #expect(abs(ci.low - 0.236593) < 1e-6)
        #expect(abs(ci.high - 0.763407) < 1e-6)
    }

    @Test func wilsonZeroOfTenStartsAtZero() throws {
        let ci = try #require(PrevalenceStatistics.wilson(0, 10))
        #expect(ci.low == 0)
        #expect(abs(ci.high - 0.277533) < 1e-6)
    }

    @Test func wilsonUndefinedForEmptyDenominator() {
        #expect(PrevalenceStatistics.wilson(0, 0) == nil)
    }

    @Test func funnelLimitsAroundTarget() throws {
        let f = try #require(PrevalenceStatistics.funnel(target: 0.5, n: 100, z: PrevalenceStatistics.z95))
        #expect(abs(f.low - (0.5 - 1.959964 * 0.05)) < 1e-6)
        #expect(abs(f.high - (0.5 + 1.959964 * 0.05)) < 1e-6)
    }
}

@Suite struct DisclosureControlTests {
    let dc = DisclosureControl()

    @Test(arguments: [(0, 0), (8, 10), (12, 10), (13, 15), (100, 100), (102, 100), (103, 105)])
    func roundsToNearestFive(count: Int, shown: Int) {
        #expect(dc.apply(count) == shown)
    }

    @Test(arguments: [1, 2, 7])
    func suppressesOneToSeven(count: Int) {
        #expect(dc.apply(count) == nil)
    }

    @Test func thresholdAndMultipleAreConfigurable() {
        let strict = DisclosureControl(threshold: 10, multiple: 10)
        #expect(strict.apply(10) == nil)
        #expect(strict.apply(14) == 10)
    }
}

@Suite struct PrevalenceGroupingTests {
    // Six patients: a-c at practice X, d-f at Y; f is 10 (below the 17+ denominator age);
    // a, b, d have the condition; e is outside the population.
    func sample(_ measure: PrevalenceMeasure) throws -> Prevalence {
        let flag: [UInt8] = [1, 1, 0, 1, 0, 1]
        return try Prevalence(
            measures: [measure], columns: ["reg_x": .bool(flag), "imd_decile": .int([1, 2, 9, Column.nullInt, 3, 4])],
            inPopulation: [true, true, true, true, false, true], age: [40, 50, 60, 70, 80, 10],
            practiceOf: ["X", "X", "X", "Y", "Y", "Y"], imdQuintile: [1, 1, 5, Column.nullInt, 2, 2],
            ethnicCategory: Array("AAMZ\0B".utf8), practices: [:])
    }

    func row(_ p: Prevalence, _ g: Prevalence.Grouping, _ group: String) -> Prevalence.Row? {
        p.rows.first { $0.grouping == g && $0.group == group }
    }

    @Test func practiceAndICBCountsUseTheDenominatorAge() throws {
        let p = try sample(PrevalenceMeasure(name: "reg_x", numerator: "reg_x", denominatorMinimumAge: 17, denominatorKnown: nil))
        #expect(row(p, .practice, "X")?.numerator == 2 && row(p, .practice, "X")?.denominator == 3)
        #expect(row(p, .practice, "Y")?.numerator == 1 && row(p, .practice, "Y")?.denominator == 1)
        #expect(row(p, .icb, "ICB")?.denominator == 4)
        #expect(row(p, .icb, "ICB")?.icbRatio == 0.75)
        #expect(row(p, .ethnicGroup, "Black or Black British")?.denominator == 1)
    }

    @Test func knownValueRestrictsTheDenominator() throws {
        let p = try sample(PrevalenceMeasure(name: "reg_x", numerator: "reg_x", denominatorMinimumAge: 0, denominatorKnown: "imd_decile"))
        // d (decile unknown) and e (outside the population) are out.
        #expect(row(p, .icb, "ICB")?.denominator == 4)
        #expect(row(p, .icb, "ICB")?.numerator == 3)
    }

    @Test func shareableCopySuppressesAndRecomputesRatio() throws {
        let p = try sample(PrevalenceMeasure(name: "reg_x", numerator: "reg_x", denominatorMinimumAge: 17, denominatorKnown: nil))
        let text = String(decoding: PrevalenceCSV.render(p, asOf: Day(iso: "2025-03-31")!, disclosure: DisclosureControl()), as: UTF8.self)
        let practiceX = text.split(separator: "\n").first { $0.contains(",X,,") }.map(String.init) ?? ""
        // 2 of 3: both small, so numerator, denominator, ratio and interval are blank.
        #expect(practiceX.hasPrefix("reg_x,2025-03-31,2025-03-31,,,,practice,X,X,"))
        #expect(practiceX.hasSuffix(",true"))
        let internalText = String(decoding: PrevalenceCSV.render(p, asOf: Day(iso: "2025-03-31")!, disclosure: nil), as: UTF8.self)
        #expect(internalText.contains("reg_x,2025-03-31,2025-03-31,0.666667,2,3,practice,X,X,"))
    }

    /// `grouping` and `grp` name every row's group, the ICB row included, so one filter selects a
    /// grouping without a CASE over the five ehrQL-style group columns.
    @Test func groupingColumnNamesEveryRowsGroup() throws {
        let p = try sample(PrevalenceMeasure(name: "reg_x", numerator: "reg_x", denominatorMinimumAge: 17, denominatorKnown: nil))
        let text = String(decoding: PrevalenceCSV.render(p, asOf: Day(iso: "2025-03-31")!, disclosure: nil), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        let grouping = try #require(header.firstIndex(of: "grouping")), grp = try #require(header.firstIndex(of: "grp"))
        let pairs = Set(lines.dropFirst().map { "\($0[grouping])=\($0[grp])" })
        #expect(pairs.isSuperset(of: ["icb=ICB", "practice=X", "practice=Y", "pcn=unknown", "neighbourhood=unknown",
                                      "imd_quintile=1", "imd_quintile=unknown", "ethnic_group=White"]), "\(pairs)")
        #expect(lines.dropFirst().allSatisfy { !$0[grouping].isEmpty }, "every row names its grouping")
    }
}
