import StratifyCore
import Testing
@testable import StratifyIngest

/// The hot path's fast decoders against their byte-at-a-time definitions: every length, every
/// position of a bad byte, and every offset of the field in its buffer (the 8-byte loads must
/// neither read outside the field's buffer nor depend on the bytes around the field).
@Suite struct SWARDecodeTests {
    /// `field` at every offset 0...9 of a buffer padded with `pad` before it, ending at the
    /// buffer's end (so a load past the field would be past the buffer).
    func atEveryOffset(_ field: [UInt8], pad: UInt8 = 0x37, _ body: (UnsafeRawBufferPointer, Int, Int) -> Void) {
        for offset in 0...9 {
            let bytes = [UInt8](repeating: pad, count: offset) + field
            bytes.withUnsafeBytes { body($0, offset, $0.count) }
        }
    }

    @Test func conceptIDMatchesScalarForEveryLengthAndBadPosition() {
        var rng = SeededRandom(seed: 7)
        for length in 0...20 {
            for trial in 0..<20 {
                var digits = (0..<length).map { _ in UInt8(48 + rng.below(10)) }
                // A bad byte at each position in turn (trial < length), or none.
                if trial < length { digits[trial] = [0x2F, 0x3A, 0x20, 0x41, 0xB0, 0x00][rng.below(6)] }
                atEveryOffset(digits) { c, s, e in
                    #expect(FieldShapes.conceptID(c, s, e) == FieldShapes.conceptIDScalar(c, s, e),
                            "length \(length), trial \(trial), offset \(s)")
                }
            }
        }
    }

    @Test func conceptIDReadsEightDigitGroupsInOrder() {
        let field = Array("123456789012345678".utf8)
        field.withUnsafeBytes { c in
            #expect(FieldShapes.conceptID(c, 0, 18) == 123_456_789_012_345_678)
            #expect(FieldShapes.conceptID(c, 0, 9) == 123_456_789)
            #expect(FieldShapes.conceptID(c, 0, 8) == 12_345_678)
            #expect(FieldShapes.conceptID(c, 1, 17) == 2_345_678_901_234_567)
        }
    }

    @Test func shortDecimalMatchesTheGeneralDecoderBitForBit() {
        var rng = SeededRandom(seed: 11)
        let alphabet = Array("0123456789.-".utf8) + [0x2B, 0x65, 0x20]
        var accepted = 0
        for _ in 0..<200_000 {
            let length = rng.below(17)
            var field: [UInt8] = []
            if rng.chance(0.8) {
                // Mostly well-formed: -?D+(.D+)? with random digit counts.
                if rng.chance(0.2) { field.append(0x2D) }
                for _ in 0..<max(1, rng.below(9)) { field.append(UInt8(48 + rng.below(10))) }
                if rng.chance(0.6) {
                    field.append(0x2E)
                    for _ in 0..<rng.below(8) { field.append(UInt8(48 + rng.below(10))) }
                }
                if field.count > 16 { field.removeLast(field.count - 16) }
            } else {
                field = (0..<length).map { _ in alphabet[rng.below(alphabet.count)] }
            }
            field.withUnsafeBytes { c in
                let fast = FieldShapes.shortDecimal(c, 0, c.count), slow = FieldShapes.longDecimal(c, 0, c.count)
                #expect(fast?.bitPattern == slow?.bitPattern, "a \(c.count)-byte field")
                if fast != nil { accepted += 1 }
            }
        }
        #expect(accepted > 100_000)  // the generator mostly made decimals, so both paths were exercised
    }

    @Test func decimalChoosesTheGeneralPathPastSixteenBytes() {
        let field = Array("12345678901234567.5".utf8)
        field.withUnsafeBytes { c in
            #expect(FieldShapes.decimal(c, 0, c.count) == FieldShapes.longDecimal(c, 0, c.count))
            #expect(FieldShapes.decimal(c, 0, 16) == 1_234_567_890_123_456)
        }
    }
}
