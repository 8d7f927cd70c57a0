/// Stage 1 of the fast tokenizer (simdjson's idea, in SWAR): classify 64 bytes at a time into a
/// bitmask of structural bytes (`,` LF `"`), then hand out positions by counting trailing zeros.
/// One mask serves every field and record inside its 64-byte window, so the per-field cost is a
/// bit operation, not a load-and-compare.
///
/// Windows are contiguous from the chunk's start. The scanner only moves forward; callers ask for
/// the next structural byte at or after a position that never decreases (within one chunk).
public struct StructuralScanner {
    @usableFromInline let c: UnsafeRawBufferPointer
    @usableFromInline var windowStart = 0
    @usableFromInline var mask: UInt64 = 0

    public init(_ chunk: UnsafeRawBufferPointer) {
        c = chunk
        mask = StructuralScanner.classify(chunk, at: 0)
    }

    /// 0x80 in each byte of `x` that is zero, exactly (no borrow false positives).
    @inline(__always) @usableFromInline static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// Bit i set when byte `at + i` is structural, for the 64 bytes from `at` (fewer at the end).
    @inline(__always) @usableFromInline
    static func classify(_ c: UnsafeRawBufferPointer, at: Int) -> UInt64 {
        let n = c.count
        if at &+ 64 <= n {
            let base = c.baseAddress! + at
            var m: UInt64 = 0
            var k = 0
            while k < 8 {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: k &* 8, as: UInt64.self))
                let hits = zeroBytes(w ^ 0x2C2C_2C2C_2C2C_2C2C) | zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A)
                    | zeroBytes(w ^ 0x2222_2222_2222_2222)
                // Gather the eight 0x80 flags into eight bits (byte i → bit i).
                let bits = ((hits >> 7) &* 0x0102_0408_1020_4080) >> 56
                m |= bits << UInt64(k &* 8)
                k &+= 1
            }
            return m
        }
        var m: UInt64 = 0
        var i = at
        while i < n {
            let b = c[i]
            if b == 0x2C || b == 0x0A || b == 0x22 { m |= 1 << UInt64(i &- at) }
            i &+= 1
        }
        return m
    }

    /// Offset of the first structural byte at or after `pos`, or `c.count` if none.
    @inline(__always) public mutating func next(from pos: Int) -> Int {
        let n = c.count
        while true {
            let rel = pos &- windowStart
            if rel < 64 {
                let m = rel <= 0 ? mask : mask & (~0 << UInt64(rel))
                if m != 0 { return windowStart &+ m.trailingZeroBitCount }
            }
            // Move to the window holding `pos` (usually the next one).
            let nextWindow = windowStart &+ 64
            windowStart = pos > nextWindow ? pos : nextWindow
            if windowStart >= n { windowStart = n; mask = 0; return n }
            mask = StructuralScanner.classify(c, at: windowStart)
        }
    }
}
