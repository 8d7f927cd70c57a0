import StratifyCore
import StratifyIngest

/// One batch of `patients.csv` rows, formatted column by column, then joined row by row.
///
/// Why by column: row by row, every cell switched over its `Column` and bound the column's array
/// out of the enum (a retain and a release per cell) and called a closure: about 300 instructions
/// a cell, with ~80 cells per patient. Column by column, the switch and the binding happen once
/// per column and batch, and the loop over the batch's patients is a tight loop over one typed
/// array. Each cell's text lands in one flat buffer, with its end offset; the join then copies the
/// cells of each row in order (`join`, PatientsCSVBatch+Unsafe.swift). Each value's text comes
/// from the helpers `Column.appendText` is made of, escaped as `CSVWriter.cell(_:)` escapes it
/// (tested against both, and by the golden files).
struct PatientsCSVBatch {
    let columns: [Column]
    /// Each `.string` column's labels, CSV-escaped once, packed so a cell copies bytes rather
    /// than retaining a shared array (`PackedStrings`); empty for other columns.
    let labels: [PackedStrings]
    let index: PatientIndex

    init(columns: [Column], index: PatientIndex) {
        self.columns = columns
        self.index = index
        labels = columns.map { c in
            if case .string(_, let table) = c { return PackedStrings(table.map(CSVWriter.escaped)) }
            return PackedStrings([])
        }
    }

    /// The rows of `patients` (indices into the columns), in order, each ending with a line feed.
    func rows(_ patients: ArraySlice<Int>) -> [UInt8] {
        let n = patients.count
        // A batch's text stays far below 2 GB (4,096 patients of ~400 bytes), so Int32 offsets
        // suffice and halve the offsets' memory.
        var text: [UInt8] = []
        text.reserveCapacity(n * columns.count * 4)
        // ends[k * n + r]: where column k's cell for row r ends in `text` (cells of a column are
        // contiguous, and a column's first cell starts where the previous column's last ended).
        var ends = [Int32](repeating: 0, count: n * columns.count)
        for (k, column) in columns.enumerated() {
            let base = k * n
            switch column {
            case .bool(let v):
                for (r, p) in patients.enumerated() {
                    Column.appendBool(v[p], to: &text)
                    ends[base + r] = Int32(truncatingIfNeeded: text.count)
                }
            case .int(let v):
                for (r, p) in patients.enumerated() {
                    let start = text.count
                    Column.appendInt(v[p], to: &text)
                    CSVWriter.escapeInPlace(&text, from: start)
                    ends[base + r] = Int32(truncatingIfNeeded: text.count)
                }
            case .number(let v):
                for (r, p) in patients.enumerated() {
                    let start = text.count
                    Column.appendNumber(v[p], to: &text)
                    CSVWriter.escapeInPlace(&text, from: start)
                    ends[base + r] = Int32(truncatingIfNeeded: text.count)
                }
            case .date(let v), .bloodPressure(_, _, let v):
                for (r, p) in patients.enumerated() {
                    Column.appendDate(v[p], to: &text)
                    ends[base + r] = Int32(truncatingIfNeeded: text.count)
                }
            case .string(let v, _):
                let labels = self.labels[k]
                for (r, p) in patients.enumerated() {
                    if v[p] >= 0 { labels.append(Int(v[p]), to: &text) }
                    ends[base + r] = Int32(truncatingIfNeeded: text.count)
                }
            case .window:
                let end = Int32(truncatingIfNeeded: text.count)
                for r in 0..<n { ends[base + r] = end }
            }
        }
        // Patient ids, escaped as `CSVWriter.cell` would (an id may start with '-').
        var ids: [UInt8] = []
        var idEnds: [Int32] = []
        ids.reserveCapacity(n * 12)
        idEnds.reserveCapacity(n)
        for p in patients {
            let start = ids.count
            ids += index.key(p)
            CSVWriter.escapeInPlace(&ids, from: start)
            idEnds.append(Int32(truncatingIfNeeded: ids.count))
        }
        return Self.join(ids: ids, idEnds: idEnds, cells: text, ends: ends, rows: n, columns: columns.count)
    }
}
