#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// Statistics for measures (rules.md §11 and §20): directly standardised rates with Dobson
/// intervals, the slope index of inequality, the quintile gap and secondary suppression. Wilson
/// intervals and funnel limits are `PrevalenceStatistics`'s: the normal limits around the target
/// there are exactly the Wilson-inversion limits Fingertips draws (the observed proportion whose
/// Wilson interval just touches the target), so both outputs share one implementation.
public enum MeasureStatistics {
    /// European Standard Population 2013, 19 bands 0–4 … 85–89, 90+ (rules.md §20 [S18]:
    /// Eurostat KS-RA-13-028, as PHEindicatormethods `esp2013`). Sums to 100,000.
    public static let esp2013: [Double] = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
                                           7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000]

    /// The ESP band of an age: 0 for 0–4, …, 18 for 90 and over.
    @inline(__always) public static func espBand(age: Int64) -> Int { Int(min(max(age, 0), 90) / 5) }

    /// The PHE minimum: a standardised rate on fewer events is not published (rules.md §20).
    public static let dsrMinimumEvents = 10

    /// Directly standardised rate per `multiplier` with its Dobson interval (PHEindicatormethods
    /// `calculate_dsr`): DSR = Σ wᵢxᵢ/nᵢ / Σwᵢ; var = Σ xᵢwᵢ²/nᵢ² / (Σwᵢ)²; limits
    /// DSR + √(var/O)·(O_lim − O), O = Σxᵢ, O_lim by Byar's method. nil when a band has no
    /// population or O is under 10, the empty-rate rules of §20: a rate with a missing band is
    /// not comparable, and one on under 10 events is too unstable to publish.
    public static func dsr(events x: [Int], population n: [Int], weights w: [Double], z: Double = PrevalenceStatistics.z95,
                           multiplier: Double = 100_000) -> (rate: Double, low: Double, high: Double)? {
        precondition(x.count == n.count && n.count == w.count)
        let observed = x.reduce(0, +)
        guard !n.isEmpty, n.allSatisfy({ $0 > 0 }), observed >= dsrMinimumEvents else { return nil }
        let sumW = w.reduce(0, +)
        var rate = 0.0, variance = 0.0
        for i in x.indices {
            let xi = Double(x[i]), ni = Double(n[i])
            rate += w[i] * xi / ni
            variance += xi * w[i] * w[i] / (ni * ni)
        }
        rate /= sumW
        variance /= sumW * sumW
        let o = Double(observed), scale = (variance / o).squareRoot()
        let (oLow, oHigh) = byars(o, z: z)
        return (rate * multiplier, (rate + scale * (oLow - o)) * multiplier, (rate + scale * (oHigh - o)) * multiplier)
    }

    /// Byar's approximation to the exact Poisson limits of an observed count.
    public static func byars(_ o: Double, z: Double) -> (low: Double, high: Double) {
        let low = o == 0 ? 0 : o * pow(1 - 1 / (9 * o) - z / (3 * o.squareRoot()), 3)
        let o1 = o + 1
        let high = o1 * pow(1 - 1 / (9 * o1) + z / (3 * o1.squareRoot()), 3)
        return (low, high)
    }

    /// Slope index of inequality (Low & Low 2004, as PHEindicatormethods `phe_sii`): quantiles in
    /// order, the first the most deprived; each at the midpoint of its cumulative population
    /// share, fitted by least squares weighted by population share. SII = fitted(1) − fitted(0),
    /// least minus most deprived, so a positive SII means the least deprived do better on a
    /// measure where higher is more. RII = (intercept + SII) / intercept.
    public static func sii(values y: [Double], populations: [Int]) -> (sii: Double, intercept: Double, rii: Double)? {
        guard let c = siiCoefficients(populations) else { return nil }
        var slope = 0.0, mean = 0.0
        for k in y.indices {
            slope += c.slope[k] * y[k]
            mean += c.share[k] * y[k]
        }
        let intercept = mean - slope * c.meanRank
        return (slope, intercept, (intercept + slope) / intercept)
    }

    /// The weights that turn quantile values into the weighted slope (Σ slopeₖ·yₖ), fixed by the
    /// populations alone: the simulation reuses them for every draw, as `phe_sii` reuses (XᵀX)⁻¹X.
    static func siiCoefficients(_ populations: [Int]) -> (slope: [Double], share: [Double], meanRank: Double)? {
        let total = Double(populations.reduce(0, +))
        guard populations.count >= 2, populations.allSatisfy({ $0 > 0 }) else { return nil }
        var share: [Double] = [], rank: [Double] = [], before = 0.0
        for p in populations {
            let a = Double(p) / total
            share.append(a)
            rank.append(before + a / 2)
            before += a
        }
        var meanRank = 0.0
        for k in share.indices { meanRank += share[k] * rank[k] }
        var spread = 0.0
        for k in share.indices { spread += share[k] * (rank[k] - meanRank) * (rank[k] - meanRank) }
        guard spread > 0 else { return nil }
        return (share.indices.map { share[$0] * (rank[$0] - meanRank) / spread }, share, meanRank)
    }

    public static let defaultSeed: UInt64 = 0x5111

    /// The default seed's deviates for 10 deciles × 10,000 repetitions, drawn once: every measure
    /// of every run uses the same stream, and drawing it (a log, a square root and a sine or
    /// cosine per deviate) was most of the statistic's cost, three times a measure a run.
    static let defaultDeviates = normalDeviates(seed: defaultSeed, count: 10 * 10_000)

    /// Standard normal deviates by Box–Muller, both of each pair used, in draw order.
    static func normalDeviates(seed: UInt64, count: Int) -> [Double] {
        var rng = SeededRandom(seed: seed)
        var out: [Double] = []
        out.reserveCapacity(count + 1)
        while out.count < count {
            let u1 = max(rng.unit(), 1e-300), u2 = rng.unit()
            let radius = (-2 * log(u1)).squareRoot(), angle = 2 * Double.pi * u2
            out.append(radius * cos(angle))
            out.append(radius * sin(angle))
        }
        return out
    }

    /// The SII of proportions with a 95% interval by simulation, as `phe_sii` with value_type 2:
    /// each quantile's standard error comes from its Wilson 95% interval on the logit scale,
    /// draws are made on that scale and back-transformed, and the interval is the order
    /// statistics round(R·0.025) and round(R·0.975) of the sorted SIIs. A quantile at 0 or 1 has
    /// no finite logit; its draws are made on the proportion scale (SE from the same interval),
    /// where `phe_sii` would stop. The generator is seeded, so files are reproducible.
    public static func siiOfProportions(numerators: [Int], denominators: [Int], repetitions: Int = 10_000,
                                        seed: UInt64 = defaultSeed) -> (sii: Double, low: Double, high: Double)? {
        guard let c = siiCoefficients(denominators) else { return nil }
        let p = numerators.indices.map { Double(numerators[$0]) / Double(denominators[$0]) }
        guard let point = sii(values: p, populations: denominators) else { return nil }
        let z = PrevalenceStatistics.z95
        var logit: [Bool] = [], centre: [Double] = [], se: [Double] = []
        for k in p.indices {
            let ci = PrevalenceStatistics.wilson(numerators[k], denominators[k])!
            if p[k] > 0, p[k] < 1, ci.low > 0, ci.high < 1 {
                logit.append(true)
                centre.append(log(p[k] / (1 - p[k])))
                se.append((log(ci.high / (1 - ci.high)) - log(ci.low / (1 - ci.low))) / (2 * z))
            } else {
                logit.append(false)
                centre.append(p[k])
                se.append((ci.high - ci.low) / (2 * z))
            }
        }
        let count = repetitions * p.count
        let deviates = seed == defaultSeed && count <= defaultDeviates.count ? defaultDeviates : normalDeviates(seed: seed, count: count)
        var draws = [Double](repeating: 0, count: repetitions)
        var next = 0
        for r in 0..<repetitions {
            var s = 0.0
            for k in p.indices {
                let v = centre[k] + se[k] * deviates[next]
                next += 1
                s += c.slope[k] * (logit[k] ? 1 / (1 + exp(-v)) : v)
            }
            draws[r] = s
        }
        draws.sort()
        let lowIndex = max(1, Int((Double(repetitions) * 0.025).rounded())), highIndex = Int((Double(repetitions) * 0.975).rounded())
        return (point.sii, draws[lowIndex - 1], draws[highIndex - 1])
    }

    /// Secondary suppression within groups that share a published total (cohort-extractor's
    /// `_suppress_column`, the rule ehrQL issue #1666 asks for): while the cells already
    /// suppressed in a group sum to between 1 and `threshold`, they could be recovered by
    /// subtracting the published cells from the total, so every unsuppressed cell equal to the
    /// smallest unsuppressed positive count is suppressed too (all ties: suppressing one of two
    /// equal cells would reveal it by reordering). Zero cells are left: a true zero discloses
    /// nobody and adds nothing to a recovered sum. Repeats over all groups until nothing changes,
    /// since a cell suppressed for one group's sake changes the sums of the other groups it is in.
    ///
    /// - Parameters:
    ///   - counts: each cell's exact counts (a row's numerator and denominator are both protected).
    ///   - groups: cell indices sharing a total (a grouping's cells with the ICB row; one PCN's practices with the PCN row).
    public static func secondarySuppression(counts: [[Int]], suppressed: inout [Bool], groups: [[Int]], threshold: Int) {
        var changed = true
        while changed {
            changed = false
            for group in groups {
                for column in counts.first.map({ $0.indices }) ?? 0..<0 {
                    let hidden = group.filter { suppressed[$0] }.reduce(0) { $0 + counts[$1][column] }
                    guard hidden > 0, hidden <= threshold else { continue }
                    let open = group.filter { !suppressed[$0] && counts[$0][column] > 0 }
                    guard let smallest = open.map({ counts[$0][column] }).min() else { continue }
                    for i in open where counts[i][column] == smallest { suppressed[i] = true }
                    changed = true
                }
            }
        }
    }
}
