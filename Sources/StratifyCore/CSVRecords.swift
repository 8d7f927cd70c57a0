/// Splits CSV bytes that `CSVWriter` wrote into records, without decoding cells: a merge copies
/// records byte for byte, so cells are never unquoted, un-neutralised and written again (which
/// would add a second `'` to a neutralised cell).
public enum CSVRecords {
    /// Each record's byte range, line ending included, from `start`. A line feed inside a quoted
    /// cell does not end the record.
    public static func ranges(_ bytes: [UInt8], from start: Int = 0) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var begin = start, quoted = false
        for i in start..<bytes.count {
            let b = bytes[i]
            if b == 0x22 { quoted.toggle() } else if b == 0x0A && !quoted {
                out.append(begin..<i + 1)
                begin = i + 1
            }
        }
        if begin < bytes.count { out.append(begin..<bytes.count) }
        return out
    }

    /// The UTF-8 byte order mark's length at the start of `bytes` (3 or 0).
    public static func byteOrderMarkLength(_ bytes: [UInt8]) -> Int {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }
}
