import StratifyCore
import StratifyExport
import Testing

/// Each statistic against a published worked example. The figures are those of
/// /work/shared/guides/reference-for-outputs-measures-scale.md, which reproduced
/// PHEindicatormethods v2.1.0's formulas in Python and its documented examples; none was taken
/// from this code's output.
@Suite struct DirectlyStandardisedRateTests {
    // Guide §4 worked example, ages 65–79: (events, population, ESP weight) per band.
    let events = [30, 45, 60], population = [20_000, 15_000, 10_000], weights: [Double] = [5500, 5000, 4000]

    @Test func rateMatchesTheWorkedExample() throws {
        let d = try #require(MeasureStatistics.dsr(events: events, population: population, weights: weights))
        #expect(abs(d.rate - 325.8621) < 1e-4)
    }

    @Test func dobson95IntervalMatchesTheWorkedExample() throws {
        let d = try #require(MeasureStatistics.dsr(events: events, population: population, weights: weights))
        #expect(abs(d.low - 272.6856) < 1e-3)
        #expect(abs(d.high - 386.2960) < 1e-3)
    }

    @Test func dobson998IntervalMatchesTheWorkedExample() throws {
        let d = try #require(MeasureStatistics.dsr(events: events, population: population, weights: weights,
                                                   z: PrevalenceStatistics.z998))
        #expect(abs(d.low - 245.1870) < 1e-3)
        #expect(abs(d.high - 423.1818) < 1e-3)
    }

    @Test func byarsBoundsMatchTheWorkedExample() {
        let b = MeasureStatistics.byars(135, z: PrevalenceStatistics.z95)
        #expect(abs(b.low - 113.1871) < 1e-3)
        #expect(abs(b.high - 159.7899) < 1e-3)
    }

    @Test func fewerThanTenEventsGiveNoRate() {
        #expect(MeasureStatistics.dsr(events: [3, 3, 3], population: population, weights: weights) == nil)
    }

    @Test func tenEventsGiveARate() {
        #expect(MeasureStatistics.dsr(events: [4, 3, 3], population: population, weights: weights) != nil)
    }

    @Test func aBandWithNoPopulationGivesNoRate() {
        #expect(MeasureStatistics.dsr(events: [30, 45, 0], population: [20_000, 15_000, 0], weights: weights) == nil)
    }

    @Test func esp2013WeightsSumToOneHundredThousand() {
        #expect(MeasureStatistics.esp2013.count == 19)
        #expect(MeasureStatistics.esp2013.reduce(0, +) == 100_000)
    }

    @Test(arguments: [(Int64(0), 0), (4, 0), (5, 1), (89, 17), (90, 18), (104, 18)])
    func espBands(age: Int64, band: Int) {
        #expect(MeasureStatistics.espBand(age: age) == band)
    }
}

@Suite struct SlopeIndexTests {
    // PHEindicatormethods `phe_sii` man page data, Area1 (guide §3): deciles most deprived first.
    let populations = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
    let values = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3]

    @Test func siiMatchesThePublishedExample() throws {
        let s = try #require(MeasureStatistics.sii(values: values, populations: populations))
        #expect(abs(s.sii - 7.0002) < 1e-4)
    }

    @Test func interceptAndRIIMatchThePublishedExample() throws {
        let s = try #require(MeasureStatistics.sii(values: values, populations: populations))
        #expect(abs(s.intercept - 78.0321) < 1e-4)
        #expect(abs(s.rii - 1.08971) < 1e-5)
    }

    @Test func aQuantileWithNoPopulationGivesNoSII() {
        var p = populations
        p[3] = 0
        #expect(MeasureStatistics.sii(values: values, populations: p) == nil)
    }

    @Test func simulatedIntervalBracketsThePointEstimate() throws {
        // Rising achievement from the most to the least deprived decile.
        let den = [400, 420, 380, 410, 390, 405, 395, 415, 385, 400]
        let num = [160, 180, 170, 190, 185, 200, 205, 220, 215, 235]
        let s = try #require(MeasureStatistics.siiOfProportions(numerators: num, denominators: den))
        #expect(s.low < s.sii && s.sii < s.high)
        #expect(s.low > 0)  // a clear gradient: the interval excludes no inequality
    }

    @Test func simulatedIntervalIsReproducible() throws {
        let den = [40, 42, 38, 41, 39, 40, 39, 41, 38, 40], num = [10, 12, 0, 20, 18, 20, 20, 22, 21, 40]
        let a = try #require(MeasureStatistics.siiOfProportions(numerators: num, denominators: den))
        let b = try #require(MeasureStatistics.siiOfProportions(numerators: num, denominators: den))
        #expect(a.low == b.low && a.high == b.high)
    }
}

@Suite struct FunnelLimitTests {
    // Guide §2, Fingertips' Wilson-inversion limits around an average of 0.30.
    @Test(arguments: [(100, 0.21018, 0.38982, 0.15839, 0.44161), (1_000, 0.27160, 0.32840, 0.25522, 0.34478),
                      (10_000, 0.29102, 0.30898, 0.28584, 0.31416)])
    func limitsMatchThePublishedValues(n: Int, low95: Double, high95: Double, low998: Double, high998: Double) throws {
        let f95 = try #require(PrevalenceStatistics.funnel(target: 0.30, n: n, z: PrevalenceStatistics.z95))
        let f998 = try #require(PrevalenceStatistics.funnel(target: 0.30, n: n, z: PrevalenceStatistics.z998))
        #expect(abs(f95.low - low95) < 1e-5 && abs(f95.high - high95) < 1e-5)
        #expect(abs(f998.low - low998) < 1e-5 && abs(f998.high - high998) < 1e-5)
    }

    @Test func wilsonIntervalAtTheLimitTouchesTheTarget() throws {
        // The defining property of the Wilson inversion: at the upper limit, the Wilson lower bound is the target.
        let n = 1_000
        let f = try #require(PrevalenceStatistics.funnel(target: 0.30, n: n, z: PrevalenceStatistics.z95))
        let z = PrevalenceStatistics.z95, p = f.high, nd = Double(n)
        let lower = (p + z * z / (2 * nd) - z * (p * (1 - p) / nd + z * z / (4 * nd * nd)).squareRoot()) / (1 + z * z / nd)
        #expect(abs(lower - 0.30) < 1e-9)
    }
}

@Suite struct SecondarySuppressionTests {
    @Test func guideExampleSuppressesTheNextSmallestCell() {
        // Guide §5: T = 7, counts 3, 9, 12, 40 with a published total of 64 → *, *, 12, 40.
        var suppressed = [true, false, false, false]
        MeasureStatistics.secondarySuppression(counts: [[3], [9], [12], [40]], suppressed: &suppressed, groups: [[0, 1, 2, 3]], threshold: 7)
        #expect(suppressed == [true, true, false, false])
    }

    @Test func tiesWithTheNextSmallestAreAllSuppressed() {
        var suppressed = [true, false, false, false]
        MeasureStatistics.secondarySuppression(counts: [[3], [9], [9], [40]], suppressed: &suppressed, groups: [[0, 1, 2, 3]], threshold: 7)
        #expect(suppressed == [true, true, true, false])
    }

    @Test func aLargeSuppressedSumNeedsNoMore() {
        // 4 + 6 = 10 > 7: the pair cannot be split by subtraction alone.
        var suppressed = [true, true, false]
        MeasureStatistics.secondarySuppression(counts: [[4], [6], [40]], suppressed: &suppressed, groups: [[0, 1, 2]], threshold: 7)
        #expect(suppressed == [true, true, false])
    }

    @Test func nothingSuppressedStaysSo() {
        var suppressed = [false, false]
        MeasureStatistics.secondarySuppression(counts: [[30], [40]], suppressed: &suppressed, groups: [[0, 1]], threshold: 7)
        #expect(suppressed == [false, false])
    }

    @Test func aCellSuppressedForOneGroupProtectsAnother() {
        // Cells 0..3; groups {0,1} and {1,2,3}. Cell 0 (count 2) forces cell 1 (count 5) in the
        // first group; then the second group hides 5 ≤ 7, so its smallest open cell (20) goes too.
        var suppressed = [true, false, false, false]
        MeasureStatistics.secondarySuppression(counts: [[2], [5], [20], [30]], suppressed: &suppressed,
                                               groups: [[0, 1], [1, 2, 3]], threshold: 7)
        #expect(suppressed == [true, true, true, false])
    }
}
