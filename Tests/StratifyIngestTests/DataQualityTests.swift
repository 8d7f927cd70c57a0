import Testing
import StratifyCore
@testable import StratifyIngest

// Valid rows that are out of scope are accepted and counted, never quarantined. As-of: 2025-06-30.

@Test func eventsAfterAsOfAreAcceptedAndCounted() throws {
    let folder = extract(patients: [patientRow("P1")], events: [
        eventRow("P1", date: "2025-06-30"), eventRow("P1", date: "2025-07-01"), eventRow("P1", date: "2031-01-01"),
    ], medications: ["P1,2025-06-30,123456", "P1,2025-07-01,123456"])
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.sink.events.count == 3)
    #expect(out.result.dataQuality.eventsAfterAsOf == 2)
    #expect(out.result.dataQuality.medicationsAfterAsOf == 1)
}

@Test func eventsBeforeBirthAreAcceptedAndCounted() throws {
    let folder = extract(patients: [patientRow("P1", dob: "1980-05-17"), patientRow("P2", dob: "1980-05")], events: [
        eventRow("P1", date: "1980-05-16"), eventRow("P1", date: "1980-05-17"),
        eventRow("P2", date: "1980-04-30"), eventRow("P2", date: "1980-05-01"),
    ], medications: ["P1,1970-01-01,123456"])
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.sink.events.count == 4)
    #expect(out.result.dataQuality.eventsBeforeBirth == 2)
    #expect(out.result.dataQuality.medicationsBeforeBirth == 1)
}

@Test func patientsWhoDiedOnOrBeforeAsOfAreAcceptedAndCounted() throws {
    let folder = extract(patients: [
        patientRow("P1", death: "2025-06-30"), patientRow("P2", death: "2020-01-01"), patientRow("P3", death: "2025-07-01"),
        patientRow("P4"),
    ], events: [])
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.result.patients.count == 4)
    #expect(out.result.dataQuality.patientsDiedOnOrBeforeAsOf == 2)
}

@Test func registrationsAfterAsOfAreAcceptedAndCounted() throws {
    let folder = extract(patients: [
        patientRow("P1", registered: "2025-07-01"), patientRow("P2", registered: "2025-06-30"), patientRow("P3", registered: ""),
    ], events: [])
    let out = try read(folder)
    #expect(out.quarantine.entries.isEmpty)
    #expect(out.result.patients.count == 3)
    #expect(out.result.dataQuality.patientsRegisteredAfterAsOf == 1)
}

@Test func quarantinedRowsAreNotCountedAsOutOfScope() throws {
    let folder = extract(patients: [patientRow("P1"), patientRow("P1", death: "2020-01-01")],
                         events: [eventRow("P9", date: "2030-01-01"), eventRow("P1", date: "2030-01-01", code: "38341004")])
    let out = try read(folder)
    #expect(out.result.dataQuality == DataQualityCounts())
}
