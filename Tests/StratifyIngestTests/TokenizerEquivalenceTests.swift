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
            for final in [true, false] {
                let scalar = tokenizeAll(c, final: final, .scalar)
                let swar = tokenizeAll(c, final: final, .swar)
                #expect(swar == scalar, "input \(n) final \(final): \(input)")
            }
        }
    }
}

@Test func everyRecordStartTokenizesTheSameAlone() {
    var rng = SeededRandom(seed: 0x5EED_0002)
    for n in 0..<400 {
        let input = randomInput(&rng, maxLength: 200)
        input.withUnsafeBytes { c in
            let full = tokenizeAll(c, final: true, .scalar)
            // Progress: each record advances, and together they cover the input exactly.
            #expect(full.first?.start ?? 0 == 0)
            for (a, b) in zip(full, full.dropFirst()) { #expect(b.start == a.next, "input \(n)") }
            #expect(full.last?.next ?? 0 == c.count, "input \(n)")
            for (k, record) in full.enumerated() {
                for kind in [TokenizerKind.scalar, .swar] {
                    #expect(tokenizeOne(c, at: record.start, final: true, kind) == record, "input \(n) record \(k) \(kind)")
                }
                // As a chunk that starts at this record (the reader rebases chunks).
                let rest = UnsafeRawBufferPointer(rebasing: c[record.start...])
                let expected = full[k...].map { $0.shifted(by: -record.start) }
                #expect(tokenizeAll(rest, final: true, .swar) == Array(expected), "input \(n) from \(record.start)")
            }
        }
    }
}

@Test func truncatedChunksAgreeWithTheFullParse() {
    var rng = SeededRandom(seed: 0x5EED_0003)
    for n in 0..<300 {
        let input = randomInput(&rng, maxLength: 160)
        let full = input.withUnsafeBytes { tokenizeAll($0, final: true, .scalar) }
        for cut in 0...input.count {
            let head = Array(input[0..<cut])
            head.withUnsafeBytes { c in
                let swar = tokenizeAll(c, final: false, .swar)
                let scalar = tokenizeAll(c, final: false, .scalar)
                #expect(swar == scalar, "input \(n) cut \(cut)")
                checkTruncated(swar, full: full, input: input, cut: cut, label: "input \(n) cut \(cut)")
            }
        }
    }
}

/// Records wholly before the cut are as in the full parse (up to an unterminated quote, which a
/// later chunk could close); the record spanning the cut is `.incomplete`
/// when the cut follows a line feed (the only way a line feed is inside a record is inside quotes),
/// and `.incomplete` only ever comes from a record holding a quote before the cut.
private func checkTruncated(_ parsed: [RecordSnapshot], full: [RecordSnapshot], input: [UInt8], cut: Int, label: String) {
    var k = 0
    for record in full where record.next <= cut {
        guard k < parsed.count else { Issue.record("\(label): missing record at \(record.start)"); return }
        if record.status == .unterminatedQuote {
            // The full parse cut this record at its first line feed, which may lie inside an
            // earlier (closed) quoted field; the quote left open may even lie beyond the cut. At a
            // cut after a line feed (where the reader cuts) the record is still open: incomplete.
            if cut > 0 && input[cut - 1] == 0x0A {
                #expect(parsed[k].status == .incomplete, "\(label) at \(record.start)")
                #expect(k == parsed.count - 1, "\(label): records after an incomplete one")
            }
            return
        }
        #expect(parsed[k] == record, "\(label)")
        k += 1
    }
    guard k < parsed.count else {
        #expect(full.allSatisfy { $0.next <= cut } || full.contains { $0.start == cut }, "\(label): record lost")
        return
    }
    let spanning = parsed[k]
    #expect(k == parsed.count - 1, "\(label): more records than the full parse before the cut")
    #expect(spanning.start < cut)
    if cut > 0 && input[cut - 1] == 0x0A {
        #expect(spanning.status == .incomplete, "\(label): record open across a line feed cut")
    }
    if spanning.status == .incomplete {
        #expect(spanning.next == cut)
        #expect(input[spanning.start..<cut].contains(0x22), "\(label): incomplete without a quote")
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
