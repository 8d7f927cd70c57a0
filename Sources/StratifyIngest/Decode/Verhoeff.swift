/// The Verhoeff check digit used by SNOMED CT concept ids (and dm+d ids, which are SNOMED ids).
/// Source: SNOMED CT Technical Implementation Guide, "Check-digit computation".
public enum Verhoeff {
    static let d: [[UInt8]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ]
    static let p: [[UInt8]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ]
    // Flattened tables: the hot path indexes one array instead of an array of arrays.
    static let dFlat: [UInt8] = d.flatMap { $0 }
    static let pFlat: [UInt8] = p.flatMap { $0 }

    /// True when the digit string (check digit last) passes. Caller guarantees digits only.
    public static func isValid(_ c: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var check = 0
        var pos = 0
        var i = end - 1
        while i >= start {
            let digit = Int(c[i] &- 48)
            check = Int(dFlat[check * 10 + Int(pFlat[(pos & 7) * 10 + digit])])
            pos += 1
            i -= 1
        }
        return check == 0
    }

    public static func isValid(_ digits: [UInt8]) -> Bool {
        digits.withUnsafeBytes { isValid($0, 0, $0.count) }
    }

    /// The check digit to append to `digits` (used by the synthetic generator's defect injection
    /// to build codes that are deliberately wrong by one digit).
    public static func checkDigit(for digits: [UInt8]) -> UInt8 {
        var check = 0
        for (pos, ch) in digits.reversed().enumerated() {
            check = Int(dFlat[check * 10 + Int(pFlat[((pos + 1) & 7) * 10 + Int(ch - 48)])])
        }
        let inv: [Int] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]
        return UInt8(48 + inv[check])
    }
}
