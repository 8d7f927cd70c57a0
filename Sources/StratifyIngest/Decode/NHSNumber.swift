/// NHS number check (NHS Data Dictionary, "NHS Number"): weights 10..2 on digits 1–9,
/// check = 11 − (sum mod 11), 11 → 0, and 10 means the number is invalid.
public enum NHSNumber {
    /// Accepts 10 contiguous digits or the display form `ddd ddd dddd`. Returns the ten digits as
    /// an integer, or nil with the reason.
    public enum Result: Equatable { case valid(UInt64), badShape, badCheckDigit }

    public static func check(_ c: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Result {
        var digits = [UInt8]()
        digits.reserveCapacity(10)
        let len = end - start
        if len == 10 {
            for i in start..<end {
                guard c[i] >= 48 && c[i] <= 57 else { return .badShape }
                digits.append(c[i] - 48)
            }
        } else if len == 12 {
            for i in start..<end {
                let rel = i - start
                if rel == 3 || rel == 7 {
                    guard c[i] == 0x20 else { return .badShape }
                    continue
                }
                guard c[i] >= 48 && c[i] <= 57 else { return .badShape }
                digits.append(c[i] - 48)
            }
        } else {
            return .badShape
        }
        var sum = 0
        for i in 0..<9 { sum += Int(digits[i]) * (10 - i) }
        var check = 11 - sum % 11
        if check == 11 { check = 0 }
        if check == 10 || check != Int(digits[9]) { return .badCheckDigit }
        return .valid(digits.reduce(0) { $0 * 10 + UInt64($1) })
    }

    public static func check(_ text: String) -> Result {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { check($0, 0, $0.count) }
    }
}
