/// The fast tokenizer: finds commas, line feeds and quotes eight bytes at a time (SWAR over
/// `UInt64`), and hands any record containing a quote to `ScalarTokenizer`, which defines the
/// dialect. Quotes are rare in GP extracts, so almost every record stays on the fast path.
///
/// Equivalence with the scalar tokenizer on random inputs and at every chunk-boundary offset is
/// tested in `TokenizerEquivalenceTests`.
public enum SWARTokenizer {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in each byte of `w` that equals the byte broadcast in `pattern`. Only the
    /// lowest set bit is exact (borrows can mark bytes above a match), which is all we use.
    @inline(__always) @usableFromInline static func matches(_ w: UInt64, _ pattern: UInt64) -> UInt64 {
        let x = w ^ pattern
        return (x &- ones) & ~x & highs
    }

    /// Offset of the first `,`, LF or `"` at or after `from`, or `chunk.count` if none.
    @inline(__always) @usableFromInline
    static func nextStructural(_ chunk: UnsafeRawBufferPointer, from: Int) -> Int {
        let n = chunk.count
        var i = from
        let base = chunk.baseAddress!
        while i &+ 8 <= n {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let m = matches(w, 0x2C2C_2C2C_2C2C_2C2C) | matches(w, 0x0A0A_0A0A_0A0A_0A0A)
                | matches(w, 0x2222_2222_2222_2222)
            if m != 0 { return i &+ (m.trailingZeroBitCount >> 3) }
            i &+= 8
        }
        while i < n {
            let b = chunk[i]
            if b == COMMA || b == LF || b == QUOTE { return i }
            i &+= 1
        }
        return n
    }

    /// Tokenizes the record starting at `offset`, with the same result as `ScalarTokenizer.next`.
    /// (Convenience for one record; a chunk should share one `StructuralScanner` across records.)
    public static func next(_ chunk: UnsafeRawBufferPointer, from offset: Int, final: Bool, into r: inout TokenizedRecord) {
        var scanner = StructuralScanner(chunk)
        next(chunk, from: offset, final: final, scanner: &scanner, into: &r)
    }

    /// Tokenizes the record starting at `offset` using the chunk's structural scanner, which must
    /// not have been asked about positions beyond `offset` yet.
    @inline(__always)
    public static func next(_ chunk: UnsafeRawBufferPointer, from offset: Int, final: Bool,
                            scanner: inout StructuralScanner, into r: inout TokenizedRecord) {
        r.reset(at: offset)
        let n = chunk.count
        var fieldStart = offset
        while true {
            let k = scanner.next(from: fieldStart)
            if k < n && chunk[k] == QUOTE {
                ScalarTokenizer.next(chunk, from: offset, final: final, into: &r)
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
