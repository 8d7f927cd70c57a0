#if canImport(Glibc)
import Glibc
#endif
import Testing
import StratifyCore
@testable import StratifyIngest

// The revised input contract (extract-format.md, 2026-12-06) against broken or hostile inputs:
// bounded memory and disk, exact counts, no patient value in any message.

// MARK: - Line-length limit

@Test func aLineOverTheLimitInsideABlockIsOneMalformedRow() throws {
    let long = "P1,2024-01-15,38341003," + String(repeating: "9", count: 300)
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1"), long, eventRow("P1")])
    let out = try read(folder) { $0.maxLineBytes = 200 }
    #expect(out.reasons(.clinicalEvents) == [.fieldCount])
    #expect(out.entries(.clinicalEvents).map(\.line) == [3])
    #expect(out.entries(.clinicalEvents).first?.detail
            == "a line of \(long.utf8.count) bytes, over the limit of 200 bytes; the record keeps its first 4096 bytes")
    #expect(out.report(.clinicalEvents)?.rowsRead == 3)
    #expect(out.sink.events.count == 2)
}

@Test func aLineLongerThanTheBufferIsSkippedWhileStreamingAndKeepsItsFirst4KiB() throws {
    let long = "P1,2024-01-15," + String(repeating: "7", count: 50_000)
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1"), long, eventRow("P1", value: "5")])
    for tokenizer in [TokenizerKind.swar, .scalar] {
        let out = try read(folder) { $0.blockSize = 1000; $0.maxLineBytes = 500; $0.tokenizer = tokenizer }
        let entries = out.entries(.clinicalEvents)
        #expect(entries.map(\.line) == [3])
        #expect(entries.first?.record == Array(long.utf8.prefix(4096)))
        #expect(entries.first?.detail.hasPrefix("a line of \(long.utf8.count) bytes") == true)
        #expect(out.sink.events.count == 2)
        #expect(out.report(.clinicalEvents)?.rowsRead == 3)
    }
}

@Test func anOverLongCRLFLineCountsItsLengthWithoutTheLineEnd() throws {
    let long = String(repeating: "a", count: 3000)
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", eventsHeader + "\r\n" + long + "\r\n" + eventRow("P1") + "\r\n")
    let out = try read(folder) { $0.blockSize = 1000; $0.maxLineBytes = 500 }
    #expect(out.entries(.clinicalEvents).first?.detail.hasPrefix("a line of 3000 bytes") == true)
    #expect(out.sink.events.count == 1)
}

@Test func aFileOfNULBytesWithNoLineFeedIsOneRowAndNeverHeldWhole() throws {
    // 3 MB of NULs after the header, gzip-compressed: one line, over the limit.
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv.gz", gzip(Array((eventsHeader + "\n").utf8) + [UInt8](repeating: 0, count: 3 << 20)))
    let out = try read(folder) { $0.blockSize = 1 << 16; $0.maxLineBytes = 1 << 15 }
    #expect(out.report(.clinicalEvents)?.rowsRead == 1)
    #expect(out.entries(.clinicalEvents).first?.record.count == 4096)
    #expect(out.entries(.clinicalEvents).first?.detail.hasPrefix("a line of \(3 << 20) bytes") == true)
}

@Test func aHeaderLineOverTheLimitIsFatalWithoutReadingOnAndNotEchoed() {
    let folder = TempFolder()
    folder.write("patients.csv", "patient_id" + String(repeating: "Z", count: 5000) + "\n")
    folder.write("clinical_events.csv", csv([eventsHeader]))
    let error = readError(folder) { $0.blockSize = 1000; $0.maxLineBytes = 500 }
    #expect(error?.kind == .inputData)
    #expect(error?.message.contains("no line end in its first 1000 bytes, over the limit of 500 bytes") == true)
    #expect(error?.message.contains("ZZZ") == false)
}

@Test func aHeaderLineOverTheLimitThatFitsInTheBufferIsFatal() {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader + "," + String(repeating: "Z", count: 700), patientRow("P1")]))
    folder.write("clinical_events.csv", csv([eventsHeader]))
    let error = readError(folder) { $0.blockSize = 4096; $0.maxLineBytes = 500 }
    #expect(error?.message.contains("the first line is \(patientsHeader.utf8.count + 701) bytes long, over the limit of 500 bytes") == true)
}

// MARK: - Quarantine cap

@Test func theQuarantineCapBoundsWrittenRowsAndKeepsCountsExact() throws {
    let folder = extract(patients: [patientRow("P1")], events: Array(repeating: "", count: 1000) + [eventRow("P1")])
    let out = try read(folder) { $0.quarantineCap = 10 }
    #expect(out.entries(.clinicalEvents).count == 10)
    #expect(out.entries(.clinicalEvents).map(\.line) == Array(2...11))
    let report = out.report(.clinicalEvents)
    #expect(report?.rowsQuarantined == 1000)
    #expect(report?.quarantinedByReason[.fieldCount] == 1000)
    #expect(report?.quarantineRowsLeftOut == 990)
    #expect(report?.rowsRead == 1001)
}

@Test func theQuarantineCapHoldsAcrossChunksAndThreads() throws {
    let folder = extract(patients: [patientRow("P1")], events: Array(repeating: "", count: 5000))
    let out = try read(folder) { $0.quarantineCap = 7; $0.threads = 3; $0.blockSize = 4096; $0.maxLineBytes = 1024 }
    #expect(out.entries(.clinicalEvents).count == 7)
    #expect(out.report(.clinicalEvents)?.quarantineRowsLeftOut == 4993)
}

// MARK: - Births after the as-of date

@Test func aPatientBornAfterTheAsOfDateIsAcceptedAndCounted() throws {
    let folder = extract(patients: [patientRow("P1"), patientRow("P2", dob: "2026-01-01")],
                         events: [eventRow("P2"), eventRow("P1")], medications: ["P2,2026-02-01,123456"])
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.result.patients.count == 2)
    #expect(out.result.dataQuality.patientsBornAfterAsOf == 1)
    // Their events and medications are accepted, not "unknown patient".
    #expect(out.sink.events.count == 2)
    #expect(out.sink.medications.count == 1)
}

// MARK: - Warnings

@Test func aTableWithOnlyAHeaderIsAWarning() throws {
    let folder = extract(patients: [patientRow("P1")], events: [], medications: [])
    let out = try read(folder)
    #expect(out.result.warnings == ["clinical_events.csv has a header and no rows", "medications.csv has a header and no rows"])
    #expect(out.result.emptyTables == [.clinicalEvents, .medications])
}

@Test func aMissingMedicationsTableIsAWarning() throws {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1")])
    let out = try read(folder)
    #expect(out.result.warnings == [ExtractReader.missingMedications])
}

@Test func requireMedicationsMakesAMissingMedicationsTableFatalBeforeAnyRow() {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1")])
    var options = IngestOptions(asOf: asOf)
    options.requireMedications = true
    #expect(throws: StratifyError.self) { _ = try ExtractReader(directory: folder.path, options: options) }
    #expect(readError(folder) { $0.requireMedications = true }?.kind == .inputData)
}

// MARK: - Header privacy and delimiter

/// A patients.csv whose header line was deleted: its first line is a patient.
private let firstPatient = patientRow("Pzq81", nhs: "9434765919", dob: "1962-03-14", lsoa: "E01000123")
private let patientValues = ["Pzq81", "9434765919", "1962-03-14", "E01000123", "M83001"]

@Test func aHeaderWithNoKnownColumnIsNoHeaderLineAndNeverEchoed() {
    let folder = TempFolder()
    folder.write("patients.csv", csv([firstPatient, patientRow("P2")]))
    folder.write("clinical_events.csv", csv([eventsHeader]))
    let error = readError(folder)
    #expect(error?.kind == .inputData)
    let text = (error?.message ?? "") + (error?.help ?? "")
    #expect(text.contains("no header line"))
    #expect(text.contains("it has 9 fields"))
    for v in patientValues { #expect(!text.contains(v), "\(v) echoed: \(text)") }
}

@Test func cellsNotShapedLikeColumnNamesAreCountedNotListed() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader + ",extra_note,2024-01-01,123456,Q-9", patientRow("P1") + ",a,b,c,d"]))
    folder.write("clinical_events.csv", csv([eventsHeader]))
    let out = try read(folder)
    #expect(out.report(.patients)?.unknownColumns == ["extra_note"])
    #expect(out.report(.patients)?.unknownColumnsNotShown == 3)
}

@Test func aCROnlyFileListsNoEventValueAsAColumn() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("Pab12")]))
    let rows = [eventsHeader, eventRow("Pab12", value: "142"), eventRow("Pcd34", code: "195967001"), eventRow("Pab12")]
    folder.write("clinical_events.csv", rows.joined(separator: "\r") + "\r")
    let out = try read(folder)
    let report = out.report(.clinicalEvents)
    #expect(report?.unknownColumns == [])
    #expect((report?.unknownColumnsNotShown ?? 0) > 0)
    #expect(report?.rowsRead == 0)
}

@Test func aMissingRequiredColumnListsOnlyNameShapedCells() {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", csv(["patient_id,2024-01-15,38341003", "P1,2024-01-15,38341003"]))
    let message = readError(folder)?.message ?? ""
    #expect(message.contains("required column 'date' is missing"))
    #expect(message.contains("'patient_id'"))
    #expect(message.contains("2 cells not shaped like a column name"))
    #expect(!message.contains("2024-01-15") && !message.contains("38341003"))
}

@Test(arguments: [("\t", "tab"), (";", "semicolon")])
func aFileSeparatedByAnotherDelimiterIsFatalAndNamesIt(separator: String, name: String) {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", csv([["patient_id", "date", "snomedct_code"].joined(separator: separator),
                                             ["P1", "2024-01-15", "38341003"].joined(separator: separator)]))
    let error = readError(folder)
    #expect(error?.kind == .inputData)
    #expect(error?.message.contains("\(name)-separated") == true)
}

// MARK: - Regular files only

@Test func aFIFOInPlaceOfATableIsRefusedWithoutBlocking() {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1")])
    #expect(mkfifo(folder.path + "/medications.csv", 0o600) == 0)
    // Opening a FIFO for reading without O_NONBLOCK would wait here for a writer forever.
    do {
        _ = try ExtractFiles(directory: folder.path)
        Issue.record("a FIFO was accepted")
    } catch {
        #expect(error.kind == .inputData)
        #expect(error.message.contains("a FIFO"))
    }
}

@Test func aDeviceLinkedInPlaceOfATableIsRefused() {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    #expect(symlink("/dev/zero", folder.path + "/clinical_events.csv") == 0)
    let error = readError(folder)
    #expect(error?.kind == .inputData)
    #expect(error?.message.contains("a device") == true)
}

@Test func aFolderInPlaceOfATableIsRefused() {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    #expect(mkdir(folder.path + "/clinical_events.csv", 0o700) == 0)
    #expect(readError(folder)?.message.contains("a folder") == true)
}

@Test func aSymbolicLinkToARegularFileIsRead() throws {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1")])
    #expect(rename(folder.path + "/clinical_events.csv", folder.path + "/events-real.csv") == 0)
    #expect(symlink(folder.path + "/events-real.csv", folder.path + "/clinical_events.csv") == 0)
    let out = try read(folder)
    #expect(out.sink.events.count == 1)
}

// MARK: - Privacy over the whole corpus

@Test func noBadInputPutsACellValueInAnErrorOrReport() {
    // Each case: files to write, and values that must appear in no message, detail or column list.
    let cases: [(String, [(String, String)])] = [
        ("header deleted", [("patients.csv", csv([firstPatient])), ("clinical_events.csv", csv([eventsHeader]))]),
        ("CR-only patients", [("patients.csv", [patientsHeader, firstPatient].joined(separator: "\r")),
                              ("clinical_events.csv", csv([eventsHeader]))]),
        ("events header deleted", [("patients.csv", csv([patientsHeader, firstPatient])),
                                   ("clinical_events.csv", csv([eventRow("Pzq81", date: "1962-03-14")]))]),
        ("tab-separated", [("patients.csv", csv([patientsHeader.replacingCommas("\t"), firstPatient.replacingCommas("\t")])),
                           ("clinical_events.csv", csv([eventsHeader]))]),
        ("duplicate data cell", [("patients.csv", csv([patientsHeader + ",1962-03-14,1962-03-14", firstPatient + ",x,y"])),
                                 ("clinical_events.csv", csv([eventsHeader]))]),
        ("bad rows", [("patients.csv", csv([patientsHeader, firstPatient, "\"Pzq81,9434765919", String(repeating: "E01000123", count: 100)])),
                      ("clinical_events.csv", csv([eventsHeader, eventRow("Pzq81", date: "1962-03-14", value: "9434765919")]))]),
    ]
    for (name, files) in cases {
        let folder = TempFolder()
        for (file, text) in files { folder.write(file, text) }
        var texts: [String] = []
        do {
            let out = try read(folder) { $0.maxLineBytes = 500 }
            texts += out.result.warnings
            for t in out.result.tables { texts += t.unknownColumns }
            texts += out.quarantine.entries.map(\.detail)
            texts += out.result.tables.flatMap { $0.quarantined.expectation.values }
        } catch {
            texts += [error.message, error.help ?? ""]
        }
        for text in texts {
            for v in patientValues { #expect(!text.contains(v), "\(name): '\(v)' in \(text)") }
        }
    }
}

private extension String {
    func replacingCommas(_ s: String) -> String { split(separator: ",", omittingEmptySubsequences: false).joined(separator: s) }
}
