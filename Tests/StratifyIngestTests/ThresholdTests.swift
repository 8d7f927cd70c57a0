import Testing
import StratifyCore
@testable import StratifyIngest

/// An extract with `rows` events of which `bad` have an unknown patient.
private func events(rows: Int, bad: Int) -> TempFolder {
    extract(patients: [patientRow("P1")],
            events: (0..<rows).map { $0 < bad ? eventRow("P9") : eventRow("P1") })
}

@Test func exactlyOnePercentIsNotOver() throws {
    for rows in [100, 200, 300, 1000, 2500] {
        let out = try read(events(rows: rows, bad: rows / 100))
        #expect(out.report(.clinicalEvents)?.rowsQuarantined == rows / 100)
        #expect(out.result.tablesOverThreshold.isEmpty, "\(rows) rows")
    }
}

@Test func justAboveOnePercentIsOver() throws {
    let out = try read(events(rows: 199, bad: 2))
    #expect(out.result.tablesOverThreshold == [.clinicalEvents])
    let more = try read(events(rows: 100, bad: 2))
    #expect(more.result.tablesOverThreshold == [.clinicalEvents])
}

@Test func exactShareIsNotOverForThresholdsWithoutAnExactBinaryForm() throws {
    // 0.29 * 100 is 28.999999999999996 in binary floating point: 29 of 100 must still not be over.
    for (threshold, bad) in [(0.29, 29), (0.57, 57), (0.07, 7)] {
        let out = try read(events(rows: 100, bad: bad)) { $0.quarantineThreshold = threshold }
        #expect(out.result.tablesOverThreshold.isEmpty, "threshold \(threshold)")
        let over = try read(events(rows: 100, bad: bad + 1)) { $0.quarantineThreshold = threshold }
        #expect(over.result.tablesOverThreshold == [.clinicalEvents], "threshold \(threshold)")
    }
}

@Test func zeroThresholdFailsOnAnyQuarantinedRow() throws {
    let clean = try read(events(rows: 50, bad: 0)) { $0.quarantineThreshold = 0 }
    #expect(clean.result.tablesOverThreshold.isEmpty)
    let one = try read(events(rows: 50, bad: 1)) { $0.quarantineThreshold = 0 }
    #expect(one.result.tablesOverThreshold == [.clinicalEvents])
}

@Test func eachTableIsJudgedOnItsOwnRows() throws {
    // 1 of 2 patients quarantined (50%); events all fine.
    let folder = extract(patients: [patientRow("P1"), patientRow("P2", sex: "")], events: [eventRow("P1")])
    let out = try read(folder)
    #expect(out.result.tablesOverThreshold == [.patients])
}
