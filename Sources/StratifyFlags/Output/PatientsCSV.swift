import StratifyCore
import StratifyIngest

/// Writes `patients.csv` (mode 0600): one row per population member, sorted by `patient_id`
/// (byte order), columns `patient_id, practice_code, age, sex, imd_decile, imd_quintile`, then
/// every `field` of the rule set in declaration order. Booleans are `true`/`false`, unknown is
/// empty, dates are `YYYY-MM-DD`, numbers are written without trailing zeros.
public enum PatientsCSV {
    public static let leadingColumns = ["patient_id", "practice_code", "age", "sex", "imd_decile", "imd_quintile"]

    public static func header(_ result: FlagResult, extra: [(String, Column)] = []) -> [String] {
        leadingColumns + result.ruleSet.fields.map { result.ruleSet.values[$0].name } + undeclared(result, extra).map(\.0)
    }

    /// Score-stage columns the rule set does not place with a `score` statement go last, in the
    /// score stage's order (v1); declared ones sit where they are declared.
    static func undeclared(_ result: FlagResult, _ extra: [(String, Column)]) -> [(String, Column)] {
        let declared = Set(result.ruleSet.scoreColumns)
        return extra.filter { !declared.contains($0.0) }
    }

    /// Population members' indices sorted by patient_id bytes.
    public static func sortedPopulation(_ result: FlagResult) -> [Int] {
        let index = result.patients.index
        return (0..<result.patients.count).filter { result.inPopulation[$0] }
            .sorted { index.key($0).lexicographicallyPrecedes(index.key($1)) }
    }

    /// `extra` columns (the score stage's) follow the rule-set fields.
    public static func write(_ result: FlagResult, extra: [(String, Column)] = [], to path: String) throws(StratifyError) {
        try write(result, extra: extra, to: path, batch: 4_096)
    }

    /// `batch`: patients per parallel batch (tests vary it to cross batch boundaries).
    static func write(_ result: FlagResult, extra: [(String, Column)], to path: String, batch: Int) throws(StratifyError) {
        let file = try OutputFile(path: path, patientLevel: true)
        var w = CSVWriter()
        w.row(header(result, extra: extra))
        let lead: [Column] = [result.attributes[.practiceCode]!, result.attributes[.age]!, result.attributes[.sex]!,
                              result.attributes[.imdDecile]!, result.attributes[.imdQuintile]!]
        let columns = lead + result.ruleSet.fields.map { result.values[$0] } + undeclared(result, extra).map(\.1)
        let formatter = PatientsCSVBatch(columns: columns, index: result.patients.index)
        // Rows are formatted in batches on all cores and written in order. Each batch is whole
        // rows, so the batches joined are the bytes one writer would make. A round's batches are
        // written by a background job while the cores format the next round: written one after
        // the other, the write (the kernel copying ~450 MB into the page cache at 1.2M patients
        // with v2) left a core idle for as long as it took.
        let order = sortedPopulation(result)
        let workers = ProcessInfoLite.activeProcessorCount
        var writing: BackgroundJob<Void>? = nil
        do {
            try file.write(w.bytes)
            var start = 0
            while start < order.count {
                let first = start, count = min(workers * 2, (order.count - start + batch - 1) / batch)
                let parts = parallelMap(count, workers: workers) { b -> [UInt8] in
                    formatter.rows(order[(first + b * batch)..<min(order.count, first + (b + 1) * batch)])
                }
                if let previous = writing { writing = nil; try previous.wait().get() }
                let job = BackgroundJob { () throws(StratifyError) in for part in parts { try file.write(part) } }
                job.start()
                writing = job
                start += count * batch
            }
            if let last = writing { writing = nil; try last.wait().get() }
        } catch {
            // A round still being written (never one already waited for) must end before the
            // file is discarded.
            _ = writing?.wait()
            file.discard()
            throw error
        }
        try file.commit()
    }

}

extension Column {
    /// Row p as it is written in output files: `true`/`false`, empty when unknown, dates
    /// `YYYY-MM-DD`, numbers without trailing zeros. Not CSV-escaped (the writer does that).
    public func text(at p: Int) -> String {
        // A label is already its text: no bytes to build and decode again.
        if case .string(let v, let table) = self { return v[p] >= 0 ? table[Int(v[p])] : "" }
        var bytes: [UInt8] = []
        appendText(at: p, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text(at: p)`'s UTF-8 to `bytes` (its definition, but for labels; for writers of
    /// many cells).
    public func appendText(at p: Int, to bytes: inout [UInt8]) {
        switch self {
        case .bool(let v): Column.appendBool(v[p], to: &bytes)
        case .int(let v): Column.appendInt(v[p], to: &bytes)
        case .number(let v): Column.appendNumber(v[p], to: &bytes)
        case .date(let v), .bloodPressure(_, _, let v): Column.appendDate(v[p], to: &bytes)
        case .string(let v, let table): if v[p] >= 0 { bytes += table[Int(v[p])].utf8 }
        case .window: break
        }
    }

    // One value's text, by kind: `appendText` switches per cell, `PatientsCSVBatch` once per
    // column and calls these in its loops. Null values write nothing.

    /// Byte by byte, not from shared `[UInt8]` constants: appending a shared array retains and
    /// releases it, and with rows formatted on every core those atomics on one object's count
    /// made the cores wait on each other (a third of `patients.csv`'s CPU with rule set v2).
    @inline(__always) static func appendBool(_ v: UInt8, to bytes: inout [UInt8]) {
        if v == 1 {
            bytes.append(0x74); bytes.append(0x72); bytes.append(0x75); bytes.append(0x65)
        } else if v == 0 {
            bytes.append(0x66); bytes.append(0x61); bytes.append(0x6C); bytes.append(0x73); bytes.append(0x65)
        }
    }

    @inline(__always) static func appendInt(_ v: Int64, to bytes: inout [UInt8]) {
        guard v != nullInt else { return }
        if v < 0 { bytes.append(0x2D) }
        JSON.appendDecimal(v.magnitude, to: &bytes)
    }

    @inline(__always) static func appendNumber(_ v: Double, to bytes: inout [UInt8]) {
        if !v.isNaN { JSON.format(v, to: &bytes) }
    }

    @inline(__always) static func appendDate(_ v: Int32, to bytes: inout [UInt8]) {
        if v != nullDate { Day(rawValue: v).appendISO(to: &bytes) }
    }
}
