import StratifyCore
import StratifyReference

/// A prevalence measure (rules.md §11), from `reference/measures/prevalence.csv`: the numerator
/// is a bool value of the rule set, or `value=a|b` for a categorical one (e.g. eFI category); the
/// denominator is the population at or above an age, optionally with a value known.
public struct PrevalenceMeasure: Sendable, Equatable {
    public var name: String
    public var numerator: String
    public var denominatorMinimumAge: Int
    public var denominatorKnown: String?

    public init(name: String, numerator: String, denominatorMinimumAge: Int, denominatorKnown: String?) {
        self.name = name
        self.numerator = numerator
        self.denominatorMinimumAge = denominatorMinimumAge
        self.denominatorKnown = denominatorKnown
    }

    public static func load(reference: ReferenceData) throws(StratifyError) -> [PrevalenceMeasure] {
        let csv = try ReferenceCSV(path: reference.root + "/measures/prevalence.csv")
        let m = try csv.column("measure"), num = try csv.column("numerator")
        let age = try csv.column("denominator_min_age"), known = try csv.column("denominator_known")
        var out: [PrevalenceMeasure] = []
        for (line, f) in csv.rows {
            guard let minimum = Int(f[age]), minimum >= 0 else {
                throw StratifyError(.runFailed, "\(csv.path), line \(line): denominator_min_age must be a whole number")
            }
            out.append(PrevalenceMeasure(name: f[m], numerator: f[num], denominatorMinimumAge: minimum,
                                         denominatorKnown: f[known].isEmpty ? nil : f[known]))
        }
        return out
    }
}

/// Measure names in words (`reference/measures/labels.csv`: `measure,label`), for the run report:
/// a reviewer reads "Hypertension register", not `reg_hyp`. Data, not code, so a new measure gets
/// its label beside its definition. A measure without a label keeps its name.
public enum MeasureLabels {
    public static func load(reference: ReferenceData) throws(StratifyError) -> [String: String] {
        let path = reference.root + "/measures/labels.csv"
        guard FileSystem.exists(path) else { return [:] }
        let csv = try ReferenceCSV(path: path)
        let m = try csv.column("measure"), l = try csv.column("label")
        var out: [String: String] = [:]
        for (_, f) in csv.rows where !f[l].isEmpty { out[f[m]] = f[l] }
        return out
    }
}
