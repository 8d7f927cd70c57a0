import Foundation
import StratifyCore
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
