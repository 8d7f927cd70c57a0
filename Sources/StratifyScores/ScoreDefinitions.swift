import StratifyCore
import StratifyReference

/// The score definitions, read from `reference/scores/`: which rule-set values are eFI deficits
/// and CMS conditions, the CMS weights, and the eFI thresholds. Data, not code (rules.md §7–8).
public struct ScoreDefinitions: Sendable {
    public var efiDeficits: [String]
    public var efiMinimumAge: Int
    public var efiDeficitTotal: Int
    public var efiFitMax: Int
    public var efiMildMax: Int
    public var efiModerateMax: Int
    public var efiDecimals: Int
    public var cmsConditions: [String]
    public var cmsWeights: [Float]
    /// eFI2 (§12), when `reference/scores/efi2-*.csv` exist; used only by rule sets that declare
    /// `score efi2`.
    public var efi2: EFI2Definition?
    /// The rule-set values `comorbidity_count` counts (§13), when the file exists.
    public var comorbidityConditions: [String]?

    public init(reference: ReferenceData) throws(StratifyError) {
        let dir = reference.root + "/scores"
        let deficits = try ReferenceCSV(path: dir + "/efi-deficits.csv")
        let v = try deficits.column("value")
        efiDeficits = deficits.rows.map { $0.fields[v] }
        let params = try ReferenceCSV(path: dir + "/efi-parameters.csv")
        let pn = try params.column("parameter"), pv = try params.column("value")
        var p: [String: Int] = [:]
        for (line, f) in params.rows {
            guard let value = Int(f[pv]) else {
                throw StratifyError(.runFailed, "\(params.path), line \(line): '\(f[pv])' is not a whole number")
            }
            p[f[pn]] = value
        }
        func param(_ name: String) throws(StratifyError) -> Int {
            guard let value = p[name] else { throw StratifyError(.runFailed, "\(params.path): parameter '\(name)' is missing") }
            return value
        }
        efiMinimumAge = try param("minimum_age")
        efiDeficitTotal = try param("deficits")
        efiFitMax = try param("fit_max")
        efiMildMax = try param("mild_max")
        efiModerateMax = try param("moderate_max")
        efiDecimals = try param("decimals")
        guard efiDeficits.count == efiDeficitTotal else {
            throw StratifyError(.runFailed, "\(deficits.path) lists \(efiDeficits.count) deficits but efi-parameters.csv says \(efiDeficitTotal)")
        }
        if FileSystem.exists(dir + "/efi2-predictors.csv") {
            efi2 = try EFI2Definition(directory: dir)
        }
        if FileSystem.exists(dir + "/comorbidity-conditions.csv") {
            let table = try ReferenceCSV(path: dir + "/comorbidity-conditions.csv")
            let cv = try table.column("value")
            comorbidityConditions = table.rows.map { $0.fields[cv] }
        }
        let cms = try ReferenceCSV(path: dir + "/cms-weights.csv")
        let cv = try cms.column("value"), cw = try cms.column("weight")
        cmsConditions = []
        cmsWeights = []
        for (line, f) in cms.rows {
            guard let w = Float(f[cw]) else { throw StratifyError(.runFailed, "\(cms.path), line \(line): weight '\(f[cw])' is not a number") }
            cmsConditions.append(f[cv])
            cmsWeights.append(w)
        }
    }
}
