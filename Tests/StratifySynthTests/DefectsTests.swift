import Foundation
import StratifyCore
import StratifyIngest
import Testing
@testable import StratifySynth

/// Each defect kind, applied to a valid row, makes a row that ingest quarantines under exactly
/// the reason the synth manifest will claim for it.
@Suite("Synth: defects")
struct DefectsTests {
    static let header: [ExtractTable: String] = [
        .patients: "patient_id,nhs_number,date_of_birth,sex,date_of_death,practice_code,registration_start_date,lsoa_code,ethnic_category",
        .clinicalEvents: "patient_id,date,snomedct_code,numeric_value",
        .medications: "patient_id,date,dmd_code",
    ]
    /// Two valid rows per table, in the generator's column order and formats.
    static let rows: [ExtractTable: [String]] = [
        .patients: ["P00000001,9990000018,1950-06-15,female,,E83003,2001-04-01,E01000001,A",
                    "P00000002,9990000026,1960-01,male,,E83005,,,B"],
        .clinicalEvents: ["P00000001,2024-10-01,72313002,142.0", "P00000002,2024-11-02,1201005,"],
        .medications: ["P00000001,2024-10-01,134806003", "P00000002,2024-11-02,16977003"],
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        let kind: Defects.Kind
        let table: ExtractTable
        /// Which of the two rows is corrupted (the last exercises a defect at the end of the file).
        let row: Int
        var testDescription: String { "\(kind) in \(table.rawValue) row \(row + 1)" }
    }

    static let cases: [Case] = Defects.Kind.allCases.flatMap { kind in
        ExtractTable.allCases.filter { kind.applies(to: $0) }.flatMap { t in [0, 1].map { Case(kind: kind, table: t, row: $0) } }
    }

    @Test("every kind applies to some table, and the kinds cover every quarantine reason")
    func coverage() {
        for kind in Defects.Kind.allCases {
            #expect(ExtractTable.allCases.contains { kind.applies(to: $0) }, "\(kind)")
        }
        #expect(Set(Defects.Kind.allCases.map(\.reason)) == Set(QuarantineReason.allCases))
        #expect(Defects.kinds(for: .patients).contains(.duplicatePatient))
        #expect(!Defects.kinds(for: .patients).contains(.unknownPatient))
        #expect(Defects.kinds(for: .clinicalEvents).contains(.invalidSNOMED))
        #expect(!Defects.kinds(for: .medications).contains(.invalidSNOMED))
    }

    @Test("a corrupted row is quarantined under the kind's reason", arguments: cases)
    func quarantinedUnderReason(_ c: Case) throws {
        let dir = try makeTemporaryDirectory("defects")
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [ExtractTable: [UInt8]] = [:]
        for t in ExtractTable.allCases {
            var bytes = Array((Self.header[t]! + "\n").utf8)
            for (i, row) in Self.rows[t]!.enumerated() {
                bytes += t == c.table && i == c.row ? Defects.corrupt(Array(row.utf8), kind: c.kind, table: t) : Array(row.utf8)
                bytes.append(0x0A)
            }
            files[t] = bytes
            try Data(bytes).write(to: dir.appendingPathComponent("\(t.rawValue).csv"))
        }
        // The corruption changed the bytes (duplicate: by adding a copy).
        #expect(files[c.table]! != Array((Self.header[c.table]! + "\n" + Self.rows[c.table]!.joined(separator: "\n") + "\n").utf8))

        let reader = try ExtractReader(directory: dir.path, options: IngestOptions(asOf: Day(year: 2025, month: 3, day: 31)!, threads: 1))
        var sink = DiscardingSink()
        var quarantine = CollectingQuarantine()
        let result = try reader.read(sink: &sink, quarantine: &quarantine)

        let found = quarantine.entries[c.table, default: []]
        #expect(found.map(\.reason) == [c.kind.reason], "\(c): \(found.map { "line \($0.line) \($0.reason.code) \($0.detail)" })")
        // The bad row is reported at the line where it starts: header is line 1.
        let expectedLine = 2 + c.row + (c.kind == .duplicatePatient ? 1 : 0)
        #expect(found.first?.line == expectedLine, "\(c)")
        // Rows as synth counts them: one per corrupted row, two for a duplicated one.
        let report = try #require(result.tables.first { $0.table == c.table })
        #expect(report.rowsRead == 2 + (c.kind == .duplicatePatient ? 1 : 0), "\(c)")
        #expect(report.rowsAccepted == report.rowsRead - 1, "\(c)")

        // The other tables: a patient row that is gone takes its events and issues with it
        // (unknown_patient_id, which synth's manifest counts as the cascade); nothing else.
        let patientGone = c.table == .patients && c.kind != .duplicatePatient
        for t in ExtractTable.allCases where t != c.table {
            let reasons = quarantine.entries[t, default: []].map(\.reason)
            #expect(reasons == (patientGone ? [.unknownPatientID] : []), "\(c): \(t.rawValue) \(reasons)")
            if patientGone { #expect(quarantine.entries[t]?.first?.line == 2 + c.row) }
        }
    }
}
