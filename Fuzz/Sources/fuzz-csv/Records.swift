import FuzzSupport
import StratifyIngest

/// Tokenized records as plain values, so two tokenizers' outputs compare with `==`.
enum Records {
    struct Snapshot: Equatable, CustomStringConvertible {
        var start, end, next, lineFeeds, fieldCount: Int
        var status: RecordStatus
        /// (start, end, escaped) of each kept field.
        var fields: [Field]
        struct Field: Equatable { var start, end: Int; var escaped: Bool }

        init(_ r: TokenizedRecord) {
            start = r.start; end = r.end; next = r.next; lineFeeds = r.lineFeeds
            fieldCount = r.fieldCount; status = r.status
            fields = (0..<min(r.fieldCount, TokenizedRecord.maxFields)).map {
                Field(start: r.fieldStart[$0], end: r.fieldEnd[$0], escaped: r.fieldEscaped[$0])
            }
        }

        var description: String { "[\(start)..<\(end) next \(next) lf \(lineFeeds) \(status) \(fieldCount) fields \(fields.map { "\($0.start)..<\($0.end)\($0.escaped ? "e" : "")" })]" }
    }

    /// Every record of the chunk, walked as the chunk parser walks it (one scanner for SWAR).
    static func all(_ c: UnsafeRawBufferPointer, swar: Bool) -> [Snapshot] {
        var out: [Snapshot] = []
        var r = TokenizedRecord()
        var scanner = StructuralScanner(c)
        var offset = 0
        while offset < c.count {
            if swar { SWARTokenizer.next(c, from: offset, scanner: &scanner, into: &r) }
            else { ScalarTokenizer.next(c, from: offset, into: &r) }
            out.append(Snapshot(r))
            // No progress would loop forever in the reader: report it rather than hang.
            Fuzz.check(r.next > offset, "record at \(offset) does not advance: \(Snapshot(r))")
            if r.next <= offset { break }
            offset = r.next
        }
        return out
    }

    /// Records start where the previous one ended, spans nest inside their record, and each
    /// record is exactly one line: no line feed inside it, one as its terminator unless the input
    /// ends first (records never span lines, extract-format.md).
    static func checkTiling(_ records: [Snapshot], in c: UnsafeRawBufferPointer) {
        let n = c.count
        var expectedStart = 0
        for (k, r) in records.enumerated() {
            Fuzz.check(r.start == expectedStart, "record \(k) starts at \(r.start), expected \(expectedStart)")
            Fuzz.check(r.start <= r.end && r.end <= r.next && r.next <= n, "record \(k) bounds out of order: \(r)")
            // An unterminated quote quarantines the whole line without splitting it.
            Fuzz.check(r.fieldCount >= 1 || r.status == .unterminatedQuote, "record \(k) has no fields: \(r)")
            let lineFeeds = c[r.start..<r.next].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            Fuzz.check(r.lineFeeds == lineFeeds, "record \(k) counts \(r.lineFeeds) line feeds, holds \(lineFeeds): \(r)")
            Fuzz.check(lineFeeds == (r.next < n || c[n - 1] == 0x0A ? 1 : 0), "record \(k) is not one line: \(r)")
            for f in r.fields {
                Fuzz.check(r.start <= f.start && f.start <= f.end && f.end <= r.end, "record \(k) field span outside the record: \(r)")
            }
            expectedStart = r.next
        }
        Fuzz.check(expectedStart == n, "records end at \(expectedStart) of \(n)")
    }
}

extension Records {
    /// The reader cuts blocks into chunks just after line feeds. Records never span lines, so at
    /// such a cut both tokenizers must give exactly the full parse's records before it. Checks up
    /// to eight cuts.
    static func checkCuts(_ c: UnsafeRawBufferPointer, full: [Snapshot]) {
        let lineEnds = c.indices.filter { c[$0] == 0x0A }.map { $0 + 1 }.filter { $0 < c.count }
        let step = max(1, lineEnds.count / 8)
        for cut in stride(from: 0, to: lineEnds.count, by: step).map({ lineEnds[$0] }) {
            let head = UnsafeRawBufferPointer(rebasing: c[0..<cut])
            let parsed = all(head, swar: true)
            Fuzz.check(parsed == all(head, swar: false), "SWAR and scalar disagree on a chunk cut at \(cut)")
            let before = full.filter { $0.next <= cut }
            Fuzz.check(parsed == before, "cut at \(cut): \(parsed.count) records differ from the full parse's \(before.count)")
        }
    }
}
