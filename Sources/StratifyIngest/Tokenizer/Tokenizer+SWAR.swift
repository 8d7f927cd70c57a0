/// The fast tokenizer: walks the structural bytes (commas, line feeds, quotes) that
/// `StructuralScanner` finds 64 bytes at a time, and hands any record containing a quote to
/// `ScalarTokenizer`, which defines the dialect. Quotes are rare in GP extracts, so almost every record stays on the fast path.
///
/// Equivalence with the scalar tokenizer on random inputs and at every chunk-boundary offset is
/// tested in `TokenizerEquivalenceTests`.
public enum SWARTokenizer {
    /// Tokenizes the record starting at `offset`, with the same result as `ScalarTokenizer.next`.
    /// (Convenience for one record; a chunk should share one `StructuralScanner` across records.)
    public static func next(_ chunk: UnsafeRawBufferPointer, from offset: Int, into r: inout TokenizedRecord) {
        var scanner = StructuralScanner(chunk)
        next(chunk, from: offset, scanner: &scanner, into: &r)
    }

    /// Tokenizes the record starting at `offset` using the chunk's structural scanner, which must
    /// not have been asked about positions beyond `offset` yet.
    @inline(__always)
    public static func next(_ chunk: UnsafeRawBufferPointer, from offset: Int,
                            scanner: inout StructuralScanner, into r: inout TokenizedRecord) {
        r.reset(at: offset)
        let n = chunk.count
        var fieldStart = offset
        while true {
            let k = scanner.next(from: fieldStart)
            if k < n && chunk[k] == QUOTE {
                ScalarTokenizer.next(chunk, from: offset, into: &r)
                return
            }
            var e = k
            if k < n && chunk[k] == LF && e > fieldStart && chunk[e - 1] == CR { e &-= 1 }
            let s = ScalarTokenizer.trimStart(chunk, fieldStart, e)
            r.addField(s, ScalarTokenizer.trimEnd(chunk, s, e), escaped: false)
            if k >= n { r.end = e; r.next = n; return }
            if chunk[k] == COMMA {
                fieldStart = k &+ 1
                continue
            }
            r.end = e; r.next = k &+ 1; r.lineFeeds = 1
            return
        }
    }
}
