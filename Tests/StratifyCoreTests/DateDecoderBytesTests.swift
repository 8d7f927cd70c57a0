import StratifyCore
import Testing

/// `DateDecoder.decodeDay(_:_:_:)` (one 8-byte load and a table of month starts) against the
/// generic byte-by-byte `decodeDay(_:)`.
@Suite struct DateDecoderBytesTests {
    func fast(_ field: [UInt8], offset: Int = 0) -> Day? {
        let bytes = [UInt8](repeating: 0x30, count: offset) + field
        return bytes.withUnsafeBytes { DateDecoder.decodeDay($0, offset, $0.count) }
    }

    func iso(_ y: Int, _ m: Int, _ d: Int) -> [UInt8] {
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return Array("\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))".utf8)
    }

    @Test func everyDayAcrossTheTableAndItsEdgesMatches() {
        // 1799-12 to 2200-01: every day inside the month-start table and just outside it.
        var day = Day(year: 1799, month: 12, day: 1)!
        let last = Day(year: 2200, month: 1, day: 31)!
        var checked = 0
        while day <= last {
            let (y, m, d) = day.civil
            #expect(fast(iso(y, m, d)) == day, "\(day)")
            day = day.plusDays(1)
            checked += 1
        }
        #expect(checked > 146_000)
    }

    @Test func impossibleDaysAreRejectedInEveryMonth() {
        for y in [1800, 1900, 1999, 2000, 2023, 2024, 2100, 2199, 2200, 9999, 0] {
            for m in 0...13 {
                for d in [0, 28, 29, 30, 31, 32, 99] {
                    let field = iso(y, m, d)
                    #expect(fast(field) == DateDecoder.decodeDay(field), "\(y)-\(m)-\(d)")
                }
            }
        }
    }

    @Test func randomShapesMatchAtEveryOffset() {
        var rng = SeededRandom(seed: 3)
        let alphabet = Array("0123456789-".utf8) + [0x2F, 0x3A, 0x3F, 0x20, 0xB2, 0x2B]
        for trial in 0..<50_000 {
            // Mostly near-dates (a valid one with one byte changed), some pure noise.
            var field = iso(1900 + rng.below(200), 1 + rng.below(12), 1 + rng.below(28))
            if rng.chance(0.7) { field[rng.below(10)] = alphabet[rng.below(alphabet.count)] } else {
                field = (0..<10).map { _ in alphabet[rng.below(alphabet.count)] }
            }
            let offset = trial % 9
            #expect(fast(field, offset: offset) == DateDecoder.decodeDay(field), "trial \(trial)")
        }
    }

    @Test func otherLengthsAreRejected() {
        #expect(fast(Array("2025-01-0".utf8)) == nil)
        #expect(fast(Array("2025-01-011".utf8)) == nil)
        #expect(fast([]) == nil)
    }
}
