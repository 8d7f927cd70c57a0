import StratifyCore

/// What one chunk of a block yields: accepted rows, quarantined rows (lines relative to the
/// chunk's first line, 0-based), and where parsing stopped.
struct ChunkResult<Rows: Sendable>: Sendable {
    var rows: Rows
    /// Offset of the chunk in its block: row offsets kept by validators are relative to it.
    var base = 0
    var quarantine: [QuarantineEntry] = []
    var records = 0
    var lineFeeds = 0
    /// Offset of a record that needs more input, if the chunk ended inside a quoted field.
    var incompleteAt: Int?
}

/// Which tokenizer to use. `scalar` exists for tests and for the benchmark's before/after.
public enum TokenizerKind: String, Sendable { case swar, scalar }

/// Parses the records in `c[from..<to]` (a sub-range ending on a line feed, or at the end of
/// input when `final`): reasons 1–2 here, the rest in the table's validator.
func parseChunk<V: RowValidator>(
    _ block: UnsafeRawBufferPointer, from: Int, to: Int, final: Bool, expectedFields: Int,
    validator: V, tokenizer: TokenizerKind, rows: consuming V.Rows
) -> ChunkResult<V.Rows> {
    // Views are rebased on the chunk so the tokenizers' "end of buffer" is the chunk's end; spans
    // are then shifted back to block offsets for the merge, which may need record bytes.
    let c = UnsafeRawBufferPointer(rebasing: block[from..<to])
    var out = ChunkResult(rows: rows, base: from)
    var r = TokenizedRecord()
    var offset = 0
    var line = 0
    var scanner = StructuralScanner(c)
    while offset < c.count {
        switch tokenizer {
        case .swar: SWARTokenizer.next(c, from: offset, final: final, scanner: &scanner, into: &r)
        case .scalar: ScalarTokenizer.next(c, from: offset, final: final, into: &r)
        }
        if r.status == .incomplete {
            out.incompleteAt = from + offset
            break
        }
        out.records += 1
        var issue: RowIssue?
        if r.status != .ok {
            var detail = describe(r.status)
            if r.status == .newlineInQuotes {
                // RFC 4180 keeps a quoted field open across lines until its quote closes, so one
                // stray quote can make many physical lines one quarantined record: say how many.
                let lines = c[r.start..<r.end].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
                detail += " (the record spans \(lines) lines)"
            }
            issue = RowIssue(reason: .fieldCount, column: "", detail: detail)
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
            out.quarantine.append(QuarantineEntry(line: line, reason: issue.reason, column: issue.column,
                                                  detail: issue.detail, record: Array(c[r.start..<r.end])))
        }
        line += r.lineFeeds
        offset = r.next
    }
    out.lineFeeds = line
    return out
}

private func describe(_ s: RecordStatus) -> String {
    switch s {
    case .brokenQuote: "broken quote: a '\"' inside an unquoted field, or text after a closing quote"
    case .newlineInQuotes: "a line break inside a quoted field"
    case .unterminatedQuote: "a quote that is never closed"
    case .ok, .incomplete: ""
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
