import StratifyCore
@testable import StratifyIngest

/// Everything observable about one tokenized record, with field bytes decoded.
struct RecordSnapshot: Equatable, CustomStringConvertible {
    var start, end, next, lineFeeds: Int
    var status: RecordStatus
    var fieldCount: Int
    var fields: [[UInt8]]

    init(_ r: TokenizedRecord, _ c: UnsafeRawBufferPointer) {
        start = r.start; end = r.end; next = r.next; lineFeeds = r.lineFeeds
        status = r.status; fieldCount = r.fieldCount
        fields = (0..<min(r.fieldCount, TokenizedRecord.maxFields)).map { r.unescaped($0, in: c) }
    }

    func shifted(by d: Int) -> RecordSnapshot {
        var s = self
        s.start += d; s.end += d; s.next += d
        return s
    }

    var strings: [String] { fields.map { String(decoding: $0, as: UTF8.self) } }

    var description: String { "[\(start)..<\(end) next \(next) lf \(lineFeeds) \(status) \(fieldCount) \(strings)]" }
}

/// Tokenizes one record at `offset` with a fresh scanner.
func tokenizeOne(_ c: UnsafeRawBufferPointer, at offset: Int, _ kind: TokenizerKind) -> RecordSnapshot {
    var r = TokenizedRecord()
    switch kind {
    case .swar: SWARTokenizer.next(c, from: offset, into: &r)
    case .scalar: ScalarTokenizer.next(c, from: offset, into: &r)
    }
    return RecordSnapshot(r, c)
}

/// Walks every record of `c` as `parseChunk` does (one shared scanner for SWAR).
func tokenizeAll(_ c: UnsafeRawBufferPointer, _ kind: TokenizerKind) -> [RecordSnapshot] {
    var out: [RecordSnapshot] = []
    var r = TokenizedRecord()
    var scanner = StructuralScanner(c)
    var offset = 0
    while offset < c.count {
        switch kind {
        case .swar: SWARTokenizer.next(c, from: offset, scanner: &scanner, into: &r)
        case .scalar: ScalarTokenizer.next(c, from: offset, into: &r)
        }
        out.append(RecordSnapshot(r, c))
        if r.next <= offset { break }
        offset = r.next
    }
    return out
}

func tokenizeAll(_ text: String, _ kind: TokenizerKind) -> [RecordSnapshot] {
    Array(text.utf8).withUnsafeBytes { tokenizeAll($0, kind) }
}
