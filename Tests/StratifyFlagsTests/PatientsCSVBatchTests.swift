import Foundation
import StratifyCore
import StratifyIngest
@testable import StratifyFlags
import Testing

/// patients.csv is formatted in parallel batches; the file is the same bytes for any batch size,
/// including batches of one patient and batches that end exactly at the population's end.
@Suite struct PatientsCSVBatchTests {
    @Test func everyBatchSizeWritesTheSameFile() throws {
        let patients = (0..<37).map { "p\($0),19\(40 + $0 % 50)-0\(1 + $0 % 9)-1\($0 % 9),\($0 % 3 == 0 ? "male" : "female")" }
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: patients.joined(separator: "\n"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patientscsv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var files: [[UInt8]] = []
        for batch in [1, 2, 3, 7, 36, 37, 38, 16_384] {
            let path = "\(dir)/patients-\(batch).csv"
            try PatientsCSV.write(r.flags, extra: r.scores, to: path, batch: batch)
            files.append(try FileSystem.readAll(path))
        }
        #expect(files[0].count > 37 * 20)
        for f in files { #expect(f == files.last!) }
    }
}

/// The column-by-column formatter writes, for every kind of column and every awkward value, the
/// bytes of the row-by-row definition: `Column.appendText` through `CSVWriter.cell(_:)`.
@Suite struct PatientsCSVColumnwiseTests {
    static let columns: [Column] = [
        .bool([1, 0, 2, 1, 0, 2, 1]),
        .int([42, -7, Column.nullInt, 0, Int64.max, Int64.min + 1, 3]),
        .number([27.4, -1.5, .nan, 1e300, 0.000_000_4, -0.0, 142]),
        .date([0, -1, Column.nullDate, 20_000, -719_162, 2_932_896, 19_000]),
        .string([0, 1, -1, 2, 3, 0, 1], table: ["plain", "a, b", "=HYPERLINK(\"x\")", "say \"hi\""]),
        .bloodPressure(sys: Array(repeating: 140, count: 7), dia: Array(repeating: 80, count: 7),
                       date: [19_000, Column.nullDate, 0, 1, 2, 3, 4]),
    ]

    func index() -> PatientIndex {
        var index = PatientIndex()
        for id in ["P1", "-2", "=3", "p_4", "5", "@6", "+7"] { _ = index.insert(Array(id.utf8)) }
        return index
    }

    func reference(_ patients: [Int]) -> [UInt8] {
        let ids = index()
        var w = CSVWriter()
        for p in patients {
            w.cell(ids.key(p))
            for c in Self.columns { w.cell(c.text(at: p)) }
            w.endRow()
        }
        return w.bytes
    }

    @Test func everyKindOfCellMatchesTheRowByRowDefinition() {
        let formatter = PatientsCSVBatch(columns: Self.columns, index: index())
        let all = Array(0..<7)
        #expect(formatter.rows(all[...]) == reference(all))
        let reordered = [6, 2, 0, 5]
        #expect(formatter.rows(reordered[...]) == reference(reordered))
        #expect(formatter.rows(all[3..<4]) == reference([3]))
    }

    @Test func negativeNumbersAndFormulaLabelsAreNeutralised() {
        let text = String(decoding: PatientsCSVBatch(columns: Self.columns, index: index()).rows([1][...]), as: UTF8.self)
        #expect(text.hasPrefix("'-2,false,'-7,'-1.5,"))
        #expect(text.contains("\"a, b\""))
    }

    @Test func anEmptyBatchIsEmpty() {
        #expect(PatientsCSVBatch(columns: Self.columns, index: index()).rows([][...]).isEmpty)
    }
}
