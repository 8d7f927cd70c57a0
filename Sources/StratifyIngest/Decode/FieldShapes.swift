/// Byte-level shape checks for the input contract's columns (docs/input-contract.md).
/// Each takes a field span and never allocates.
public enum FieldShapes {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 65 < 26 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 97 < 26 }

    /// `patient_id`: 1–64 bytes of `[A-Za-z0-9_-]`.
    public static func isPatientID(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        let len = e - s
        guard len >= 1 && len <= 64 else { return false }
        for i in s..<e {
            let b = c[i]
            guard isDigit(b) || isUpper(b) || isLower(b) || b == 0x5F || b == 0x2D else { return false }
        }
        return true
    }

    /// ODS practice code: one upper-case letter then five upper-case letters or digits.
    public static func isPracticeCode(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        guard e - s == 6, isUpper(c[s]) else { return false }
        for i in (s + 1)..<e where !(isUpper(c[i]) || isDigit(c[i])) { return false }
        return true
    }

    /// LSOA code: `E01` and six digits (2011 and 2021 vintages share the shape).
    public static func isLSOA(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        guard e - s == 9, c[s] == 0x45, c[s + 1] == 0x30, c[s + 2] == 0x31 else { return false }
        for i in (s + 3)..<e where !isDigit(c[i]) { return false }
        return true
    }

    /// NHS Data Dictionary ethnic category letters (2001 census), plus Z (not stated).
    public static func isEthnicCategory(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Bool {
        guard e - s == 1 else { return false }
        switch c[s] {
        case 0x41...0x48, 0x4A...0x4E, 0x50, 0x52, 0x53, 0x5A: return true  // A–H, J–N, P, R, S, Z
        default: return false
        }
    }

    /// Concept id: 6–18 digits, no leading zero. Returns the value (fits in UInt64: < 10^18).
    /// Eight digits at a time (`SWARDigits`), the rest one by one; `conceptIDScalar` is the
    /// reference it is tested against.
    public static func conceptID(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> UInt64? {
        let len = e - s
        guard len >= 6 && len <= 18, s >= 0, e <= c.count, c[s] != 48 else { return nil }
        var v: UInt64 = 0
        var i = s
        while i &+ 8 <= e {
            guard let eight = SWARDigits.eight(c, at: i) else { return nil }
            v = v &* 100_000_000 &+ eight
            i &+= 8
        }
        while i < e {
            let d = c[i] &- 48
            guard d < 10 else { return nil }
            v = v &* 10 &+ UInt64(d)
            i &+= 1
        }
        return v
    }

    /// The byte-at-a-time definition of `conceptID`.
    static func conceptIDScalar(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> UInt64? {
        let len = e - s
        guard len >= 6 && len <= 18, c[s] != 48 else { return nil }
        var v: UInt64 = 0
        for i in s..<e {
            let d = c[i] &- 48
            guard d < 10 else { return nil }
            v = v &* 10 &+ UInt64(d)
        }
        return v
    }

    /// Decimal: optional `-`, one or more digits, optionally `.` and one or more digits.
    /// (`142`, `27.4`, `-1.5`; not `.5`, `5.`, `1e5`.) Any number of digits is accepted: the
    /// first 18 significant digits are kept exactly (beyond a double's precision anyway), later
    /// integer digits scale the value, later fraction digits are dropped.
    public static func decimal(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Double? {
        // Up to 16 bytes (almost every clinical value: 142, 27.4, -1.5) the whole mantissa fits
        // without the significant-digit bookkeeping below, and the answer is the same: a fraction
        // then has at most 15 digits, exact in a Double, so one division rounds correctly.
        e &- s <= 16 ? shortDecimal(c, s, e) : longDecimal(c, s, e)
    }

    /// Any length: the definition `shortDecimal` is tested against.
    static func longDecimal(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Double? {
        var i = s
        var negative = false
        if i < e && c[i] == 0x2D { negative = true; i += 1 }
        var mantissa: UInt64 = 0
        var intDigits = 0, fracDigits = 0, significant = 0, scale = 0
        while i < e && isDigit(c[i]) {
            if significant < 18 {
                mantissa = mantissa &* 10 &+ UInt64(c[i] &- 48)
                if mantissa > 0 { significant += 1 }
            } else {
                scale += 1
            }
            intDigits += 1; i += 1
        }
        guard intDigits > 0 else { return nil }
        if i < e {
            guard c[i] == 0x2E else { return nil }
            i += 1
            var any = false
            while i < e && isDigit(c[i]) {
                any = true
                if significant < 18 {
                    mantissa = mantissa &* 10 &+ UInt64(c[i] &- 48)
                    if mantissa > 0 { significant += 1 }
                    fracDigits += 1
                }
                i += 1
            }
            guard any, i == e else { return nil }
        }
        // Division by an exact power of ten gives the correctly rounded double for these sizes.
        var v = Double(mantissa)
        var k = scale
        while k > 22 { v *= pow10[22]; k -= 22 }
        v *= pow10[k]
        // Leading fraction zeros are not significant, so fracDigits is unbounded: divide by 10^22
        // until the rest fits the table (indexing past it trapped; found by a test).
        k = fracDigits
        while k > 22 { v /= pow10[22]; k -= 22 }
        v /= pow10[k]
        return negative ? -v : v
    }

    @inline(__always) static func shortDecimal(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Double? {
        var i = s
        let negative = i < e && c[i] == 0x2D
        if negative { i &+= 1 }
        let digitsStart = i
        var mantissa: UInt64 = 0
        while i < e, case let d = c[i] &- 48, d < 10 { mantissa = mantissa &* 10 &+ UInt64(d); i &+= 1 }
        guard i > digitsStart else { return nil }
        var fracDigits = 0
        if i < e {
            guard c[i] == 0x2E else { return nil }
            i &+= 1
            let fracStart = i
            while i < e, case let d = c[i] &- 48, d < 10 { mantissa = mantissa &* 10 &+ UInt64(d); i &+= 1 }
            fracDigits = i &- fracStart
            guard fracDigits > 0, i == e else { return nil }
        }
        let v = fracDigits == 0 ? Double(mantissa) : Double(mantissa) / pow10[fracDigits]
        return negative ? -v : v
    }

    static let pow10: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { a, _ in a * 10 } }

    /// `sex`: female/male/intersex/unknown, case-insensitive, or F/M/I/U.
    public static func sex(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Sex? {
        let len = e - s
        guard len >= 1 && len <= 8 else { return nil }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(len)
        for i in s..<e { let b = c[i]; lowered.append(isUpper(b) ? b | 0x20 : b) }
        switch lowered {
        case Array("female".utf8), [0x66]: return .female
        case Array("male".utf8), [0x6D]: return .male
        case Array("intersex".utf8), [0x69]: return .intersex
        case Array("unknown".utf8), [0x75]: return .unknown
        default: return nil
        }
    }
}

public enum Sex: UInt8, Sendable, CaseIterable {
    case female, male, intersex, unknown
    public var name: String { ["female", "male", "intersex", "unknown"][Int(rawValue)] }
}
