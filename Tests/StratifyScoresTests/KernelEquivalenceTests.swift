import StratifyCore
import StratifyScores
import Testing

/// Every SIMD kernel equals its scalar reference, bit for bit, on random populations of every
/// length from 0 to 70 (all remainders of the 8- and 16-lane widths) and on a large one.
@Suite struct KernelEquivalenceTests {
    static let lengths = Array(0...70) + [1_000, 100_003]

    func randomMatrix(columns: Int, n: Int, density: Double, seed: UInt64) -> FlagMatrix {
        var rng = SeededRandom(seed: seed)
        var m = FlagMatrix(columns: columns, n: n)
        for c in 0..<columns { for i in 0..<n where rng.chance(density) { m[column: c, patient: i] = 1 } }
        return m
    }

    @Test(arguments: lengths)
    func countMatchesScalar(n: Int) {
        let m = randomMatrix(columns: 36, n: n, density: 0.3, seed: UInt64(n))
        #expect(ScoreKernels.countSIMD(m) == ScoreKernels.countScalar(m))
    }

    @Test(arguments: lengths)
    func weightedSumMatchesScalarBitForBit(n: Int) {
        let m = randomMatrix(columns: 20, n: n, density: 0.25, seed: 1000 + UInt64(n))
        let weights: [Float] = [2.50, 1.53, 1.46, 1.34, 1.18, 1.12, 0.92, 0.92, 0.80, 0.75,
                                0.65, 0.64, 0.53, 0.50, 0.49, 0.43, 0.21, 0.19, 0.09, 0.08]
        let simd = ScoreKernels.weightedSumSIMD(m, weights: weights), scalar = ScoreKernels.weightedSumScalar(m, weights: weights)
        #expect(simd.map(\.bitPattern) == scalar.map(\.bitPattern))
    }

    /// eFI2 (rules.md §12): the 40 β × 100000 of reference/scores/efi2-predictors.csv, dense
    /// flags so that long sums are exercised.
    @Test(arguments: lengths)
    func pointsSumMatchesScalar(n: Int) {
        let points: [Int32] = [15284, 23107, 13175, 136434, 13025, 24060, 10985, 11683, 41715, 5422,
                               11886, 62743, 7353, 17425, 11086, 33254, 18253, 23787, 32125, 11915,
                               46836, 35347, 51450, 3537, 5427, 2672, 21428, 1049, 2885, 900,
                               21935, 10291, 23585, 10565, 2305, 19256, 25318, 44170, 32301, 50801]
        let m = randomMatrix(columns: points.count, n: n, density: 0.4, seed: 7000 + UInt64(n))
        #expect(ScoreKernels.pointsSumSIMD(m, points: points) == ScoreKernels.pointsSumScalar(m, points: points))
    }

    /// All flags set: the largest possible sum, far from Int32 overflow.
    @Test func pointsSumOfEveryPredictor() {
        var m = FlagMatrix(columns: 3, n: 9)
        for c in 0..<3 { for i in 0..<9 { m[column: c, patient: i] = 1 } }
        #expect(ScoreKernels.pointsSumSIMD(m, points: [100_000, 700_000, 42_874]) == Array(repeating: 842_874, count: 9))
    }

    /// comorbidity_count (rules.md §13) uses the count kernel over its 23 condition columns.
    @Test(arguments: lengths)
    func comorbidityCountMatchesScalar(n: Int) {
        let m = randomMatrix(columns: 23, n: n, density: 0.5, seed: 8000 + UInt64(n))
        #expect(ScoreKernels.countSIMD(m) == ScoreKernels.countScalar(m))
    }

    @Test(arguments: lengths)
    func ratioMatchesScalarBitForBit(n: Int) {
        var rng = SeededRandom(seed: 2000 + UInt64(n))
        let counts = (0..<n).map { _ in UInt8(rng.below(37)) }
        #expect(ScoreKernels.ratioSIMD(counts, over: 36).map(\.bitPattern) == ScoreKernels.ratioScalar(counts, over: 36).map(\.bitPattern))
    }

    @Test(arguments: lengths)
    func efiCategoryMatchesScalar(n: Int) {
        var rng = SeededRandom(seed: 3000 + UInt64(n))
        let counts = (0..<n).map { _ in UInt8(rng.below(37)) }
        let ages = (0..<n).map { _ in UInt8(rng.below(110)) }
        let t = BandKernels.EFIThresholds(minimumAge: 65, fitMax: 4, mildMax: 8, moderateMax: 12)
        #expect(BandKernels.efiCategorySIMD(counts: counts, ages: ages, t) == BandKernels.efiCategoryScalar(counts: counts, ages: ages, t))
    }

    @Test(arguments: lengths)
    func priorityReasonMatchesScalar(n: Int) {
        let m = randomMatrix(columns: BandKernels.priorityRules.count, n: n, density: 0.08, seed: 4000 + UInt64(n))
        #expect(BandKernels.priorityReasonSIMD(m) == BandKernels.priorityReasonScalar(m))
    }

    @Test(arguments: lengths)
    func segmentMatchesScalar(n: Int) {
        let m = randomMatrix(columns: 4, n: n, density: 0.05, seed: 5000 + UInt64(n))
        var rng = SeededRandom(seed: 6000 + UInt64(n))
        let ltc = (0..<n).map { _ in UInt8(rng.below(4)) }
        #expect(BandKernels.segmentSIMD(redFlags: m, ltcCount: ltc) == BandKernels.segmentScalar(redFlags: m, ltcCount: ltc))
    }
}

/// The scalar references themselves, on hand-built values.
@Suite struct ScalarReferenceTests {
    @Test func categoryBoundariesAreOnTheIntegerCount() {
        let t = BandKernels.EFIThresholds(minimumAge: 65, fitMax: 4, mildMax: 8, moderateMax: 12)
        let cats = BandKernels.efiCategoryScalar(counts: [4, 5, 8, 9, 12, 13, 36], ages: Array(repeating: 70, count: 7), t)
        #expect(cats == [BandKernels.fit, BandKernels.mild, BandKernels.mild, BandKernels.moderate,
                         BandKernels.moderate, BandKernels.severe, BandKernels.severe])
    }

    @Test func categoryNotApplicableUnderMinimumAge() {
        let t = BandKernels.EFIThresholds(minimumAge: 65, fitMax: 4, mildMax: 8, moderateMax: 12)
        #expect(BandKernels.efiCategoryScalar(counts: [20, 20], ages: [64, 65], t) == [BandKernels.notApplicable, BandKernels.severe])
    }

    @Test func firstPriorityConditionWins() {
        var m = FlagMatrix(columns: 3, n: 3)
        m[column: 1, patient: 0] = 1; m[column: 2, patient: 0] = 1
        m[column: 2, patient: 1] = 1
        #expect(BandKernels.priorityReasonScalar(m) == [1, 2, 3])
    }

    @Test func weightedSumAddsWeightsOfTrueFlags() {
        var m = FlagMatrix(columns: 2, n: 2)
        m[column: 0, patient: 0] = 1; m[column: 1, patient: 0] = 1; m[column: 1, patient: 1] = 1
        #expect(ScoreKernels.weightedSumScalar(m, weights: [2.5, 1.53]) == [Float(0) + 2.5 + 1.53, Float(0) + 1.53])
    }
}

/// rules.md §9: every reason, in order, with its band.
@Suite struct PriorityOrderTests {
    static let expected: [(String, UInt8)] = [
        ("efi_category=severe", 1), ("copd_priority=PG1", 1), ("htn_case_finding_tier=severe", 1), ("reg_pc", 1),
        ("efi_category=moderate", 2), ("complex_multimorbid", 2), ("copd_priority=PG2", 2), ("htn_case_finding_tier=stage2", 2),
        ("multimorbid", 3), ("htn_uncontrolled", 3), ("htn_no_recent_bp", 3), ("smi_check_gap", 3), ("copd_flu_gap", 3),
        ("copd_pneumo_gap", 3), ("bowel_screen_gap", 3), ("breast_screen_gap", 3), ("cervical_screen_gap", 3),
    ]

    @Test func reasonsAndBandsAreTheSpecsInOrder() {
        #expect(BandKernels.priorityRules.map(\.reason) == Self.expected.map(\.0))
        #expect(BandKernels.priorityRules.map(\.priority) == Self.expected.map(\.1))
    }

    /// Reason k wins over every later reason, and loses to every earlier one.
    @Test(arguments: 0..<17)
    func reasonWinsOverLaterOnesOnly(k: Int) {
        var m = FlagMatrix(columns: 17, n: 2)
        for c in k..<17 { m[column: c, patient: 0] = 1 }           // k and everything after it
        for c in 0...k { m[column: c, patient: 1] = 1 }            // everything up to k
        let reasons = BandKernels.priorityReasonSIMD(m)
        #expect(reasons[0] == UInt8(k))
        #expect(reasons[1] == 0)
        #expect(BandKernels.priorityReasonScalar(m) == reasons)
    }

    @Test func noConditionIsNone() {
        #expect(BandKernels.priorityReasonScalar(FlagMatrix(columns: 17, n: 1)) == [17])
    }
}
