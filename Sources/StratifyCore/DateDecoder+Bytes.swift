/// The hot path's date decoder: `YYYY-MM-DD` read as one 8-byte word and two bytes, and the day
/// count taken from a table of month starts, instead of ten byte loops and Hinnant's divisions
/// (about 160 instructions a row before; events and medications have a date on every row).
///
/// Unsafe code: one unaligned 8-byte load at `s`, in bounds because the field is 10 bytes long
/// and lies inside `c` (checked by the caller's span, and again here).
extension DateDecoder {
    /// Same answers as `decodeDay(_:)` for every input (tested against it); nil unless the span
    /// is a real `YYYY-MM-DD` date.
    @inline(__always)
    public static func decodeDay(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Day? {
        guard e &- s == 10, s >= 0, e <= c.count else { return nil }
        let x = UInt64(littleEndian: c.loadUnaligned(fromByteOffset: s, as: UInt64.self))
        // Bytes 0-3 and 5-6 must be digits, 4 and 7 '-'. A byte is a digit when its high nibble
        // is 3 both as it is and plus 6 (0x3A-0x3F become 0x40-0x45); +6 cannot carry out of a
        // byte whose high nibble is 3.
        let digits: UInt64 = 0x00F0_F000_F0F0_F0F0, threes: UInt64 = 0x0030_3000_3030_3030
        guard x & digits == threes, (x &+ 0x0006_0600_0606_0606) & digits == threes,
              x & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000 else { return nil }
        let d8 = c[s &+ 8] &- 48, d9 = c[s &+ 9] &- 48
        guard d8 < 10, d9 < 10 else { return nil }
        let v = x &- threes
        let year = Int(v & 0xFF) &* 1000 &+ Int(v >> 8 & 0xFF) &* 100 &+ Int(v >> 16 & 0xFF) &* 10 &+ Int(v >> 24 & 0xFF)
        let month = Int(v >> 40 & 0xFF) &* 10 &+ Int(v >> 48 & 0xFF)
        let day = Int(d8) &* 10 &+ Int(d9)
        guard month >= 1, month <= 12 else { return nil }
        let i = (year &- MonthStarts.firstYear) &* 12 &+ month &- 1
        guard i >= 0, i < MonthStarts.months else { return Day(year: year, month: month, day: day) }
        let start = MonthStarts.table[i]
        guard day >= 1, day <= Int(MonthStarts.table[i &+ 1] &- start) else { return nil }
        return Day(rawValue: start &+ Int32(day) &- 1)
    }
}

/// Day counts of the 1st of every month from 1800 to 2199, and of 1 January 2200 (so every
/// month's length is the difference of two entries). Dates outside fall back to `Day(year:month:day:)`.
enum MonthStarts {
    static let firstYear = 1800
    static let months = 400 * 12
    static let table: [Int32] = (0...months).map { i in
        Int32(Day.daysFromCivil(year: firstYear + i / 12, month: i % 12 + 1, day: 1))
    }
}
