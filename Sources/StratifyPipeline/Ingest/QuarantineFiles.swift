import StratifyCore
import StratifyIngest

/// Writes `quarantine/<table>.csv` (mode 0600: the records are patient data) as the reader
/// confirms bad rows. Columns: line, reason, column, detail, record.
public struct QuarantineFiles: QuarantineSink {
    private var files: [ExtractTable: OutputFile] = [:]
    private var writers: [ExtractTable: CSVWriter] = [:]

    public init(directory: String, tables: [ExtractTable]) throws(StratifyError) {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        for t in tables {
            files[t] = try OutputFile(path: "\(directory)/\(t.rawValue).csv", patientLevel: true)
            var w = CSVWriter()
            w.row(["line", "reason", "column", "detail", "record"])
            writers[t] = w
        }
    }

    public mutating func quarantine(_ entry: QuarantineEntry, table: ExtractTable) throws(StratifyError) {
        var w = writers[table]!
        w.cell(String(entry.line))
        w.cell(entry.reason.code)
        w.cell(entry.column)
        w.cell(entry.detail)
        w.cell(entry.record)
        w.endRow()
        if w.bytes.count > 1 << 20 {
            try files[table]!.write(w.bytes)
            w.bytes.removeAll(keepingCapacity: true)
        }
        writers[table] = w
    }

    /// Flushes and moves every file into place.
    public func commit() throws(StratifyError) {
        for (t, w) in writers {
            let f = files[t]!
            try f.write(w.bytes)
            try f.commit()
        }
    }
}
