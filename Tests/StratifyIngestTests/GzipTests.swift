import Testing
import StratifyCore
@testable import StratifyIngest

private let patientLines = [patientsHeader] + (1...40).map { patientRow("P\($0)", dob: "19\(50 + $0 % 40)-0\(1 + $0 % 9)-1\($0 % 10)") }
    + [patientRow("P1"), patientRow("P99", sex: "?")]
private let eventLines = [eventsHeader] + (1...400).map { i in
    eventRow("P\(1 + i % 45)", date: "2024-0\(1 + i % 9)-2\(i % 8)", code: [hypertension, asthma, diabetes, "38341004"][i % 4],
             value: i % 3 == 0 ? "" : "\(i).\(i % 7)")
}

private func same(_ a: Outcome, _ b: Outcome) {
    #expect(a.sink.events == b.sink.events)
    #expect(a.quarantine.entries == b.quarantine.entries)
    #expect(a.result.tables.map(\.rowsRead) == b.result.tables.map(\.rowsRead))
    #expect(a.result.tables.map(\.rowsAccepted) == b.result.tables.map(\.rowsAccepted))
}

@Test func gzipFilesReadLikePlainFiles() throws {
    let plain = TempFolder()
    plain.write("patients.csv", csv(patientLines))
    plain.write("clinical_events.csv", csv(eventLines))
    let packed = TempFolder()
    packed.write("patients.csv.gz", gzip(Array(csv(patientLines).utf8)))
    packed.write("clinical_events.csv.gz", gzip(Array(csv(eventLines).utf8)))
    let a = try read(plain), b = try read(packed)
    same(a, b)
    #expect(b.result.tables.map(\.gzip) == [true, true])
    #expect(a.sink.events.count > 100)
    #expect(!a.quarantine.entries.isEmpty)
}

@Test func multiMemberGzipReadsEveryMember() throws {
    let plain = TempFolder()
    plain.write("patients.csv", csv(patientLines))
    plain.write("clinical_events.csv", csv(eventLines))
    let text = Array(csv(eventLines).utf8)
    // Split mid-line: members are a byte stream, not a record stream.
    let cut = text.count / 2 + 3
    let packed = TempFolder()
    packed.write("patients.csv", csv(patientLines))
    packed.write("clinical_events.csv.gz", gzip(Array(text[..<cut])) + gzip(Array(text[cut...])))
    let a = try read(plain), b = try read(packed)
    same(a, b)
    #expect(b.report(.clinicalEvents)?.rowsRead == eventLines.count - 1)
}

@Test func truncatedGzipIsAnInputDataError() {
    let packed = TempFolder()
    packed.write("patients.csv", csv(patientLines))
    let whole = gzip(Array(csv(eventLines).utf8))
    packed.write("clinical_events.csv.gz", Array(whole.dropLast(20)))
    let error = readError(packed)
    #expect(error?.kind == .inputData)
    let message = error?.message ?? ""
    #expect(message.contains("truncated") || message.contains("gzip"))
    #expect(message.contains("clinical_events.csv.gz"))
}

@Test func corruptGzipIsAnInputDataError() {
    let packed = TempFolder()
    packed.write("patients.csv", csv(patientLines))
    var bytes = gzip(Array(csv(eventLines).utf8))
    for i in 20..<40 { bytes[i] ^= 0x5A }
    packed.write("clinical_events.csv.gz", bytes)
    #expect(readError(packed)?.kind == .inputData)
}

@Test func notGzipAtAllIsAnInputDataError() {
    let packed = TempFolder()
    packed.write("patients.csv", csv(patientLines))
    packed.write("clinical_events.csv.gz", csv(eventLines))
    #expect(readError(packed)?.kind == .inputData)
}
