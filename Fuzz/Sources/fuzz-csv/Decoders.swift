import FuzzSupport
import StratifyIngest

/// Runs every field decoder on every field of a record and checks what each accepts against an
/// oracle that is deliberately naive (string-based, allocating): a different way to the same answer.
enum Decoders {
    static func check(_ c: UnsafeRawBufferPointer, _ record: Records.Snapshot) {
        let utf8 = UTF8Check.isValid(c, record.start, record.end)
        Fuzz.check(utf8 == (String(validating: c[record.start..<record.end], as: UTF8.self) != nil),
                   "UTF8Check says \(utf8) for record \(record)")
        for f in record.fields where !f.escaped {
            field(c, f.start, f.end)
        }
    }

    static func field(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) {
        let bytes = Array(c[s..<e])
        let text = String(decoding: bytes, as: UTF8.self)
        let span = UnsafeRawBufferPointer(rebasing: c[s..<e])
        let isDigits = !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }

        // Dates: an accepted value prints back as the same text (or as the 1st of the month).
        if let d = DateDecoder.decodeDay(span) {
            Fuzz.check(d.description == text, "decodeDay round trip: \(d) from \(bytes)")
        }
        if let d = DateDecoder.decodeDayOrMonth(span) {
            Fuzz.check(d.description == text || d.description == text + "-01", "decodeDayOrMonth round trip: \(d) from \(bytes)")
        }

        // NHS number: the value is the field's ten digits.
        if case .valid(let v) = NHSNumber.check(c, s, e) {
            let digits = bytes.filter { $0 != 0x20 }
            let printed = String(v)
            Fuzz.check(String(repeating: "0", count: 10 - printed.count) + printed == String(decoding: digits, as: UTF8.self),
                       "NHS number \(v) from \(bytes)")
        }

        // Concept id: the value prints back as the field, and Verhoeff agrees with checkDigit.
        if let v = FieldShapes.conceptID(c, s, e) {
            Fuzz.check(String(v) == text, "conceptID \(v) from \(bytes)")
        }
        if isDigits {
            let valid = Verhoeff.isValid(c, s, e)
            if bytes.count >= 2 {
                let expected = Verhoeff.checkDigit(for: Array(bytes.dropLast())) == bytes.last!
                Fuzz.check(valid == expected, "Verhoeff.isValid \(valid) but checkDigit says \(expected) for \(bytes)")
            }
        }

        // Decimal: accepted exactly when the shape is -?D+(.D+)?, and close to Double(String).
        let decimal = FieldShapes.decimal(c, s, e)
        Fuzz.check((decimal != nil) == isDecimalShape(bytes), "decimal shape disagrees for \(bytes)")
        if let v = decimal, let expected = Double(text) {
            let close = v == expected || abs(v - expected) <= 1e-12 * max(abs(v), abs(expected))
                || (abs(v) < 1e-290 && abs(expected) < 1e-290)
            Fuzz.check(close, "decimal \(v), Double(String) \(expected) for \(bytes)")
        }

        // The other shapes only need to not trap; sex must accept only its spellings.
        _ = FieldShapes.isPatientID(c, s, e)
        _ = FieldShapes.isPracticeCode(c, s, e)
        _ = FieldShapes.isLSOA(c, s, e)
        _ = FieldShapes.isEthnicCategory(c, s, e)
        if let sex = FieldShapes.sex(c, s, e) {
            let lower = text.lowercased()
            Fuzz.check(lower == sex.name || lower == String(sex.name.prefix(1)), "sex \(sex) from \(bytes)")
        }
    }

    static func isDecimalShape(_ b: [UInt8]) -> Bool {
        var i = 0
        if i < b.count && b[i] == 0x2D { i += 1 }
        func digits() -> Int {
            let start = i
            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
            return i - start
        }
        guard digits() > 0 else { return false }
        if i == b.count { return true }
        guard b[i] == 0x2E else { return false }
        i += 1
        return digits() > 0 && i == b.count
    }
}
