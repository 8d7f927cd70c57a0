#if canImport(Glibc)
import Glibc
#endif

/// Interval and funnel arithmetic for prevalence (rules.md §11).
public enum PrevalenceStatistics {
    public static let z95 = 1.959963984540054
    public static let z998 = 3.090232306167813

    /// Wilson score interval for x of n (Wilson 1927; the interval PHE/OHID use for proportions).
    public static func wilson(_ x: Int, _ n: Int, z: Double = z95) -> (low: Double, high: Double)? {
        guard n > 0 else { return nil }
        let nd = Double(n), p = Double(x) / nd, z2 = z * z
        let denominator = 1 + z2 / nd
        let centre = (p + z2 / (2 * nd)) / denominator
        let half = z * (p * (1 - p) / nd + z2 / (4 * nd * nd)).squareRoot() / denominator
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Funnel-plot control limits around a target proportion for a unit of size n (normal
    /// approximation to the binomial, Spiegelhalter 2005), clamped to [0, 1].
    public static func funnel(target p0: Double, n: Int, z: Double) -> (low: Double, high: Double)? {
        guard n > 0 else { return nil }
        let sd = (p0 * (1 - p0) / Double(n)).squareRoot()
        return (max(0, p0 - z * sd), min(1, p0 + z * sd))
    }
}

/// Small-number disclosure control for aggregates shared beyond the practice: counts from 1 to
/// `threshold` are suppressed; other counts are rounded to the nearest `multiple` (NHS Digital's
/// sub-national rule: suppress 1–7, round to 5).
public struct DisclosureControl: Sendable {
    public var threshold = 7
    public var multiple = 5

    public init(threshold: Int = 7, multiple: Int = 5) {
        self.threshold = threshold
        self.multiple = multiple
    }

    /// nil means suppressed. 0 stays 0 (a true zero discloses nobody).
    public func apply(_ count: Int) -> Int? {
        if count >= 1 && count <= threshold { return nil }
        return ((count + multiple / 2) / multiple) * multiple
    }
}
