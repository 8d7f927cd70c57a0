import StratifyCore
import StratifyScores

/// Scalar versus SIMD time per score kernel, and for the whole scoring step, on random columns
/// shaped like the real ones (36 eFI deficits, 20 CMS conditions, 17 priority conditions).
struct ScoresBenchmark {
    let patients: Int
    let runs: Int

    func run() {
        let n = patients
        var rng = SeededRandom(seed: 7)
        func matrix(_ columns: Int, _ p: Double) -> FlagMatrix {
            var m = FlagMatrix(columns: columns, n: n)
            for k in m.values.indices where rng.chance(p) { m.values[k] = 1 }
            return m
        }
        let deficits = matrix(36, 0.15), conditions = matrix(20, 0.08), priority = matrix(17, 0.03), red = matrix(4, 0.02)
        let ages = (0..<n).map { _ in UInt8(rng.below(100)) }
        let ltc = (0..<n).map { _ in UInt8(rng.below(5)) }
        let weights: [Float] = [2.50, 1.53, 1.46, 1.34, 1.18, 1.12, 0.92, 0.92, 0.80, 0.75,
                                0.65, 0.64, 0.53, 0.50, 0.49, 0.43, 0.21, 0.19, 0.09, 0.08]
        let t = BandKernels.EFIThresholds(minimumAge: 65, fitMax: 4, mildMax: 8, moderateMax: 12)
        let counts = ScoreKernels.countScalar(deficits)
        print("machine: \(Machine.describe()); \(n) patients; median of \(runs) runs; checksums guard against dead code")
        print("")
        print("kernel".padded(22) + "scalar ms".padded(12) + "SIMD ms".padded(10) + "speed-up")
        var totalScalar = 0.0, totalSIMD = 0.0
        func measure(_ name: String, _ scalar: () -> Int, _ simd: () -> Int) {
            let s = time(scalar), v = time(simd)
            totalScalar += s.seconds; totalSIMD += v.seconds
            precondition(s.checksum == v.checksum, "\(name): SIMD and scalar disagree")
            print(name.padded(22) + fmt(s.seconds * 1000, 2).padded(12) + fmt(v.seconds * 1000, 2).padded(10) + fmt(s.seconds / v.seconds, 1) + "x")
        }
        measure("efi deficit count", { sum(ScoreKernels.countScalar(deficits)) }, { sum(ScoreKernels.countSIMD(deficits)) })
        measure("efi ratio", { sum(ScoreKernels.ratioScalar(counts, over: 36)) }, { sum(ScoreKernels.ratioSIMD(counts, over: 36)) })
        measure("efi category", { sum(BandKernels.efiCategoryScalar(counts: counts, ages: ages, t)) },
                { sum(BandKernels.efiCategorySIMD(counts: counts, ages: ages, t)) })
        measure("cms score", { sum(ScoreKernels.weightedSumScalar(conditions, weights: weights)) },
                { sum(ScoreKernels.weightedSumSIMD(conditions, weights: weights)) })
        measure("cms condition count", { sum(ScoreKernels.countScalar(conditions)) }, { sum(ScoreKernels.countSIMD(conditions)) })
        measure("priority reason", { sum(BandKernels.priorityReasonScalar(priority)) }, { sum(BandKernels.priorityReasonSIMD(priority)) })
        measure("segment", { sum(BandKernels.segmentScalar(redFlags: red, ltcCount: ltc)) },
                { sum(BandKernels.segmentSIMD(redFlags: red, ltcCount: ltc)) })
        // Rule set v2 (issue 15): eFI2 exact points over its 40 predictors/levels, and the
        // 23-condition comorbidity_count.
        let efi2 = matrix(40, 0.12), comorbidities = matrix(23, 0.08)
        let points: [Int32] = [15284, 23107, 13175, 136434, 13025, 24060, 10985, 11683, 41715, 5422,
                               11886, 62743, 7353, 17425, 11086, 33254, 18253, 23787, 32125, 11915,
                               46836, 35347, 51450, 3537, 5427, 2672, 21428, 1049, 2885, 900,
                               21935, 10291, 23585, 10565, 2305, 19256, 25318, 44170, 32301, 50801]
        measure("efi2 points (v2)", { sum(ScoreKernels.pointsSumScalar(efi2, points: points)) },
                { sum(ScoreKernels.pointsSumSIMD(efi2, points: points)) })
        measure("comorbidity count (v2)", { sum(ScoreKernels.countScalar(comorbidities)) }, { sum(ScoreKernels.countSIMD(comorbidities)) })
        print("scoring step".padded(22) + fmt(totalScalar * 1000, 2).padded(12) + fmt(totalSIMD * 1000, 2).padded(10)
              + fmt(totalScalar / totalSIMD, 1) + "x")
    }

    func time(_ body: () -> Int) -> (seconds: Double, checksum: Int) {
        var samples: [Double] = []
        var checksum = 0
        for _ in 0..<runs {
            let t0 = MonotonicClock.now()
            checksum = body()
            samples.append(MonotonicClock.seconds(since: t0))
        }
        return (samples.sorted()[samples.count / 2], checksum)
    }

    func sum(_ v: [UInt8]) -> Int { v.reduce(0) { $0 &+ Int($1) } }
    func sum(_ v: [Float]) -> Int { v.reduce(0) { $0 &+ Int($1.bitPattern) } }
    func sum(_ v: [Int32]) -> Int { v.reduce(0) { $0 &+ Int($1) } }
}
