import Testing
@testable import StratifyIngest

private func decimal(_ s: String) -> Double? { withBytes(s) { FieldShapes.decimal($0, $1, $2) } }
private func concept(_ s: String) -> UInt64? { withBytes(s) { FieldShapes.conceptID($0, $1, $2) } }
private func patientID(_ s: String) -> Bool { withBytes(s) { FieldShapes.isPatientID($0, $1, $2) } }
private func practice(_ s: String) -> Bool { withBytes(s) { FieldShapes.isPracticeCode($0, $1, $2) } }
private func lsoa(_ s: String) -> Bool { withBytes(s) { FieldShapes.isLSOA($0, $1, $2) } }
private func ethnic(_ s: String) -> Bool { withBytes(s) { FieldShapes.isEthnicCategory($0, $1, $2) } }
private func sex(_ s: String) -> Sex? { withBytes(s) { FieldShapes.sex($0, $1, $2) } }

@Test func decimalsParseToTheExactDouble() {
    #expect(decimal("142") == 142)
    #expect(decimal("27.4") == 27.4)
    #expect(decimal("-1.5") == -1.5)
    #expect(decimal("0.05") == 0.05)
    #expect(decimal("0") == 0)
    #expect(decimal("007.50") == 7.5)
    #expect(decimal("123456.789") == 123456.789)
}

@Test func decimalRejectsOtherShapes() {
    for text in [".5", "5.", "1e5", "--1", "1.2.3", "", "-", "+1", "1,5", " 1", "1 ", "0x1", "-.5", "NaN"] {
        #expect(decimal(text) == nil, "\(text)")
    }
}

@Test func conceptIDsAreSixToEighteenDigitsWithoutLeadingZero() {
    #expect(concept("100000") == 100_000)
    #expect(concept("38341003") == 38_341_003)
    #expect(concept("999999999999999999") == 999_999_999_999_999_999)
    #expect(concept("12345") == nil)
    #expect(concept("1234567890123456789") == nil)
    #expect(concept("038341003") == nil)
    #expect(concept("3834100a") == nil)
    #expect(concept("-3834100") == nil)
}

@Test func patientIDLength() {
    #expect(patientID(String(repeating: "a", count: 64)))
    #expect(!patientID(String(repeating: "a", count: 65)))
    #expect(patientID("x"))
    #expect(!patientID(""))
}

@Test func patientIDCharacters() {
    #expect(patientID("Ab09_-zZ"))
    for bad in ["a b", "a.b", "a/b", "é", "a+b"] { #expect(!patientID(bad), "\(bad)") }
}

@Test func practiceCodes() {
    #expect(practice("M83001"))
    #expect(practice("Y0ABC1"))
    #expect(!practice("m83001"))
    #expect(!practice("M8300"))
    #expect(!practice("M830011"))
    #expect(!practice("883001"))
    #expect(!practice("M83a01"))
}

@Test func practiceCodeSpanInsideALargerBuffer() {
    #expect(withBytes("xxM83001yy") { c, _, _ in FieldShapes.isPracticeCode(c, 2, 8) })
    #expect(!withBytes("xxM83001yy") { c, _, _ in FieldShapes.isPracticeCode(c, 1, 7) })
}

@Test func lsoaCodes() {
    #expect(lsoa("E01000001"))
    #expect(lsoa("E01033768"))
    #expect(!lsoa("E02000001"))
    #expect(!lsoa("W01000001"))
    #expect(!lsoa("e01000001"))
    #expect(!lsoa("E0100001"))
    #expect(!lsoa("E010000011"))
    #expect(!lsoa("E0100000A"))
}

@Test func ethnicCategoryLetters() {
    for letter in "ABCDEFGHJKLMNPRSZ" { #expect(ethnic(String(letter)), "\(letter)") }
    for letter in "IOQTUVWXY" { #expect(!ethnic(String(letter)), "\(letter)") }
    #expect(!ethnic("a"))
    #expect(!ethnic("AB"))
    #expect(!ethnic(""))
}

@Test func sexWordsAndLettersAnyCase() {
    #expect(sex("female") == .female)
    #expect(sex("FEMALE") == .female)
    #expect(sex("Male") == .male)
    #expect(sex("inTERsex") == .intersex)
    #expect(sex("unknown") == .unknown)
    #expect(sex("F") == .female)
    #expect(sex("m") == .male)
    #expect(sex("I") == .intersex)
    #expect(sex("u") == .unknown)
}

@Test func sexRejectsOtherValues() {
    for bad in ["", "x", "fem", "females", "woman", "0", "1", "mal e"] { #expect(sex(bad) == nil, "\(bad)") }
}

@Test func decimalWithMoreFractionDigitsThanThePowerTableParses() {
    // The contract puts no limit on the number of fraction digits: 23+ must not trap.
    let zeros = String(repeating: "0", count: 30)
    #expect(decimal("0." + zeros) == 0)
    #expect(decimal("-0." + zeros) == 0)
    let tiny = decimal("0." + String(repeating: "0", count: 23) + "1")
    #expect(tiny != nil)
    if let tiny { #expect(abs(tiny / 1e-24 - 1) < 1e-12) }
}

/// Long decimals are valid in the contract (digits, optional point and digits): any length parses.
@Suite struct LongDecimalTests {
    func decimal(_ text: String) -> Double? {
        let b = Array(text.utf8)
        return b.withUnsafeBytes { FieldShapes.decimal($0, 0, $0.count) }
    }

    @Test func trailingZerosBeyondEighteenDigitsAreAccepted() {
        #expect(decimal("142.000000000000000000") == 142)
    }

    @Test func manyIntegerDigitsScaleTheValue() {
        #expect(decimal("1" + String(repeating: "0", count: 25)) == 1e25)
    }

    @Test func manyLeadingFractionZerosDoNotCrash() {
        let v = decimal("0." + String(repeating: "0", count: 30) + "5")
        #expect(v != nil && abs(v! - 5e-31) < 1e-45)
    }
}
