import Testing
import StratifyCore
@testable import StratifyIngest

@Test func lineNumbersCountTheHeaderAndEveryPhysicalLine() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        eventRow("P1"),                              // line 2
        eventRow("P1", value: "x"),                  // line 3
        "P1,2024-01-15,\"a\nb\nc\",1",               // lines 4-6: three bad rows
        eventRow("P1", value: "y"),                  // line 7
        "",                                          // line 8
        eventRow("P1", value: "z"),                  // line 9
    ])
    let out = try read(folder)
    #expect(out.entries(.clinicalEvents).map(\.line) == [3, 4, 5, 6, 7, 8, 9])
    #expect(out.report(.clinicalEvents)?.rowsRead == 8)
}

@Test func crlfLineNumbersMatchLF() throws {
    let folder = TempFolder()
    folder.write("patients.csv", csv([patientsHeader, patientRow("P1")]))
    folder.write("clinical_events.csv", [eventsHeader, eventRow("P1"), eventRow("P1", value: "x"), "P1,\"2024\r\n\",1,2",
                                         eventRow("P1", value: "y")].map { $0 + "\r\n" }.joined())
    let out = try read(folder)
    #expect(out.entries(.clinicalEvents).map(\.line) == [3, 4, 5, 6])
    #expect(out.entries(.clinicalEvents).first?.record == Array(eventRow("P1", value: "x").utf8))
}

@Test func rowsReadEqualsAcceptedPlusQuarantinedForEveryTable() throws {
    let folder = extract(
        patients: [patientRow("P1"), patientRow("P1"), patientRow("P2", sex: ""), "", patientRow("P3", nhs: "1234567890"),
                   patientRow("P4")],
        events: [eventRow("P1"), eventRow("P2"), eventRow("P4", code: "1"), eventRow("P4", date: "2024-02-30"),
                 "P1,2024-01-01,\"x\ny\",", eventRow("P4", value: "-3.5")],
        medications: ["P1,2024-01-01,123456", "P2,2024-01-01,123456", "P4,2024-01-01,12"])
    let out = try read(folder)
    let expected: [ExtractTable: (read: Int, accepted: Int)] = [
        .patients: (6, 2), .clinicalEvents: (7, 2), .medications: (3, 1),
    ]
    #expect(out.result.tables.count == 3)
    for report in out.result.tables {
        #expect(report.rowsRead == report.rowsAccepted + report.rowsQuarantined, "\(report.table)")
        #expect(report.rowsRead == expected[report.table]?.read, "\(report.table)")
        #expect(report.rowsAccepted == expected[report.table]?.accepted, "\(report.table)")
        #expect(report.rowsQuarantined == out.entries(report.table).count, "\(report.table)")
    }
    #expect(out.sink.events.count == 2)
    #expect(out.result.patients.count == 2)
}

@Test func quarantineCountsByReasonMatchTheEntries() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        eventRow("P1", code: "38341004"), eventRow("P2"), eventRow("P3"), eventRow("P1", date: ""),
    ])
    let out = try read(folder)
    #expect(out.report(.clinicalEvents)?.quarantinedByReason == [
        .invalidSNOMEDCheckDigit: 1, .unknownPatientID: 2, .missingRequired: 1,
    ])
}

@Test func detailsNeverHoldTheBadValue() throws {
    let badValues = ["1850-03-04", "2031-11-31", "2019-02-30", "m83001", "fmale", "943-476-5919", "9434765918",
                     "E02123456", "Q", "2020/05/05", "OddPatient.7", "38341004", "1e5", "0834100", "UnknownGhost"]
    let folder = extract(patients: [
        patientRow("P1", dob: "1850-03-04"), patientRow("P2", dob: "2031-11-31"), patientRow("P3", dob: "2019-02-30"),
        patientRow("P4", practice: "m83001"), patientRow("P5", sex: "fmale"), patientRow("P6", nhs: "943-476-5919"),
        patientRow("P7", nhs: "9434765918"), patientRow("P8", lsoa: "E02123456"), patientRow("P9", ethnic: "Q"),
        patientRow("P10", death: "2020/05/05"), patientRow("OddPatient.7"), patientRow("P11"),
    ], events: [
        eventRow("P11", code: "38341004"), eventRow("P11", value: "1e5"), eventRow("P11", code: "0834100"),
        eventRow("UnknownGhost"),
    ])
    let out = try read(folder)
    #expect(out.entries(.patients).count == 11)
    #expect(out.entries(.clinicalEvents).count == 4)
    for entry in out.quarantine.entries {
        #expect(!entry.detail.isEmpty, "\(entry)")
        for value in badValues { #expect(!entry.detail.contains(value), "\(entry): \(entry.detail)") }
    }
}

@Test func quarantinedRecordIsTheOriginalBytesWithoutTheLineEnding() throws {
    let row = "  P1 , 2024-01-15 ,\"38341004\",  "
    let folder = extract(patients: [patientRow("P1")], events: [row])
    let out = try read(folder)
    #expect(out.entries(.clinicalEvents).first?.record == Array(row.utf8))
}

/// A stray quote "closed" many lines later no longer joins those lines (records never span
/// lines): the two lines with a quote are quarantined alone, the lines between are accepted.
@Test func aQuoteOpenAtTheEndOfALineQuarantinesOnlyThatLine() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        "P1,2024-01-15,\"38341003,1",                 // line 2: a quote open at the line's end
        eventRow("P1"),                               // line 3
        eventRow("P1"),                               // line 4
        "P1,2024-01-15,38341003\",1",                 // line 5: a quote inside an unquoted field
        eventRow("P1"),                               // line 6
    ])
    let out = try read(folder)
    let entries = out.entries(.clinicalEvents)
    #expect(entries.map(\.line) == [2, 5])
    #expect(entries.first?.detail == "a quote still open at the end of the line")
    #expect(out.report(.clinicalEvents)?.rowsRead == 5)
    #expect(out.report(.clinicalEvents)?.rowsAccepted == 3)
}
