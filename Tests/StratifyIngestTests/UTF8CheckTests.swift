import Testing
import StratifyCore
@testable import StratifyIngest

private func valid(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { UTF8Check.isValid($0, 0, $0.count) } }

@Test func asciiAndMultibyteSequencesAreValid() {
    #expect(valid(Array("plain ascii, long enough to use the eight-byte path".utf8)))
    #expect(valid(Array("é ü — € 𝄞 🩺".utf8)))
    #expect(valid([0xF4, 0x8F, 0xBF, 0xBF]))  // U+10FFFF, the last code point
    #expect(valid([0xEF, 0xBF, 0xBF]))  // U+FFFF
}

@Test func overlongFormsAreInvalid() {
    #expect(!valid([0xC0, 0x80]))
    #expect(!valid([0xC1, 0xBF]))
    #expect(!valid([0xE0, 0x80, 0xAF]))
    #expect(!valid([0xF0, 0x80, 0x80, 0xAF]))
}

@Test func surrogatesAreInvalid() {
    #expect(!valid([0xED, 0xA0, 0x80]))
    #expect(!valid([0xED, 0xBF, 0xBF]))
    #expect(valid([0xED, 0x9F, 0xBF]))  // U+D7FF, just below the surrogates
}

@Test func truncatedSequenceAtTheEndIsInvalid() {
    #expect(!valid(Array("abc".utf8) + [0xC3]))
    #expect(!valid(Array("abc".utf8) + [0xE2, 0x82]))
    #expect(!valid(Array("abc".utf8) + [0xF0, 0x9F, 0xA9]))
}

@Test func codePointsAboveU10FFFFAreInvalid() {
    #expect(!valid([0xF4, 0x90, 0x80, 0x80]))
    #expect(!valid([0xF5, 0x80, 0x80, 0x80]))
}

@Test func strayContinuationAndInvalidBytesAreInvalid() {
    #expect(!valid([0x61, 0x80, 0x62]))
    #expect(!valid([0xFF]))
    #expect(!valid([0xC3, 0x41]))
}

@Test func onlyTheGivenRangeIsChecked() {
    let bytes: [UInt8] = Array("0123456789abcdef".utf8) + [0xFF] + Array("tail".utf8)
    bytes.withUnsafeBytes { c in
        #expect(UTF8Check.isValid(c, 0, 16))
        #expect(!UTF8Check.isValid(c, 0, 17))
        #expect(UTF8Check.isValid(c, 17, c.count))
        // A high byte after sixteen ASCII bytes is found by the word-at-a-time scan.
        #expect(!UTF8Check.isValid(c, 1, 18))
    }
}

@Test func agreesWithTheStandardLibraryOnRandomBytes() {
    let pool: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF,
                         0xF0, 0xF1, 0xF4, 0xF5, 0xFF]
    var rng = SeededRandom(seed: 0xF8)
    for _ in 0..<20_000 {
        let bytes = (0..<(1 + rng.below(12))).map { _ in pool[rng.below(pool.count)] }
        let expected = String(validating: bytes, as: UTF8.self) != nil
        #expect(valid(bytes) == expected, "\(bytes)")
    }
}

/// The tail of a record of 8 bytes or more is read with one overlapping load: a high byte at
/// any position of any length must still be seen (the scalar decoder is the reference).
@Test func aHighByteAtEveryPositionOfEveryLengthIsSeen() {
    for length in 1...40 {
        let ascii = [UInt8](repeating: 0x61, count: length)
        #expect(valid(ascii), "length \(length)")
        for position in 0..<length {
            var bytes = ascii
            bytes[position] = 0x80  // a stray continuation byte: never valid
            let fast = bytes.withUnsafeBytes { UTF8Check.isValid($0, 0, $0.count) }
            let scalar = bytes.withUnsafeBytes { UTF8Check.validateSlow($0, 0, $0.count) }
            #expect(!fast && fast == scalar, "length \(length), position \(position)")
        }
    }
}

@Test func aHighByteOutsideTheSpanIsNotRead() {
    // The overlapping load stays inside [start, end): a bad byte just before or after is ignored.
    var bytes = [UInt8](repeating: 0x61, count: 32)
    bytes[3] = 0xFF; bytes[20] = 0xFF
    bytes.withUnsafeBytes { c in
        #expect(UTF8Check.isValid(c, 4, 20))
        #expect(!UTF8Check.isValid(c, 4, 21))
        #expect(!UTF8Check.isValid(c, 3, 19))
    }
}
