import StratifyCore

/// What one chunk of a block yields: accepted rows, quarantined rows (lines relative to the
/// chunk's first line, 0-based), and counts.
struct ChunkResult<Rows: Sendable>: Sendable {
    var rows: Rows
    /// Offset of the chunk in its block: row offsets kept by validators are relative to it.
    var base = 0
    /// The first quarantined rows, at most `ChunkLimits.keptEntries`: a table's quarantine file
    /// keeps no more, so a chunk of millions of bad lines holds no more either.
    var quarantine: [QuarantineEntry] = []
    /// Every quarantined row, kept or not.
    var tally = QuarantineTally()
    var records = 0
    var lineFeeds = 0

    mutating func quarantine(_ entry: QuarantineEntry, keep: Int) {
        tally.count(entry.reason, column: entry.column, detail: entry.detail)
        if quarantine.count < keep { quarantine.append(entry) }
    }
}

/// Which tokenizer to use. `scalar` exists for tests and for the benchmark's before/after.
public enum TokenizerKind: String, Sendable { case swar, scalar }

/// Bounds on what one chunk holds (IngestOptions).
struct ChunkLimits: Sendable {
    /// A line longer than this (bytes, line end excluded) is a malformed record.
    var maxLineBytes: Int
    /// Quarantine entries a chunk keeps; later ones are only counted.
    var keptEntries: Int
    /// An over-long line's quarantine entry keeps this much of its record.
    static let keptRecordBytes = 4096
}

/// Parses the records in `c[from..<to]` (a sub-range ending on a line feed, or at the end of
/// input): reasons 1–2 here, the rest in the table's validator.
func parseChunk<V: RowValidator>(
    _ block: UnsafeRawBufferPointer, from: Int, to: Int, expectedFields: Int, limits: ChunkLimits,
    validator: V, tokenizer: TokenizerKind, rows: consuming V.Rows
) -> ChunkResult<V.Rows> {
    // Views are rebased on the chunk so the tokenizers' "end of buffer" is the chunk's end; spans
    // are then shifted back to block offsets for the merge, which may need record bytes.
    let c = UnsafeRawBufferPointer(rebasing: block[from..<to])
    var out = ChunkResult(rows: consume rows, base: from)
    var r = TokenizedRecord()
    var offset = 0
    var line = 0
    var scanner = StructuralScanner(c)
    while offset < c.count {
        switch tokenizer {
        case .swar: SWARTokenizer.next(c, from: offset, scanner: &scanner, into: &r)
        case .scalar: ScalarTokenizer.next(c, from: offset, into: &r)
        }
        out.records += 1
        var issue: RowIssue?
        var recordEnd = r.end
        if r.end - r.start > limits.maxLineBytes {
            issue = RowIssue.overlong(length: r.end - r.start, limit: limits.maxLineBytes)
            recordEnd = min(r.end, r.start + ChunkLimits.keptRecordBytes)
        } else if r.status != .ok {
            issue = RowIssue(reason: .fieldCount, column: "", detail: describe(r.status))
        } else if r.fieldCount != expectedFields {
            issue = RowIssue(reason: .fieldCount, column: "",
                             detail: r.fieldCount == 1 && r.fieldEnd[0] == r.fieldStart[0]
                                ? "blank line" : "expected \(expectedFields) fields, found \(r.fieldCount)")
        } else if !UTF8Check.isValid(c, r.start, r.end) {
            issue = RowIssue(reason: .invalidUTF8, column: "", detail: "the record holds bytes that are not valid UTF-8")
        } else {
            issue = validator.validate(r, c, line: line, into: &out.rows)
        }
        if let issue {
            // Past the kept entries, the record is not copied: only counted.
            let record = out.quarantine.count < limits.keptEntries ? Array(c[r.start..<recordEnd]) : []
            out.quarantine(QuarantineEntry(line: line, reason: issue.reason, column: issue.column,
                                           detail: issue.detail, record: record), keep: limits.keptEntries)
        }
        line += r.lineFeeds
        offset = r.next
    }
    out.lineFeeds = line
    return out
}

extension RowIssue {
    static func overlong(length: Int, limit: Int) -> RowIssue {
        RowIssue(reason: .fieldCount, column: "",
                 detail: "a line of \(length) bytes, over the limit of \(limit) bytes; the record keeps its first \(ChunkLimits.keptRecordBytes) bytes")
    }
}

private func describe(_ s: RecordStatus) -> String {
    switch s {
    case .brokenQuote: "broken quote: a '\"' inside an unquoted field, or text after a closing quote"
    case .unterminatedQuote: "a quote still open at the end of the line"
    case .ok: ""
    }
}

/// Splits `[from, to)` into about `parts` pieces that each end just after a line feed.
func splitAtLineFeeds(_ c: UnsafeRawBufferPointer, from: Int, to: Int, parts: Int, minimum: Int) -> [Range<Int>] {
    let size = to - from
    let n = max(1, min(parts, size / max(minimum, 1)))
    var ranges: [Range<Int>] = []
    var start = from
    for k in 1..<n {
        var cut = from + size * k / n
        if cut <= start { continue }
        while cut < to && c[cut - 1] != 0x0A { cut += 1 }
        if cut >= to { break }
        ranges.append(start..<cut)
        start = cut
    }
    ranges.append(start..<to)
    return ranges
}
