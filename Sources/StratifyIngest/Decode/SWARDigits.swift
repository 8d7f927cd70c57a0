/// Eight ASCII digits parsed as one 64-bit word (the multiply-and-shift reduction used by
/// simdjson and Lemire's fast_float): three multiplies instead of eight multiply-adds and eight
/// digit tests.
///
/// Unsafe code: one unaligned 8-byte load, in bounds by the precondition on `at`.
enum SWARDigits {
    /// The value of the eight digits at `at`, or nil if any of them is not `0`-`9`.
    @inline(__always)
    static func eight(_ c: UnsafeRawBufferPointer, at i: Int) -> UInt64? {
        precondition(i >= 0 && i &+ 8 <= c.count, "eight digits past the end of the buffer")
        let x = UInt64(littleEndian: c.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        // A byte is a digit when its high nibble is 3 both as it is and plus 6 (0x3A-0x3F become
        // 0x40-0x45); +6 cannot carry out of a byte whose high nibble is 3.
        guard x & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030,
              (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030 else { return nil }
        // Byte 0 (lowest) is the most significant digit: pair neighbours into 2-digit, then
        // 4-digit, then the 8-digit value.
        var v = x & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 2561) >> 8 & 0x00FF_00FF_00FF_00FF               // 10 * 2^8 + 1
        v = (v &* 6_553_601) >> 16 & 0x0000_FFFF_0000_FFFF          // 100 * 2^16 + 1
        v = (v &* 42_949_672_960_001) >> 32                         // 10000 * 2^32 + 1
        return v
    }
}
