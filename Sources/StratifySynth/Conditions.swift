#if canImport(Glibc)
import Glibc
#endif

/// A long-term condition in the synthetic population: prevalence shaped by age (logistic), sex
/// and deprivation, scaled so the whole population's prevalence is near the published QOF figure.
struct ConditionModel: Sendable {
    let name: String
    let list: String
    let resolution: String?
    /// Overall target prevalence (QOF 2024/25 England, rounded).
    let target: Double
    let ageMid: Double
    let ageScale: Double
    let minAge: Int
    let femaleFactor: Double
    /// Relative excess in the most deprived quintile (and deficit in the least).
    let deprivationGradient: Double
    let resolvedShare: Double
    var scale = 1.0

    func shape(age: Int) -> Double {
        age < minAge ? 0 : 1 / (1 + exp(-(Double(age) - ageMid) / ageScale))
    }

    func probability(age: Int, female: Bool, quintile: Int) -> Double {
        let dep = 1 + deprivationGradient * Double(3 - quintile) / 2
        let sex = female ? femaleFactor : 2 - femaleFactor
        return min(0.95, scale * shape(age: age) * dep * sex)
    }
}

enum Conditions {
    static let all: [ConditionModel] = [
        .init(name: "hypertension", list: "hyp_cod", resolution: "hypres_cod", target: 0.14, ageMid: 62, ageScale: 10, minAge: 18, femaleFactor: 1, deprivationGradient: 0.15, resolvedShare: 0.02),
        .init(name: "diabetes", list: "dm_cod", resolution: "dmres_cod", target: 0.075, ageMid: 62, ageScale: 12, minAge: 17, femaleFactor: 0.9, deprivationGradient: 0.35, resolvedShare: 0.01),
        .init(name: "copd", list: "copd_cod", resolution: "copdres_cod", target: 0.02, ageMid: 72, ageScale: 8, minAge: 35, femaleFactor: 0.95, deprivationGradient: 0.6, resolvedShare: 0.01),
        .init(name: "asthma", list: "ast_cod", resolution: "astres_cod", target: 0.065, ageMid: -50, ageScale: 20, minAge: 6, femaleFactor: 1.05, deprivationGradient: 0.1, resolvedShare: 0.05),
        .init(name: "smi", list: "mh_cod", resolution: nil, target: 0.01, ageMid: 30, ageScale: 8, minAge: 16, femaleFactor: 1, deprivationGradient: 0.7, resolvedShare: 0),
        .init(name: "cancer", list: "cancer", resolution: nil, target: 0.035, ageMid: 68, ageScale: 9, minAge: 18, femaleFactor: 1.05, deprivationGradient: -0.05, resolvedShare: 0),
        .init(name: "af", list: "afib_cod", resolution: nil, target: 0.021, ageMid: 78, ageScale: 7, minAge: 30, femaleFactor: 0.85, deprivationGradient: 0, resolvedShare: 0),
        .init(name: "chd", list: "chd_cod", resolution: nil, target: 0.03, ageMid: 72, ageScale: 8, minAge: 30, femaleFactor: 0.7, deprivationGradient: 0.3, resolvedShare: 0),
        .init(name: "hf", list: "hf_cod", resolution: "hfres_cod", target: 0.011, ageMid: 80, ageScale: 7, minAge: 30, femaleFactor: 0.85, deprivationGradient: 0.3, resolvedShare: 0.01),
        .init(name: "stroke", list: "strk_cod", resolution: nil, target: 0.015, ageMid: 76, ageScale: 8, minAge: 30, femaleFactor: 0.95, deprivationGradient: 0.3, resolvedShare: 0),
        .init(name: "tia", list: "tia_cod", resolution: nil, target: 0.004, ageMid: 74, ageScale: 8, minAge: 30, femaleFactor: 1, deprivationGradient: 0.2, resolvedShare: 0),
        .init(name: "ckd", list: "ckd_cod", resolution: "ckd1and2_cod", target: 0.04, ageMid: 78, ageScale: 8, minAge: 18, femaleFactor: 1.1, deprivationGradient: 0.2, resolvedShare: 0.05),
        .init(name: "dementia", list: "dem_cod", resolution: nil, target: 0.0075, ageMid: 86, ageScale: 5, minAge: 40, femaleFactor: 1.2, deprivationGradient: 0.1, resolvedShare: 0),
        .init(name: "epilepsy", list: "epil_cod", resolution: "epilres_cod", target: 0.008, ageMid: -50, ageScale: 20, minAge: 2, femaleFactor: 1, deprivationGradient: 0.3, resolvedShare: 0.03),
        .init(name: "pad", list: "pad_cod", resolution: nil, target: 0.006, ageMid: 74, ageScale: 8, minAge: 40, femaleFactor: 0.7, deprivationGradient: 0.4, resolvedShare: 0),
        .init(name: "ra", list: "rarth_cod", resolution: nil, target: 0.008, ageMid: 58, ageScale: 10, minAge: 16, femaleFactor: 1.4, deprivationGradient: 0.1, resolvedShare: 0),
        .init(name: "osteoporosis", list: "osteo_cod", resolution: nil, target: 0.009, ageMid: 76, ageScale: 7, minAge: 50, femaleFactor: 1.6, deprivationGradient: 0, resolvedShare: 0),
        .init(name: "depression", list: "depr_cod", resolution: "depres_cod", target: 0.13, ageMid: -50, ageScale: 20, minAge: 18, femaleFactor: 1.3, deprivationGradient: 0.3, resolvedShare: 0.1),
        .init(name: "ld", list: "ld_cod", resolution: nil, target: 0.006, ageMid: -50, ageScale: 20, minAge: 0, femaleFactor: 0.8, deprivationGradient: 0.3, resolvedShare: 0),
        .init(name: "palliative", list: "palcare_cod", resolution: nil, target: 0.004, ageMid: 86, ageScale: 5, minAge: 18, femaleFactor: 1, deprivationGradient: 0.1, resolvedShare: 0),
        .init(name: "autism", list: "autism", resolution: nil, target: 0.012, ageMid: -50, ageScale: 20, minAge: 3, femaleFactor: 0.4, deprivationGradient: 0, resolvedShare: 0),
        .init(name: "hearing_loss", list: "cms/hearing_loss", resolution: nil, target: 0.05, ageMid: 75, ageScale: 8, minAge: 18, femaleFactor: 0.9, deprivationGradient: 0, resolvedShare: 0),
        .init(name: "ibs", list: "cms/ibs", resolution: nil, target: 0.03, ageMid: -50, ageScale: 20, minAge: 16, femaleFactor: 1.6, deprivationGradient: 0, resolvedShare: 0),
        .init(name: "alcohol", list: "cms/alcohol_problems", resolution: nil, target: 0.015, ageMid: 45, ageScale: 10, minAge: 18, femaleFactor: 0.6, deprivationGradient: 0.5, resolvedShare: 0),
    ]

    /// Scales each condition so its population prevalence matches the target under `ages`.
    static func calibrated(ageWeights: [(age: Int, weight: Double)]) -> [ConditionModel] {
        all.map { c in
            var m = c
            var mean = 0.0, total = 0.0
            for (age, w) in ageWeights { mean += w * c.shape(age: age); total += w }
            m.scale = mean > 0 ? c.target / (mean / total) : 0
            return m
        }
    }
}

/// England's registered population by single year of age (ONS mid-2022 shape, smoothed into
/// 5-year bands, percentages); 90+ is spread over 90–100.
enum AgeStructure {
    static let bands: [Double] = [5.2, 5.8, 6.0, 5.8, 6.1, 6.6, 6.9, 6.8, 6.5, 6.1, 6.6, 6.8, 6.3, 5.5, 5.0, 4.6, 3.2, 2.2, 1.3, 0.9]

    static var weights: [(age: Int, weight: Double)] {
        (0...100).map { age in
            let band = min(age / 5, bands.count - 1)
            return (age, bands[band] / (band == bands.count - 1 ? 11 : 5))
        }
    }

    static let cumulative: [Double] = {
        var c: [Double] = []
        var s = 0.0
        for w in weights { s += w.weight; c.append(s) }
        return c.map { $0 / s }
    }()

    static func draw(_ u: Double) -> Int {
        var lo = 0, hi = cumulative.count - 1
        while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < u { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}
