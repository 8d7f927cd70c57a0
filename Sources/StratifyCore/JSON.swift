/// A JSON value with ordered object keys, so manifests read in a logical order and are stable
/// across runs (no dictionary-order noise in diffs).
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool { a.render() == b.render() }

    public func render(indent: Int = 0) -> String {
        var out = ""
        write(into: &out, indent: indent)
        return out
    }

    /// One line, no spaces: for JSON-lines logs.
    public func renderCompact() -> String {
        var out = ""
        writeCompact(into: &out)
        return out
    }

    private func writeCompact(into out: inout String) {
        switch self {
        case .array(let items):
            out += "["
            for (i, v) in items.enumerated() { if i > 0 { out += "," }; v.writeCompact(into: &out) }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                JSON.quote(k, into: &out)
                out += ":"
                v.writeCompact(into: &out)
            }
            out += "}"
        default: write(into: &out, indent: 0)
        }
    }

    private func write(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1), end = String(repeating: "  ", count: indent)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? JSON.format(d) : "null"
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, v) in items.enumerated() {
                out += pad
                v.write(into: &out, indent: indent + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += end + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (k, v)) in pairs.enumerated() {
                out += pad
                JSON.quote(k, into: &out)
                out += ": "
                v.write(into: &out, indent: indent + 1)
                out += i + 1 < pairs.count ? ",\n" : "\n"
            }
            out += end + "}"
        }
    }

    /// Fixed notation with up to 6 decimals, trailing zeros dropped: locale-independent.
    public static func format(_ d: Double) -> String {
        var bytes: [UInt8] = []
        format(d, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `format(d)` to `bytes`: the definition of `format`, in digits, without the
    /// `String`s of the first version (number formatting was 13% of a pipeline run's
    /// instructions, for the number fields of `patients.csv`).
    public static func format(_ d: Double, to bytes: inout [UInt8]) {
        let scaled = (d * 1_000_000).rounded()
        if !(abs(scaled) < 9e15) { bytes += String(d).utf8; return }   // also NaN and infinities
        let v = Int64(abs(scaled))
        if scaled < 0 && v != 0 { bytes.append(0x2D) }
        appendDecimal(UInt64(v / 1_000_000), to: &bytes)
        var frac = Int(v % 1_000_000)
        guard frac != 0 else { return }
        var width = 6
        while frac % 10 == 0 { frac /= 10; width -= 1 }
        bytes.append(0x2E)
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 { bytes.append(0x30 &+ UInt8(frac / divisor % 10)); divisor /= 10 }
    }

    /// Appends the decimal digits of `v` (no sign, no leading zeros; "0" for zero).
    public static func appendDecimal(_ v: UInt64, to bytes: inout [UInt8]) {
        let start = bytes.count
        var n = v
        repeat {
            bytes.append(0x30 &+ UInt8(n % 10))
            n /= 10
        } while n > 0
        // Swapped by index: `bytes[start...].reverse()` took a slice (a retain and a release
        // per number) in the writers' hottest loops.
        var i = start, j = bytes.count - 1
        while i < j { bytes.swapAt(i, j); i += 1; j -= 1 }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }

    public subscript(key: String) -> JSON? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }
}
