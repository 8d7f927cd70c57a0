/// UTF-8 validation for a record's bytes. ASCII is checked eight bytes at a time; only a record
/// with a high bit set pays for the full decoder (the stdlib's validating `String(validating:)`
/// would allocate per record).
public enum UTF8Check {
    public static func isValid(_ chunk: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var i = start
        let base = chunk.baseAddress!
        var high: UInt64 = 0
        while i &+ 8 <= end {
            high |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i &+= 8
        }
        var tail: UInt8 = 0
        if i < end && end &- start >= 8 {
            // The last eight bytes, overlapping ones already read: one load for the tail.
            high |= base.loadUnaligned(fromByteOffset: end &- 8, as: UInt64.self)
        } else {
            while i < end { tail |= chunk[i]; i &+= 1 }
        }
        if high & 0x8080_8080_8080_8080 == 0 && tail & 0x80 == 0 { return true }
        return validateSlow(chunk, start, end)
    }

    /// RFC 3629: rejects overlong forms, surrogates and code points above U+10FFFF.
    static func validateSlow(_ c: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end {
            let b0 = c[i]
            if b0 < 0x80 { i += 1; continue }
            var need = 0
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return false
            }
            if i + need >= end { return false }
            let b1 = c[i + 1]
            if b1 < lo || b1 > hi { return false }
            var k = 2
            while k <= need {
                let b = c[i + k]
                if b < 0x80 || b > 0xBF { return false }
                k += 1
            }
            i += need + 1
        }
        return true
    }
}
