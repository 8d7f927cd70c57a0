import FuzzSupport
import StratifyIngest

/// Tokenized records as plain values, so two tokenizers' outputs compare with `==`.
enum Records {
    struct Snapshot: Equatable, CustomStringConvertible {
        var start, end, next, lineFeeds, fieldCount: Int
        var status: RecordStatus
        /// (start, end, escaped) of each kept field; spans of an incomplete record mean nothing.
        var fields: [Field]
        struct Field: Equatable { var start, end: Int; var escaped: Bool }

        init(_ r: TokenizedRecord) {
            start = r.start; end = r.end; next = r.next; lineFeeds = r.lineFeeds
            fieldCount = r.fieldCount; status = r.status
            fields = r.status == .incomplete ? [] : (0..<min(r.fieldCount, TokenizedRecord.maxFields)).map {
                Field(start: r.fieldStart[$0], end: r.fieldEnd[$0], escaped: r.fieldEscaped[$0])
            }
        }

        var description: String { "[\(start)..<\(end) next \(next) lf \(lineFeeds) \(status) \(fieldCount) fields \(fields.map { "\($0.start)..<\($0.end)\($0.escaped ? "e" : "")" })]" }
    }

    /// Every record of the chunk, walked as the chunk parser walks it (one scanner for SWAR),
    /// stopping after an incomplete record.
    static func all(_ c: UnsafeRawBufferPointer, final: Bool, swar: Bool) -> [Snapshot] {
        var out: [Snapshot] = []
        var r = TokenizedRecord()
        var scanner = StructuralScanner(c)
        var offset = 0
        while offset < c.count {
            if swar { SWARTokenizer.next(c, from: offset, final: final, scanner: &scanner, into: &r) }
            else { ScalarTokenizer.next(c, from: offset, final: final, into: &r) }
            out.append(Snapshot(r))
            // No progress would loop forever in the reader: report it rather than hang.
            Fuzz.check(r.next > offset || r.status == .incomplete, "record at \(offset) does not advance: \(Snapshot(r))")
            if r.status == .incomplete { break }
            offset = r.next
        }
        return out
    }

    /// Records start where the previous one ended, spans nest inside their record, line feeds are
    /// counted exactly, and only a mid-stream chunk may end incomplete.
    static func checkTiling(_ records: [Snapshot], in c: UnsafeRawBufferPointer, final: Bool) {
        let n = c.count
        var expectedStart = 0
        for (k, r) in records.enumerated() {
            Fuzz.check(r.start == expectedStart, "record \(k) starts at \(r.start), expected \(expectedStart)")
            Fuzz.check(r.start <= r.end && r.end <= r.next && r.next <= n, "record \(k) bounds out of order: \(r)")
            if r.status == .incomplete {
                Fuzz.check(!final && k == records.count - 1 && r.next == n, "incomplete record \(k) at the end of input: \(r)")
                return
            }
            // An unterminated quote quarantines the whole line without splitting it.
            Fuzz.check(r.fieldCount >= 1 || r.status == .unterminatedQuote, "record \(k) has no fields: \(r)")
            let lineFeeds = c[r.start..<r.next].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            Fuzz.check(r.lineFeeds == lineFeeds, "record \(k) counts \(r.lineFeeds) line feeds, holds \(lineFeeds): \(r)")
            for f in r.fields {
                Fuzz.check(r.start <= f.start && f.start <= f.end && f.end <= r.end, "record \(k) field span outside the record: \(r)")
            }
            expectedStart = r.next
        }
        Fuzz.check(expectedStart == n || records.last?.status == .incomplete, "records end at \(expectedStart) of \(n)")
    }
}

extension Records {
    /// The reader cuts blocks into chunks just after line feeds, and parses an `.incomplete` last
    /// record again with more bytes. So at such a cut, with more input to come, both tokenizers
    /// must give the full parse's records that end before it, then at most one `.incomplete`
    /// record: the one the cut splits (a line feed inside quotes), or one the full parse ended as
    /// an unterminated quote (its quote is still open at the cut). Checks up to eight cuts.
    static func checkCuts(_ c: UnsafeRawBufferPointer, full: [Snapshot]) {
        let lineEnds = c.indices.filter { c[$0] == 0x0A }.map { $0 + 1 }.filter { $0 < c.count }
        let step = max(1, lineEnds.count / 8)
        for cut in stride(from: 0, to: lineEnds.count, by: step).map({ lineEnds[$0] }) {
            let head = UnsafeRawBufferPointer(rebasing: c[0..<cut])
            let parsed = all(head, final: false, swar: true)
            Fuzz.check(parsed == all(head, final: false, swar: false), "SWAR and scalar disagree on a chunk cut at \(cut)")
            var k = 0
            for r in full where r.start < cut {
                Fuzz.check(k < parsed.count, "cut at \(cut): record at \(r.start) missing")
                if r.next > cut || r.status == .unterminatedQuote {
                    Fuzz.check(parsed[k].status == .incomplete && parsed[k].start == r.start,
                               "cut at \(cut): record at \(r.start) should be incomplete, is \(parsed[k])")
                    break
                }
                Fuzz.check(parsed[k] == r, "cut at \(cut): \(parsed[k]) differs from the full parse's \(r)")
                k += 1
            }
            Fuzz.check(k == parsed.count || (k == parsed.count - 1 && parsed[k].status == .incomplete),
                       "cut at \(cut): \(parsed.count) records, expected \(k)")
        }
    }
}
