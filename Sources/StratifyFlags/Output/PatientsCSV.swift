import StratifyCore
import StratifyIngest

/// Writes `patients.csv` (mode 0600): one row per population member, sorted by `patient_id`
/// (byte order), columns `patient_id, practice_code, age, sex, imd_decile, imd_quintile`, then
/// every `field` of the rule set in declaration order. Booleans are `true`/`false`, unknown is
/// empty, dates are `YYYY-MM-DD`, numbers are written without trailing zeros.
public enum PatientsCSV {
    public static let leadingColumns = ["patient_id", "practice_code", "age", "sex", "imd_decile", "imd_quintile"]

    public static func header(_ result: FlagResult, extra: [(String, Column)] = []) -> [String] {
        leadingColumns + result.ruleSet.fields.map { result.ruleSet.values[$0].name } + extra.map(\.0)
    }

    /// Population members' indices sorted by patient_id bytes.
    public static func sortedPopulation(_ result: FlagResult) -> [Int] {
        let index = result.patients.index
        return (0..<result.patients.count).filter { result.inPopulation[$0] }
            .sorted { index.key($0).lexicographicallyPrecedes(index.key($1)) }
    }

    /// `extra` columns (the score stage's) follow the rule-set fields.
    public static func write(_ result: FlagResult, extra: [(String, Column)] = [], to path: String) throws(StratifyError) {
        let file = try OutputFile(path: path, patientLevel: true)
        var w = CSVWriter()
        w.row(header(result, extra: extra))
        let fields = result.ruleSet.fields.map { result.values[$0] } + extra.map(\.1)
        let lead: [Column] = [result.attributes[.practiceCode]!, result.attributes[.age]!, result.attributes[.sex]!,
                              result.attributes[.imdDecile]!, result.attributes[.imdQuintile]!]
        do {
            for p in sortedPopulation(result) {
                w.cell(result.patients.index.key(p))
                for c in lead { PatientsCSVCell.write(c, p, &w) }
                for c in fields { PatientsCSVCell.write(c, p, &w) }
                w.endRow()
                if w.bytes.count >= 1 << 20 {
                    try file.write(w.bytes)
                    w.bytes.removeAll(keepingCapacity: true)
                }
            }
            try file.write(w.bytes)
        } catch {
            file.discard()
            throw error
        }
        try file.commit()
    }

}

/// How one value is written: booleans `true`/`false`, null empty, dates `YYYY-MM-DD`, numbers
/// without trailing zeros.
public enum PatientsCSVCell {
    public static func write(_ c: Column, _ p: Int, _ w: inout CSVWriter) { w.cell(c.text(at: p)) }
}

extension Column {
    /// Row p as it is written in output files: `true`/`false`, empty when unknown, dates
    /// `YYYY-MM-DD`, numbers without trailing zeros. Not CSV-escaped (the writer does that).
    public func text(at p: Int) -> String {
        switch self {
        case .bool(let v): v[p] == 1 ? "true" : v[p] == 0 ? "false" : ""
        case .int(let v): v[p] == Column.nullInt ? "" : String(v[p])
        case .number(let v): v[p].isNaN ? "" : JSON.format(v[p])
        case .date(let v): v[p] == Column.nullDate ? "" : Day(rawValue: v[p]).description
        case .string(let v, let table): v[p] < 0 ? "" : table[Int(v[p])]
        case .bloodPressure(_, _, let d): d[p] == Column.nullDate ? "" : Day(rawValue: d[p]).description
        case .window: ""
        }
    }
}
