import Testing
import StratifyCore
@testable import StratifyIngest

private func expectMatches(_ out: Outcome, _ g: GeneratedExtract, _ label: String) {
    let got = out.quarantine.entries.map { ExpectedEntry(table: $0.table, line: $0.line, reason: $0.reason, column: $0.column) }
    #expect(got == g.expected, "\(label)")
    if got != g.expected {
        // Name the first difference rather than dumping thousands of entries.
        let i = (0..<min(got.count, g.expected.count)).first { got[$0] != g.expected[$0] } ?? min(got.count, g.expected.count)
        Issue.record("\(label): first difference at entry \(i): got \(i < got.count ? got[i].description : "-"), expected \(i < g.expected.count ? g.expected[i].description : "-")")
    }
    #expect(out.sink.events == g.acceptedEvents, "\(label)")
    #expect(out.sink.medications == g.acceptedMedications, "\(label)")
    for report in out.result.tables {
        #expect(report.rowsRead == report.rowsAccepted + report.rowsQuarantined, "\(label) \(report.table)")
    }
}

@Test func generatedExtractReadsAsWritten() throws {
    let g = GeneratedExtract(seed: 11, patientCount: 400, eventCount: 4000, medicationCount: 600, blobLines: 500)
    let folder = TempFolder()
    g.write(to: folder)
    let out = try read(folder)
    #expect(g.expected.count > 50)
    expectMatches(out, g, "default")
}

@Test func threadsBlockSizesAndTokenizersGiveIdenticalResults() throws {
    // About 1 MB of events with a quote opened mid-file and "closed" 5,000 lines below: each of
    // those lines is its own bad row, wherever the block and chunk boundaries fall.
    let g = GeneratedExtract(seed: 42, patientCount: 1500, eventCount: 20_000, medicationCount: 3000, blobLines: 5000)
    let folder = TempFolder()
    g.write(to: folder)
    var reference: Outcome?
    for tokenizer in [TokenizerKind.swar, .scalar] {
        for blockSize in [8 << 20, 4096, 1000] {
            for threads in [1, 2, 4] {
                let label = "\(tokenizer) block \(blockSize) threads \(threads)"
                let out = try read(folder) {
                    $0.tokenizer = tokenizer; $0.blockSize = blockSize; $0.maxLineBytes = blockSize / 2; $0.threads = threads
                }
                expectMatches(out, g, label)
                if let reference {
                    #expect(out.quarantine.entries == reference.quarantine.entries, "\(label)")
                    #expect(out.result.tables.map(\.rowsRead) == reference.result.tables.map(\.rowsRead), "\(label)")
                    #expect(out.result.dataQuality == reference.result.dataQuality, "\(label)")
                    #expect(out.result.patients.dateOfBirth == reference.result.patients.dateOfBirth, "\(label)")
                } else {
                    reference = out
                }
            }
        }
    }
}

@Test func linesOfAnOpenQuoteStraddlingTheFirstBlockBoundaryAreEachOneRow() throws {
    // Rows of 25 bytes; a quote opened (and "closed" 40 lines below) around byte 1000, where a
    // 1000-byte block ends: every one of those lines is its own bad row at any block size.
    var lines = [eventsHeader]
    var total = eventsHeader.utf8.count + 1
    var i = 0
    while total < 960 {
        let row = eventRow("P1", value: String(100 + i % 900))
        lines.append(row); total += row.utf8.count + 1; i += 1
    }
    lines.append("P1,2024-01-15,\"" + String(repeating: "x\n", count: 40) + "\",1")
    lines += (0..<50).map { eventRow("P1", value: "\($0)") } + [eventRow("P1", value: "bad")]
    let folder = extract(patients: [patientRow("P1")], events: Array(lines.dropFirst()))
    let reference = try read(folder)
    let first = lines.count - 51
    #expect(reference.entries(.clinicalEvents).map(\.line) == Array(first...(first + 40)) + [lines.count + 40])
    #expect(reference.reasons(.clinicalEvents) == Array(repeating: .fieldCount, count: 41) + [.invalidValue])
    for blockSize in [1000, 997, 1024, 1100] {
        for tokenizer in [TokenizerKind.swar, .scalar] {
            let out = try read(folder) { $0.blockSize = blockSize; $0.maxLineBytes = blockSize / 2; $0.tokenizer = tokenizer }
            #expect(out.quarantine.entries == reference.quarantine.entries, "block \(blockSize) \(tokenizer)")
            #expect(out.sink.events == reference.sink.events, "block \(blockSize) \(tokenizer)")
        }
    }
}

@Test func unterminatedQuoteInTheMiddleOfAFileSwallowsOnlyItsLineAtAnyBlockSize() throws {
    // A stray quote with no partner costs its own line only, at any block size.
    let rows = (0..<300).map { eventRow("P1", value: "\($0)") }
    let folder = extract(patients: [patientRow("P1")], events: Array(rows[..<100]) + ["P1,2024-01-15,\"38341003,1"] + Array(rows[100...]))
    for blockSize in [8 << 20, 1000, 4096] {
        for threads in [1, 3] {
            let out = try read(folder) { $0.blockSize = blockSize; $0.maxLineBytes = blockSize / 2; $0.threads = threads }
            #expect(out.reasons(.clinicalEvents) == [.fieldCount], "block \(blockSize)")
            #expect(out.entries(.clinicalEvents).map(\.line) == [102], "block \(blockSize)")
            #expect(out.sink.events.count == 300, "block \(blockSize)")
        }
    }
}
