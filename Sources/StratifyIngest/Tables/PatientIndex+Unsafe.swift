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
