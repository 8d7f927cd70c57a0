import StratifyCore
import StratifyIngest

/// Writes `quarantine/<table>.csv` (mode 0600: the records are patient data) as the reader
/// confirms bad rows. Columns: line, reason, column, detail, record.
public struct QuarantineFiles: QuarantineSink {
    /// A class so the row buffer is mutated in place: a struct copied out of a dictionary per
    /// row made every quarantined row copy the whole buffer (seen as page faults in a profile).
    final class TableFile {
        let file: OutputFile
        var writer = CSVWriter()
        init(_ file: OutputFile) { self.file = file }
    }

    private var files: [ExtractTable: TableFile] = [:]

    public init(directory: String, tables: [ExtractTable]) throws(StratifyError) {
        try FileSystem.makeDirectories(directory, mode: 0o700)
        for t in tables {
            let f = TableFile(try OutputFile(path: "\(directory)/\(t.rawValue).csv", patientLevel: true))
            f.writer.row(["line", "reason", "column", "detail", "record"])
            files[t] = f
        }
    }

    public mutating func quarantine(_ entry: QuarantineEntry, table: ExtractTable) throws(StratifyError) {
        let f = files[table]!
        f.writer.cell(String(entry.line))
        f.writer.cell(entry.reason.code)
        f.writer.cell(entry.column)
        f.writer.cell(entry.detail)
        f.writer.cell(entry.record)
        f.writer.endRow()
        if f.writer.bytes.count > 1 << 20 {
            try f.file.write(f.writer.bytes)
            f.writer.bytes.removeAll(keepingCapacity: true)
        }
    }

    /// Flushes and moves every file into place.
    public func commit() throws(StratifyError) {
        for f in files.values {
            try f.file.write(f.writer.bytes)
            try f.file.commit()
        }
    }
}
