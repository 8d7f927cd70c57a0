import StratifyCore

/// Appends CSV rows as bytes. Synthetic values never need quoting, so this is plain appends.
struct RowBuffer {
    var bytes: [UInt8] = []
    var rows = 0

    mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func comma() { bytes.append(0x2C) }
    mutating func newline() { bytes.append(0x0A); rows += 1 }

    mutating func append(day: Day) {
        let (y, m, d) = day.civil
        digits(y, 4); bytes.append(0x2D); digits(m, 2); bytes.append(0x2D); digits(d, 2)
    }

    mutating func append(month day: Day) {
        let (y, m, _) = day.civil
        digits(y, 4); bytes.append(0x2D); digits(m, 2)
    }

    mutating func digits(_ v: Int, _ width: Int) {
        var p = 1
        for _ in 1..<width { p *= 10 }
        var v = v
        while p > 0 { bytes.append(UInt8(48 + (v / p) % 10)); v %= p; p /= 10 }
    }

    mutating func append(int v: Int) { bytes.append(contentsOf: String(v).utf8) }

    /// One decimal place, e.g. 27.4 (values in this generator are positive and < 10000).
    mutating func append(tenths v: Double) {
        let t = Int((v * 10).rounded())
        append(int: t / 10)
        bytes.append(0x2E)
        bytes.append(UInt8(48 + t % 10))
    }
}
