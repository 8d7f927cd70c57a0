/// Describes a byte string without revealing it, for error messages and quarantine details:
/// "10 bytes: digits, '-'" says what was wrong with a date without printing the date.
public enum ByteShape {
    public static func describe<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if bytes.isEmpty { return "empty" }
        var digits = false, upper = false, lower = false, space = false, nonASCII = false
        var punctuation = Set<UInt8>()
        for b in bytes {
            switch b {
            case 0x30...0x39: digits = true
            case 0x41...0x5A: upper = true
            case 0x61...0x7A: lower = true
            case 0x20, 0x09: space = true
            case 0x80...: nonASCII = true
            default: punctuation.insert(b)
            }
        }
        var classes: [String] = []
        if digits { classes.append("digits") }
        if upper { classes.append("upper-case letters") }
        if lower { classes.append("lower-case letters") }
        if space { classes.append("spaces") }
        if nonASCII { classes.append("non-ASCII bytes") }
        // Punctuation is structural (a '-' in a date, a '.' in a decimal), not identifying.
        for p in punctuation.sorted() {
            classes.append(p < 0x20 || p == 0x7F ? "control bytes" : "'\(Character(Unicode.Scalar(p)))'")
        }
        return "\(bytes.count) byte\(bytes.count == 1 ? "" : "s"): " + classes.joined(separator: ", ")
    }
}
