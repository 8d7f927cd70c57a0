/// The reference tokenizer: RFC 4180 one byte at a time, as plainly as possible.
///
/// It defines the dialect (see docs/ingest.md) and is the oracle the SWAR fast path is tested
/// against. It is also the fast path's fallback for any record that contains a quote.
public enum ScalarTokenizer {
    /// Tokenizes the record starting at `offset` in `chunk`, which must be a record start. A record
    /// never spans lines (extract-format.md): it ends at its line's end, whatever its quotes.
    /// Precondition: `offset < chunk.count`.
    public static func next(_ chunk: UnsafeRawBufferPointer, from offset: Int, into r: inout TokenizedRecord) {
        r.reset(at: offset)
        let n = chunk.count
        var i = offset
        fieldLoop: while true {
            // Leading spaces are trimmed, also before an opening quote.
            var s = i
            while s < n && chunk[s] == SPACE { s += 1 }
            if s < n && chunk[s] == QUOTE {
                // Quoted field.
                var k = s + 1
                var escaped = false
                var closed = false
                while k < n {
                    let b = chunk[k]
                    if b == QUOTE {
                        if k + 1 < n && chunk[k + 1] == QUOTE { escaped = true; k += 2; continue }
                        closed = true
                        break
                    }
                    // No column may hold a line break, so a quote open at the line's end is a broken
                    // record, and the next line starts a new one: one stray quote costs one row.
                    if b == LF { break }
                    k += 1
                }
                if !closed {
                    endOpenQuote(chunk, at: k, &r)
                    return
                }
                let contentStart = s + 1, contentEnd = k
                let cs = trimStart(chunk, contentStart, contentEnd)
                r.addField(cs, trimEnd(chunk, cs, contentEnd), escaped: escaped)
                // After the closing quote: spaces, then a comma, a line end, or the end of input.
                var j = k + 1
                while j < n && chunk[j] == SPACE { j += 1 }
                if j >= n { r.end = n; r.next = n; return }
                let b = chunk[j]
                if b == COMMA { i = j + 1; continue fieldLoop }
                if b == LF { r.end = j; r.next = j + 1; r.lineFeeds += 1; return }
                if b == CR && j + 1 < n && chunk[j + 1] == LF { r.end = j; r.next = j + 2; r.lineFeeds += 1; return }
                // Stray bytes after the closing quote: the rest of the line belongs to this record.
                if r.status == .ok { r.status = .brokenQuote }
                i = j
                if skipToFieldEnd(chunk, &i, &r) { continue fieldLoop } else { return }
            } else {
                // Unquoted field: runs to the next comma or line end. A quote inside is an error.
                var k = s
                while k < n {
                    let b = chunk[k]
                    if b == COMMA || b == LF { break }
                    if b == QUOTE && r.status == .ok { r.status = .brokenQuote }
                    k += 1
                }
                var e = k
                if k < n && chunk[k] == LF && e > s && chunk[e - 1] == CR { e -= 1 }
                r.addField(s, trimEnd(chunk, s, e), escaped: false)
                if k >= n { r.end = e; r.next = n; return }
                if chunk[k] == COMMA { i = k + 1; continue fieldLoop }
                r.end = e; r.next = k + 1; r.lineFeeds += 1
                return
            }
        }
    }

    /// A quote still open at `k`, the line's line feed (or the end of input): the record ends there.
    private static func endOpenQuote(_ chunk: UnsafeRawBufferPointer, at k: Int, _ r: inout TokenizedRecord) {
        r.status = .unterminatedQuote
        r.end = (k > r.start && chunk[k - 1] == CR) ? k - 1 : k
        if k < chunk.count {
            r.next = k + 1
            r.lineFeeds = 1
        } else {
            r.next = k
        }
    }

    /// After a broken quote, consume bytes up to the next comma or line end. Returns true when a
    /// comma was found (more fields follow), false when the record ended.
    private static func skipToFieldEnd(_ chunk: UnsafeRawBufferPointer, _ i: inout Int, _ r: inout TokenizedRecord) -> Bool {
        let n = chunk.count
        while i < n {
            let b = chunk[i]
            if b == COMMA { i += 1; return true }
            if b == LF {
                r.end = (i > r.start && chunk[i - 1] == CR) ? i - 1 : i
                r.next = i + 1; r.lineFeeds += 1
                return false
            }
            i += 1
        }
        r.end = n; r.next = n
        return false
    }

    @inline(__always) static func trimStart(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int {
        var s = s
        while s < e && c[s] == SPACE { s += 1 }
        return s
    }

    @inline(__always) static func trimEnd(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int {
        var e = e
        while e > s && c[e - 1] == SPACE { e -= 1 }
        return e
    }
}
