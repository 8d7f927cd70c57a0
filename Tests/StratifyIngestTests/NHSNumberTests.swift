import Testing
@testable import StratifyIngest

@Test func validNumberPasses() {
    // 9 4 3 4 7 6 5 9 1 weighted 10..2 sums to 299; 299 mod 11 = 2; 11 - 2 = 9.
    #expect(NHSNumber.check("9434765919") == .valid(9_434_765_919))
    #expect(NHSNumber.check("4010232137") == .valid(4_010_232_137))
}

@Test func displayFormWithSpacesPasses() {
    #expect(NHSNumber.check("943 476 5919") == .valid(9_434_765_919))
}

@Test func remainderZeroGivesCheckDigitZero() {
    // 2 0 0 0 0 0 0 0 1: 20 + 2 = 22, 22 mod 11 = 0, so 11 - 0 = 11 becomes 0.
    #expect(NHSNumber.check("2000000010") == .valid(2_000_000_010))
}

@Test func checkDigitTenIsInvalidWhateverTheLastDigit() {
    // 1..9 weighted 10..2 sums to 210; 210 mod 11 = 1, so the check digit would be 10.
    for last in 0...9 {
        #expect(NHSNumber.check("123456789\(last)") == .badCheckDigit, "last digit \(last)")
    }
}

@Test func wrongCheckDigitIsInvalid() {
    for last in 0...9 where last != 9 {
        #expect(NHSNumber.check("943476591\(last)") == .badCheckDigit)
    }
}

@Test func otherShapesAreBadShape() {
    #expect(NHSNumber.check("943476591") == .badShape)
    #expect(NHSNumber.check("94347659190") == .badShape)
    #expect(NHSNumber.check("943-476-5919") == .badShape)
    #expect(NHSNumber.check("9434 765 919") == .badShape)
    #expect(NHSNumber.check("943 4765919") == .badShape)
    #expect(NHSNumber.check("943476591X") == .badShape)
    #expect(NHSNumber.check("") == .badShape)
}
