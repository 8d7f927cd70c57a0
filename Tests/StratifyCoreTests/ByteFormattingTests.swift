import StratifyCore
import Testing

/// The byte-level formatters (`JSON.format(_:to:)`, `Day.appendISO`, `CSVWriter`'s copy path)
/// write exactly what the first, String-based versions wrote. Those versions are kept here, word
/// for word, as the references.
@Suite struct ByteFormattingTests {
    static func referenceFormat(_ d: Double) -> String {
        let scaled = (d * 1_000_000).rounded()
        if abs(scaled) >= 9e15 { return String(d) }
        let negative = scaled < 0
        let v = Int64(abs(scaled))
        var frac = String(v % 1_000_000)
        frac = String(repeating: "0", count: 6 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        let whole = String(v / 1_000_000)
        return (negative && v != 0 ? "-" : "") + whole + (frac.isEmpty ? "" : "." + frac)
    }

    static func referenceISO(_ day: Day) -> String {
        let (y, m, d) = day.civil
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// The first `cell`: one byte at a time, quotes decided up front.
    static func referenceCell(_ value: [UInt8], into bytes: inout [UInt8], first: Bool) {
        if !first { bytes.append(0x2C) }
        let neutralise = value.first.map { CSVWriter.isFormulaStart($0) } ?? false
        let needsQuotes = value.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes { bytes.append(0x22) }
        if neutralise { bytes.append(0x27) }
        for b in value {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        if needsQuotes { bytes.append(0x22) }
    }

    @Test func numbersFormatLikeTheReference() {
        var rng = SeededRandom(seed: 11)
        var values: [Double] = [0, -0.0, 1, -1, 0.5, -0.5, 1e-7, -1e-7, 4e-7, 5e-7, -5e-7, 0.1, 0.000001, 0.0000015,
                                123.456789, 123.4567895, 99.9999995, 1e9, 8.99e9, 8_999_999_999.999999, 9e9, 9.1e9, -9.1e9,
                                1e15, 1e300, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for _ in 0..<20_000 {
            let magnitude = [1.0, 10, 100, 1e4, 1e6, 1e9][rng.below(6)]
            values.append((Double(rng.below(2_000_001)) / 1_000_000 - 1) * magnitude)
            values.append(Double(rng.below(1000)) / [1.0, 10, 100, 1000, 1e6][rng.below(5)])
        }
        for v in values {
            var bytes: [UInt8] = [0x41]   // appends after what is already there
            JSON.format(v, to: &bytes)
            #expect(String(decoding: bytes.dropFirst(), as: UTF8.self) == ByteFormattingTests.referenceFormat(v), "\(v)")
            #expect(JSON.format(v) == ByteFormattingTests.referenceFormat(v))
        }
    }

    @Test func decimalsOfEveryLength() {
        var v: UInt64 = 0
        for _ in 0..<19 {   // 0, 7, 77, ... up to 18 digits (the next step would overflow)
            var bytes: [UInt8] = [0x2D]
            JSON.appendDecimal(v, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == "-" + String(v))
            v = v * 10 + 7
        }
        var bytes: [UInt8] = []
        JSON.appendDecimal(.max, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(UInt64.max))
    }

    @Test func datesFormatLikeTheReference() {
        // Every day from 1800 to 2100, plus years outside 0...9999 (the slow path).
        for raw in Int32(-62_000)...Int32(47_500) {
            let day = Day(rawValue: raw)
            #expect(day.description == ByteFormattingTests.referenceISO(day))
        }
        for raw: Int32 in [-800_000, -719_528, -719_529, 2_932_896, 2_932_897, 3_000_000] {
            let day = Day(rawValue: raw)
            #expect(day.description == ByteFormattingTests.referenceISO(day))
        }
    }

    @Test func cellsMatchTheByteAtATimeWriter() {
        var rng = SeededRandom(seed: 5)
        let alphabet: [UInt8] = Array("ab1-=+@,\"\n\r\t' é".utf8)
        var w = CSVWriter()
        var expected: [UInt8] = []
        for row in 0..<2_000 {
            for k in 0..<5 {
                let value = (0..<rng.below(6)).map { _ in alphabet[rng.below(alphabet.count)] }
                w.cell(value)
                ByteFormattingTests.referenceCell(value, into: &expected, first: k == 0)
            }
            w.endRow()
            expected.append(0x0A)
            if row % 100 == 0 { #expect(w.bytes == expected) }
        }
        #expect(w.bytes == expected)
    }

    /// `escapeInPlace` (text appended first, escaped after the fact) and `escaped(_:)` (a label
    /// escaped once, then copied) give what `cell(_:)` writes, including values that turn out to
    /// need quotes or a formula guard.
    @Test func directCellsMatchTheGeneralCell() {
        var rng = SeededRandom(seed: 9)
        let alphabet: [UInt8] = Array("ab1-=+@,\"\n\r\t' .".utf8)   // ASCII: escaped(_:) takes a String
        var general = CSVWriter(crlf: true)
        var inPlace: [UInt8] = [], escaped: [UInt8] = []
        for _ in 0..<500 {
            for k in 0..<6 {
                let value = (0..<rng.below(6)).map { _ in alphabet[rng.below(alphabet.count)] }
                general.cell(value)
                if k > 0 { inPlace.append(0x2C); escaped.append(0x2C) }
                let start = inPlace.count
                inPlace += value
                CSVWriter.escapeInPlace(&inPlace, from: start)
                escaped += CSVWriter.escaped(String(decoding: value, as: UTF8.self))
            }
            general.endRow()
            inPlace += [13, 10]
            escaped += [13, 10]
        }
        #expect(inPlace == general.bytes)
        #expect(escaped == general.bytes)
    }
}
