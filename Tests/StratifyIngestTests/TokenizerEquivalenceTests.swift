import Testing
import StratifyCore
@testable import StratifyIngest

/// Bytes the random inputs are built from, with weights: heavy on the dialect's structural bytes.
private let alphabet: [([UInt8], Int)] = [
    ([0x61], 20), ([0x2C], 12), ([0x22], 10), ([0x0D], 4), ([0x0A], 10), ([0x20], 8), ([0x31], 8),
    ([0xC3, 0xA9], 4), ([0xFF], 2),
]
private let totalWeight = alphabet.reduce(0) { $0 + $1.1 }

private func randomInput(_ rng: inout SeededRandom, maxLength: Int) -> [UInt8] {
    let length = rng.below(maxLength + 1)
    var out: [UInt8] = []
    // Some inputs favour long quote-free runs so that SWAR's 64-byte windows are crossed.
    let quoteFree = rng.chance(0.25)
    while out.count < length {
        var pick = rng.below(totalWeight)
        for (bytes, w) in alphabet {
            if pick < w {
                if !(quoteFree && bytes == [0x22]) { out += bytes }
                break
            }
            pick -= w
        }
    }
    return out
}

@Test func swarAndScalarAgreeOnRandomInputs() {
    var rng = SeededRandom(seed: 0x5EED_0001)
    for n in 0..<4000 {
        let input = randomInput(&rng, maxLength: n % 10 == 0 ? 700 : 120)
        input.withUnsafeBytes { c in
            #expect(tokenizeAll(c, .swar) == tokenizeAll(c, .scalar), "input \(n): \(input)")
        }
    }
}

@Test func everyRecordStartTokenizesTheSameAlone() {
    var rng = SeededRandom(seed: 0x5EED_0002)
    for n in 0..<400 {
        let input = randomInput(&rng, maxLength: 200)
        input.withUnsafeBytes { c in
            let full = tokenizeAll(c, .scalar)
            // Progress: each record advances, and together they cover the input exactly.
            #expect(full.first?.start ?? 0 == 0)
            for (a, b) in zip(full, full.dropFirst()) { #expect(b.start == a.next, "input \(n)") }
            #expect(full.last?.next ?? 0 == c.count, "input \(n)")
            for (k, record) in full.enumerated() {
                for kind in [TokenizerKind.scalar, .swar] {
                    #expect(tokenizeOne(c, at: record.start, kind) == record, "input \(n) record \(k) \(kind)")
                }
                // As a chunk that starts at this record (the reader rebases chunks).
                let rest = UnsafeRawBufferPointer(rebasing: c[record.start...])
                let expected = full[k...].map { $0.shifted(by: -record.start) }
                #expect(tokenizeAll(rest, .swar) == Array(expected), "input \(n) from \(record.start)")
            }
        }
    }
}

@Test func truncatedChunksAgreeWithTheFullParse() {
    var rng = SeededRandom(seed: 0x5EED_0003)
    for n in 0..<300 {
        let input = randomInput(&rng, maxLength: 160)
        let full = input.withUnsafeBytes { tokenizeAll($0, .scalar) }
        for cut in 0...input.count {
            let head = Array(input[0..<cut])
            head.withUnsafeBytes { c in
                let swar = tokenizeAll(c, .swar)
                let scalar = tokenizeAll(c, .scalar)
                #expect(swar == scalar, "input \(n) cut \(cut)")
                checkTruncated(swar, full: full, input: input, cut: cut, label: "input \(n) cut \(cut)")
            }
        }
    }
}

/// Records never span lines, so a chunk cut after a line feed (where the reader cuts) parses
/// exactly the full parse's records before the cut; any other cut changes only the last record.
private func checkTruncated(_ parsed: [RecordSnapshot], full: [RecordSnapshot], input: [UInt8], cut: Int, label: String) {
    let before = full.filter { $0.next <= cut }
    if cut == 0 || cut == input.count || input[cut - 1] == 0x0A {
        #expect(parsed == before, "\(label)")
    } else {
        #expect(Array(parsed.prefix(before.count)) == before, "\(label)")
        #expect(parsed.count == before.count + 1, "\(label): one record for the cut line")
        #expect(parsed.last?.next == cut, "\(label)")
    }
}

@Test func everyRecordEndsAtItsLine() {
    // A record consumes at most one line feed, its own terminator: one record per physical line.
    var rng = SeededRandom(seed: 0x5EED_0004)
    for n in 0..<2000 {
        let input = randomInput(&rng, maxLength: n % 10 == 0 ? 700 : 120)
        input.withUnsafeBytes { c in
            for kind in [TokenizerKind.scalar, .swar] {
                let records = tokenizeAll(c, kind)
                let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).count - (input.last == 0x0A ? 1 : 0)
                #expect(records.count == (input.isEmpty ? 0 : lines), "input \(n) \(kind)")
                #expect(records.allSatisfy { $0.lineFeeds <= 1 }, "input \(n) \(kind)")
                for r in records {
                    #expect(!input[r.start..<r.end].contains(0x0A), "input \(n) \(kind): a record holds a line feed")
                }
            }
        }
    }
}

@Test func aQuoteOpenAtTheEndOfEveryLineEndsEachRecordAtEveryChunkBoundary() {
    // Each line opens a quote it never closes; each line is still one record, cut anywhere.
    let text = (0..<20).map { "a\($0),\"b\($0),c\r\n" }.joined()
    let input = Array(text.utf8)
    let full = input.withUnsafeBytes { tokenizeAll($0, .scalar) }
    #expect(full.count == 20)
    #expect(full.allSatisfy { $0.status == .unterminatedQuote && $0.lineFeeds == 1 })
    for cut in 0...input.count {
        Array(input[0..<cut]).withUnsafeBytes { c in
            let swar = tokenizeAll(c, .swar)
            #expect(swar == tokenizeAll(c, .scalar), "cut \(cut)")
            checkTruncated(swar, full: full, input: input, cut: cut, label: "cut \(cut)")
        }
    }
}

@Test func longQuoteFreeRecordsCrossScannerWindows() {
    // Field boundaries at every offset around the 64-byte windows, with CRLF endings.
    for width in 1...70 {
        let field = String(repeating: "a", count: width)
        let text = (0..<6).map { i in "\(field),\(i) ,x\(field)\r\n" }.joined() + "\"q\",\(field)\n" + field
        #expect(tokenizeAll(text, .swar) == tokenizeAll(text, .scalar), "width \(width)")
    }
}
