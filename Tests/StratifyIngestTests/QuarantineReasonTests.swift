import Testing
import StratifyCore
@testable import StratifyIngest

// One test per quarantine reason, end to end through ExtractReader.

@Test func fieldCountTooFewAndTooMany() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        eventRow("P1"),
        "P1,2024-01-15,38341003",
        "P1,2024-01-15,38341003,,extra",
    ])
    let out = try read(folder)
    #expect(out.entries(.clinicalEvents).map(\.reason) == [.fieldCount, .fieldCount])
    #expect(out.entries(.clinicalEvents).map(\.line) == [3, 4])
    #expect(out.entries(.clinicalEvents).allSatisfy { $0.column.isEmpty })
    #expect(out.sink.events.count == 1)
}

@Test func fieldCountBlankLine() throws {
    let folder = extract(patients: [patientRow("P1"), "", patientRow("P2")], events: [eventRow("P2")])
    let out = try read(folder)
    #expect(out.entries(.patients).map(\.reason) == [.fieldCount])
    #expect(out.entries(.patients).first?.line == 3)
    #expect(out.entries(.patients).first?.record == [])
    #expect(out.report(.patients)?.rowsAccepted == 2)
    #expect(out.sink.events.count == 1)
}

@Test func fieldCountBrokenQuote() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        "P1,2024-01-15,\"38341003\"x,",
        "P1,2024-01-15,3834\"1003,",
        eventRow("P1"),
    ])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.fieldCount, .fieldCount])
    #expect(out.entries(.clinicalEvents).map(\.line) == [2, 3])
}

@Test func fieldCountQuoteOpenAtTheLineEndCostsOnlyThatLine() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        eventRow("P1"),
        "P1,2024-01-15,\"3834\n1003\",142",
        eventRow("P1", code: "38341004"),
    ])
    let out = try read(folder)
    // Line 3 opens a quote it does not close; line 4 is a record of its own (a broken quote).
    #expect(out.reasons(.clinicalEvents) == [.fieldCount, .fieldCount, .invalidSNOMEDCheckDigit])
    #expect(out.entries(.clinicalEvents).map(\.line) == [3, 4, 5])
    #expect(out.entries(.clinicalEvents).first?.record == Array("P1,2024-01-15,\"3834".utf8))
    #expect(out.report(.clinicalEvents)?.rowsRead == 4)
}

@Test func invalidUTF8() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", Array(csv([eventsHeader, eventRow("P1")]).utf8)
        + Array("P1,2024-01-15,38341003,1".utf8) + [0xC3, 0x28] + [0x0A]
        + Array(csv([eventRow("P1", value: "café")]).utf8))
    let out = try read(folder)
    // "café" is valid UTF-8: that row fails only its shape.
    #expect(out.reasons(.clinicalEvents) == [.invalidUTF8, .invalidValue])
    #expect(out.entries(.clinicalEvents).map(\.line) == [3, 4])
    #expect(out.entries(.clinicalEvents).first?.column == "")
}

@Test func missingRequiredField() throws {
    let folder = extract(
        patients: [patientRow("P1"), patientRow("P2", sex: ""), patientRow("P3", practice: "  ")],
        events: [eventRow("P1", date: ""), eventRow("P1", code: "\"\""), eventRow("P1")])
    let out = try read(folder)
    #expect(out.reasons(.patients) == [.missingRequired, .missingRequired])
    #expect(out.entries(.patients).map(\.column) == ["sex", "practice_code"])
    #expect(out.reasons(.clinicalEvents) == [.missingRequired, .missingRequired])
    #expect(out.entries(.clinicalEvents).map(\.column) == ["date", "snomedct_code"])
}

@Test func emptyOptionalFieldsAreFine() throws {
    let folder = extract(
        patients: [patientRow("P1", nhs: "", death: "", registered: "", lsoa: "", ethnic: "")],
        events: [eventRow("P1", value: "")])
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.sink.events.first?.valueBits == Double.nan.bitPattern)
}

@Test func invalidValueDatesOfBirth() throws {
    let folder = extract(patients: [
        patientRow("P1", dob: "2025-07-01"),  // after the as-of date: valid, out of scope
        patientRow("P2", dob: "1899-12-31"),  // before 1900
        patientRow("P3", dob: "2020-02-30"),  // not a date
        patientRow("P4", dob: "2025-06-30"),  // the as-of date itself: fine
        patientRow("P5", dob: "1900-01-01"),  // the earliest allowed: fine
        patientRow("P6", dob: "1985-07"),     // month form: fine
        patientRow("P7", dob: "1985/07/14"),
    ], events: [])
    let out = try read(folder)
    #expect(out.reasons(.patients) == [.invalidValue, .invalidValue, .invalidValue])
    #expect(out.entries(.patients).map(\.line) == [3, 4, 8])
    #expect(out.entries(.patients).allSatisfy { $0.column == "date_of_birth" })
    #expect(out.result.patients.dateOfBirth == [Day(year: 2025, month: 7, day: 1)!.rawValue,
                                                Day(year: 2025, month: 6, day: 30)!.rawValue,
                                                Day(year: 1900, month: 1, day: 1)!.rawValue,
                                                Day(year: 1985, month: 7, day: 1)!.rawValue])
}

@Test func invalidValueOtherPatientColumns() throws {
    let folder = extract(patients: [
        patientRow("P 1"), patientRow("P2", nhs: "943-476-5919"), patientRow("P3", sex: "woman"),
        patientRow("P4", death: "2024-13-01"), patientRow("P5", practice: "m83001"),
        patientRow("P6", registered: "2024-1-1"), patientRow("P7", lsoa: "E02000001"), patientRow("P8", ethnic: "O"),
    ], events: [])
    let out = try read(folder)
    #expect(out.reasons(.patients) == Array(repeating: .invalidValue, count: 8))
    #expect(out.entries(.patients).map(\.column) == ["patient_id", "nhs_number", "sex", "date_of_death", "practice_code",
                                                     "registration_start_date", "lsoa_code", "ethnic_category"])
}

@Test func invalidValueEventColumns() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        eventRow("P1", date: "2024-02-30"), eventRow("P1", code: "038341003"), eventRow("P1", code: "12345"),
        eventRow("P1", value: "1e5"), eventRow("P1", value: ".5"), eventRow("P1", value: "\"1\"\"2\""),
    ])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == Array(repeating: .invalidValue, count: 6))
    #expect(out.entries(.clinicalEvents).map(\.column) == ["date", "snomedct_code", "snomedct_code", "numeric_value",
                                                           "numeric_value", "numeric_value"])
}

@Test func invalidNHSNumber() throws {
    let folder = extract(patients: [
        patientRow("P1", nhs: "9434765918"), patientRow("P2", nhs: "943 476 5919"), patientRow("P3", nhs: "1234567890"),
    ], events: [])
    let out = try read(folder)
    #expect(out.reasons(.patients) == [.invalidNHSNumber, .invalidNHSNumber])
    #expect(out.entries(.patients).map(\.line) == [2, 4])
    #expect(out.entries(.patients).allSatisfy { $0.column == "nhs_number" })
    #expect(out.result.patients.nhsNumber == [9_434_765_919])
}

@Test func invalidSNOMEDCheckDigit() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        eventRow("P1", code: "38341004"), eventRow("P1", code: asthma), eventRow("P1", code: "195967002"),
    ])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.invalidSNOMEDCheckDigit, .invalidSNOMEDCheckDigit])
    #expect(out.entries(.clinicalEvents).map(\.line) == [2, 4])
    #expect(out.entries(.clinicalEvents).allSatisfy { $0.column == "snomedct_code" })
    #expect(out.sink.events.map(\.code) == [195_967_001])
}

@Test func dmdCodesHaveNoCheckDigit() throws {
    // The contract asks dm+d ids for 6-18 digits only; 38341004 fails Verhoeff but is accepted.
    let folder = extract(patients: [patientRow("P1")], events: [],
                         medications: ["P1,2024-01-15,38341004", "P1,2024-01-15,0123456", "P1,2024-01-15,"])
    let out = try read(folder)
    #expect(out.reasons(.medications) == [.invalidValue, .missingRequired])
    #expect(out.sink.medications.map(\.code) == [38_341_004])
}

@Test func duplicatePatientIDFirstValidRowWins() throws {
    let folder = extract(patients: [
        patientRow("P1", dob: "1970-01-01"),
        patientRow("P1", dob: "1980-01-01"),
        patientRow("P2", sex: "bad"),        // invalid: does not claim P2
        patientRow("P2", dob: "1990-01-01"),
        patientRow("P2", dob: "1991-01-01"),
    ], events: [])
    let out = try read(folder)
    #expect(out.reasons(.patients) == [.duplicatePatientID, .invalidValue, .duplicatePatientID])
    #expect(out.entries(.patients).map(\.line) == [3, 4, 6])
    #expect(out.entries(.patients).first?.column == "patient_id")
    #expect(out.result.patients.dateOfBirth == [0, Day(year: 1990, month: 1, day: 1)!.rawValue])
    #expect(out.entries(.patients).first?.record == Array(patientRow("P1", dob: "1980-01-01").utf8))
}

@Test func unknownPatientIDIncludesPatientsWhoseRowWasQuarantined() throws {
    let folder = extract(patients: [patientRow("P1"), patientRow("P2", dob: "1850-01-01")],
                         events: [eventRow("P1"), eventRow("P2"), eventRow("P9")],
                         medications: ["P2,2024-01-15,123456", "P1,2024-01-15,123456", "P9,2024-01-15,123456"])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.unknownPatientID, .unknownPatientID])
    #expect(out.entries(.clinicalEvents).map(\.line) == [3, 4])
    #expect(out.reasons(.medications) == [.unknownPatientID, .unknownPatientID])
    #expect(out.entries(.medications).map(\.line) == [2, 4])
    #expect(out.sink.events.map(\.patient) == [0])
    #expect(out.sink.medications.map(\.patient) == [0])
}

@Test func reasonCodesAreStable() {
    #expect(QuarantineReason.allCases.map(\.code) == [
        "field_count", "invalid_utf8", "missing_required", "invalid_value", "invalid_nhs_number",
        "invalid_snomed_check_digit", "duplicate_patient_id", "unknown_patient_id",
    ])
    #expect(QuarantineReason.allCases.map(\.rawValue) == Array(1...8))
}
