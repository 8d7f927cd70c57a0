import Testing
import StratifyCore
@testable import StratifyIngest

// A row with several problems is quarantined once, under the first reason in contract order.

@Test func fieldCountBeatsInvalidUTF8() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", Array(csv([eventsHeader]).utf8) + Array("P1,2024-01-15,".utf8) + [0xFF, 0x0A])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.fieldCount])
}

@Test func invalidUTF8BeatsMissingRequired() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", Array(csv([eventsHeader]).utf8) + Array("P1,,38341003,".utf8) + [0xFF, 0x0A])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.invalidUTF8])
}

@Test func missingRequiredBeatsInvalidValue() throws {
    let folder = extract(patients: [patientRow("P1", dob: "not a date", sex: "")], events: [])
    let out = try read(folder)
    #expect(out.reasons(.patients) == [.missingRequired])
    #expect(out.entries(.patients).first?.column == "sex")
}

@Test func invalidValueInALaterColumnBeatsABadNHSCheckDigit() throws {
    let folder = extract(patients: [patientRow("P1", nhs: "9434765918", practice: "m83001")], events: [])
    let out = try read(folder)
    #expect(out.reasons(.patients) == [.invalidValue])
    #expect(out.entries(.patients).first?.column == "practice_code")
}

@Test func invalidNHSNumberBeatsDuplicate() throws {
    let folder = extract(patients: [patientRow("P1"), patientRow("P1", nhs: "9434765918")], events: [])
    let out = try read(folder)
    #expect(out.reasons(.patients) == [.invalidNHSNumber])
}

@Test func invalidValueBeatsABadSNOMEDCheckDigit() throws {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P1", code: "38341004", value: "1e5")])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.invalidValue])
    #expect(out.entries(.clinicalEvents).first?.column == "numeric_value")
}

@Test func badSNOMEDCheckDigitBeatsUnknownPatient() throws {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P9", code: "38341004")])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.invalidSNOMEDCheckDigit])
}

@Test func firstBadColumnInContractOrderIsReported() throws {
    // Columns in a different file order: the contract order still decides which is reported.
    let folder = TempFolder()
    folder.write("patients.csv", csv([
        "ethnic_category,sex,practice_code,date_of_birth,patient_id",
        "O,woman,m83001,1980-01-01,P1",
    ]))
    folder.write("clinical_events.csv", csv([eventsHeader]))
    let out = try read(folder)
    #expect(out.entries(.patients).map(\.column) == ["sex"])
}

// Events and medications look the patient up before checking the id's shape (an id found has an
// accepted patient's shape); the reasons must be those of shape-first.

@Test func badlyShapedUnknownIdIsAnInvalidValueNotAnUnknownPatient() throws {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P 1", code: "38341003")])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.invalidValue])
    #expect(out.entries(.clinicalEvents).first?.column == "patient_id")
}

@Test func badlyShapedIdBeatsABadDateEvenWhenAnotherRowFoundAPatient() throws {
    // The first row primes the previous-patient cache; the second's id differs by shape only.
    let folder = extract(patients: [patientRow("P1")],
                         events: [eventRow("P1", code: "38341003"), eventRow("P1!", date: "2024-13-01", code: "38341003")])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.invalidValue])
    #expect(out.entries(.clinicalEvents).first?.column == "patient_id")
}

@Test func quotedIdWithAnEscapedQuoteIsAnInvalidValue() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", csv([eventsHeader, "\"P\"\"1\",2024-01-15,38341003,"]))
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.invalidValue])
}

@Test func wellShapedUnknownIdWithABadDateIsTheDatesInvalidValue() throws {
    let folder = extract(patients: [patientRow("P1")], events: [eventRow("P9", date: "2024-02-30", code: "38341003")])
    let out = try read(folder)
    #expect(out.reasons(.clinicalEvents) == [.invalidValue])
    #expect(out.entries(.clinicalEvents).first?.column == "date")
}
