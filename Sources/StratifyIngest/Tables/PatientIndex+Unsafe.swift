/// Raw byte comparison for patient-id lookups, the hottest comparison of event validation.
///
/// Invariants the callers guarantee: `a` and `b` each point at `count` readable bytes (spans of
/// a block buffer or of the index's arena, checked against their buffers' bounds before the
/// call). Loads are unaligned 8-byte reads inside those spans; the tail is read byte by byte, so
/// nothing outside them is touched.
enum ByteSpan {
    /// Whether the two spans hold the same bytes: eight bytes per step (ids are about 9 bytes
    /// with long shared prefixes, so a byte loop ran to the end on most mismatches too).
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        var i = 0
        while i &+ 8 <= count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i &+= 8
        }
        while i < count {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i &+= 1
        }
        return true
    }
}

extension PatientIndex {
    /// The first 16 bytes of `c[s..<e]` as two little-endian words, zero-padded past `e`.
    ///
    /// Invariants: `0 <= s <= e <= c.count` (checked by the caller, `probeKey`). Every load reads
    /// only bytes of `c`: an id of 8 or more bytes loads `[s, s+8)` and, for its tail, the eight
    /// bytes ending at `e` (which start at or after `s`), shifted down; a shorter id loads the
    /// eight bytes ending at `e` when the buffer has them before `e` (bytes of `c` before `s`,
    /// shifted out), and otherwise reads byte by byte. Little-endian loads (x86-64, arm64).
    @inline(__always)
    static func prefixWords(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> (UInt64, UInt64) {
        let n = e &- s
        if n == 0 { return (0, 0) }
        let base = c.baseAddress!
        if n >= 16 {
            return (base.loadUnaligned(fromByteOffset: s, as: UInt64.self),
                    base.loadUnaligned(fromByteOffset: s &+ 8, as: UInt64.self))
        }
        if n >= 8 {
            let w0 = base.loadUnaligned(fromByteOffset: s, as: UInt64.self)
            let t = n &- 8
            if t == 0 { return (w0, 0) }
            let last = base.loadUnaligned(fromByteOffset: e &- 8, as: UInt64.self)
            return (w0, last >> UInt64(8 &* (8 &- t)))
        }
        if e >= 8 {
            let last = base.loadUnaligned(fromByteOffset: e &- 8, as: UInt64.self)
            return (last >> UInt64(8 &* (8 &- n)), 0)
        }
        var w: UInt64 = 0
        var i = 0
        while i < n { w |= UInt64(base.load(fromByteOffset: s &+ i, as: UInt8.self)) << UInt64(8 &* i); i &+= 1 }
        return (w, 0)
    }
}
