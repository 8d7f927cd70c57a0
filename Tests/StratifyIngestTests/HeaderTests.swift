import Testing
import StratifyCore
@testable import StratifyIngest

@Test func columnsAreMatchedByNameInAnyOrder() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([
        "sex,practice_code,date_of_birth,patient_id",
        "male,M83001,1970-01-01,P1",
    ]))
    folder.write("clinical_events.csv", csv(["numeric_value,snomedct_code,patient_id,date", "27.4,38341003,P1,2024-01-15"]))
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.result.patients.sex == [Sex.male.rawValue])
    #expect(out.result.patients.dateOfBirth == [0])
    #expect(out.sink.events == [AcceptedEvent(patient: 0, date: Day(year: 2024, month: 1, day: 15)!.rawValue,
                                              code: 38_341_003, valueBits: 27.4.bitPattern)])
}

@Test func headerNamesAreTrimmedAndUnknownColumnsListed() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([
        " patient_id ,extra_a, date_of_birth,sex,practice_code ,\"extra b\"",
        "P1,x,1970-01-01,F,M83001,y",
    ]))
    folder.write("clinical_events.csv", csv([eventsHeader + ",Date", eventRow("P1") + ",z"]))
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.report(.patients)?.unknownColumns == ["extra_a", "extra b"])
    // Names are matched exactly: "Date" is not "date".
    #expect(out.report(.clinicalEvents)?.unknownColumns == ["Date"])
    #expect(out.sink.events.count == 1)
}

@Test func missingRequiredColumnNamesFileColumnAndColumnsFound() {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", csv(["patient_id,Date,snomedct_code", "P1,2024-01-15,38341003"]))
    let error = readError(folder)
    #expect(error?.kind == .inputData)
    let message = error?.message ?? ""
    #expect(message.contains("clinical_events.csv"))
    #expect(message.contains("'date'"))
    for found in ["patient_id", "Date", "snomedct_code"] { #expect(message.contains(found), "\(found)") }
}

@Test func missingRequiredColumnIsReportedBeforeAnyRowIsRead() {
    // patients.csv is fine and has rows; the events header is bad. Opening the reader fails.
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", csv(["patient_id,date", "P1,2024-01-15"]))
    #expect(throws: StratifyError.self) { _ = try ExtractReader(directory: folder.path, options: IngestOptions(asOf: asOf)) }
}

@Test func optionalColumnsMayBeAbsent() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv(["patient_id,date_of_birth,sex,practice_code", "P1,1970-01-01,U,M83001"]))
    folder.write("clinical_events.csv", csv(["patient_id,date,snomedct_code", "P1,2024-01-15,38341003"]))
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.result.patients.nhsNumber == [0])
    #expect(out.sink.events.first?.valueBits == Double.nan.bitPattern)
}

@Test func bothPlainAndGzipFilesIsAnErrorNamingBoth() {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1")])
    folder.write("clinical_events.csv.gz", gzip(Array(csv([eventsHeader]).utf8)))
    let error = readError(folder)
    #expect(error?.kind == .inputData)
    #expect(error?.message.contains(folder.path + "/clinical_events.csv") == true)
    #expect(error?.message.contains(folder.path + "/clinical_events.csv.gz") == true)
}

@Test func missingPatientsFileIsInputDataError() {
    let folder = extract(patients: [], events: [])
    folder.remove("patients.csv")
    let error = readError(folder)
    #expect(error?.kind == .inputData)
    #expect(error?.message.contains("patients.csv") == true)
}

@Test func missingEventsFileIsInputDataError() {
    let folder = extract(patients: [], events: [])
    folder.remove("clinical_events.csv")
    #expect(readError(folder)?.kind == .inputData)
}

@Test func medicationsMayBeAbsent() throws {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1")])
    let out = try read(folder)
    #expect(!out.result.medicationsPresent)
    #expect(out.result.tables.map(\.table) == [.patients, .clinicalEvents])
}

@Test func medicationsPresentIsReported() throws {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1")], medications: ["P1,2024-01-15,123456"])
    let out = try read(folder)
    #expect(out.result.medicationsPresent)
    #expect(out.sink.medications.count == 1)
}

@Test func emptyFileIsInputDataError() {
    let folder = extract(patients: [patientRow("P1")], events: [])
    folder.write("clinical_events.csv", "")
    #expect(readError(folder)?.kind == .inputData)
}

@Test func headerOnlyTablesReadZeroRows() throws {
    let folder = extract(patients: [], events: [])
    let out = try read(folder)
    #expect(out.result.tables.map(\.rowsRead) == [0, 0])
    #expect(out.result.tablesOverThreshold.isEmpty)
}

@Test func byteOrderMarkAndCRLFReadLikePlainLF() throws {
    let patients = [patientsHeader, patientRow("P1"), patientRow("P2", sex: "x"), patientRow("P3", dob: "1999-09")]
    let events = [eventsHeader, eventRow("P1", value: "1.5"), eventRow("P3", code: asthma), "P1,\"2024\n\",1,",
                  eventRow("P9"), eventRow("P3", date: "2025-01-01", code: diabetes, value: "-2")]
    let plain = TempFolder()
    plain.write("patients.csv", csv(patients))
    plain.write("clinical_events.csv", csv(events))
    let windows = TempFolder()
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    windows.write("patients.csv", bom + Array(patients.map { $0 + "\r\n" }.joined().utf8))
    // The last line has no line ending.
    windows.write("clinical_events.csv", bom + Array(events.joined(separator: "\r\n").replacingOccurrences("\n\"", "\r\n\"").utf8))
    let a = try read(plain), b = try read(windows)
    #expect(a.sink.events == b.sink.events)
    #expect(a.sink.events.count == 3)
    #expect(a.result.patients.dateOfBirth == b.result.patients.dateOfBirth)
    #expect(a.quarantine.entries.map(\.line) == b.quarantine.entries.map(\.line))
    #expect(a.quarantine.entries.map(\.reason) == b.quarantine.entries.map(\.reason))
    #expect(a.quarantine.entries.map(\.column) == b.quarantine.entries.map(\.column))
    #expect(a.result.tables.map(\.rowsRead) == b.result.tables.map(\.rowsRead))
}

private extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

@Test func duplicateHeaderColumnIsInputDataError() {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader + ",sex", patientRow("P1") + ",F"]))
    folder.write("clinical_events.csv", csv([eventsHeader]))
    let error = readError(folder)
    #expect(error?.kind == .inputData)
    #expect(error?.message.contains("'sex'") == true)
}
