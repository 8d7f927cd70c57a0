import StratifyCore
import StratifyReference

/// eFI2 (rules.md §12) from `reference/scores/efi2-predictors.csv` and `efi2-parameters.csv`:
/// every β and cut-off is read as decimal text and turned into exact integers, so the score and
/// its category never depend on binary floating point.
public struct EFI2Definition: Sendable {
    /// Rule-set bool values, one per predictor or level.
    public var predictors: [String]
    /// β × 100000, exactly (β have at most 5 decimals).
    public var points: [Int32]
    /// The scale 8.429 × 100000 = 842900: efi2 = L / scalePoints.
    public var scalePoints: Int64
    /// Largest L in robust, mild and moderate: floor(cut-off × scalePoints).
    public var robustMax: Int64, mildMax: Int64, moderateMax: Int64
    public var minimumAge: Int
    public var decimals: Int

    static let pointScale: Int64 = 100_000

    public init(directory dir: String) throws(StratifyError) {
        let table = try ReferenceCSV(path: dir + "/efi2-predictors.csv")
        let v = try table.column("value"), b = try table.column("beta")
        predictors = []
        points = []
        for (line, f) in table.rows {
            guard let p = EFI2Definition.scaled(f[b], by: EFI2Definition.pointScale), p.remainder == 0, p.quotient < Int64(Int32.max) else {
                throw StratifyError(.runFailed, "\(table.path), line \(line): beta '\(f[b])' is not a decimal with at most 5 places")
            }
            predictors.append(f[v])
            points.append(Int32(p.quotient))
        }
        let params = try ReferenceCSV(path: dir + "/efi2-parameters.csv")
        let pn = try params.column("parameter"), pv = try params.column("value")
        var text: [String: String] = [:]
        for (_, f) in params.rows { text[f[pn]] = f[pv] }
        func param(_ name: String) throws(StratifyError) -> String {
            guard let t = text[name] else { throw StratifyError(.runFailed, "\(params.path): parameter '\(name)' is missing") }
            return t
        }
        guard let scale = EFI2Definition.scaled(try param("scale"), by: EFI2Definition.pointScale), scale.remainder == 0, scale.quotient > 0 else {
            throw StratifyError(.runFailed, "\(params.path): scale '\(text["scale"] ?? "")' is not a decimal with at most 5 places")
        }
        scalePoints = scale.quotient
        func cut(_ name: String) throws(StratifyError) -> Int64 {
            guard let c = EFI2Definition.scaled(try param(name), by: scale.quotient) else {
                throw StratifyError(.runFailed, "\(params.path): \(name) '\(text[name] ?? "")' is not a decimal")
            }
            return c.quotient  // floor: the cut-off belongs to the lower category (L ≤ cut-off × scale)
        }
        robustMax = try cut("robust_max")
        mildMax = try cut("mild_max")
        moderateMax = try cut("moderate_max")
        guard let age = Int(try param("minimum_age")), let d = Int(try param("decimals")), d >= 0, d <= 9 else {
            throw StratifyError(.runFailed, "\(params.path): minimum_age and decimals must be whole numbers")
        }
        minimumAge = age
        decimals = d
    }

    /// `text` (a non-negative decimal such as "0.0857") × `factor`, as floor quotient and the
    /// remainder over the decimal's power of ten; nil if `text` is not such a decimal.
    static func scaled(_ text: String, by factor: Int64) -> (quotient: Int64, remainder: Int64)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCII), whole.allSatisfy(\.isNumber) else { return nil }
        let frac = parts.count == 2 ? parts[1] : ""
        guard frac.count <= 9, frac.allSatisfy({ $0.isASCII && $0.isNumber }), whole.count <= 9 else { return nil }
        var denominator: Int64 = 1
        for _ in 0..<frac.count { denominator *= 10 }
        let numerator = Int64(whole)! * denominator + (frac.isEmpty ? 0 : Int64(frac)!)
        let product = numerator * factor
        return (product / denominator, product % denominator)
    }

    /// Category index (0 robust … 3 severe) of an exact L.
    @inline(__always) public func category(_ l: Int32) -> UInt8 {
        let v = Int64(l)
        return v <= robustMax ? 0 : v <= mildMax ? 1 : v <= moderateMax ? 2 : 3
    }

    /// L / scalePoints to `decimals` places, rounded half up with integers only (8429 is odd, so
    /// with 4 decimals no L is a tie).
    public func formatted(_ l: Int32) -> String {
        var p: Int64 = 1
        for _ in 0..<decimals { p *= 10 }
        let units = (2 * Int64(l) * p + scalePoints) / (2 * scalePoints)
        let whole = String(units / p)
        guard decimals > 0 else { return whole }
        let frac = String(units % p)
        return whole + "." + String(repeating: "0", count: decimals - frac.count) + frac
    }
}
