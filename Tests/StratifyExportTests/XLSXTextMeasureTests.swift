import Testing
@testable import StratifyExport

/// The ASCII fast paths of the sheet writer give what the general Unicode paths give.
@Suite struct XLSXTextMeasureTests {
    @Test(arguments: Array(0...0x7F) + [0x85, 0xA0, 0x2003, 0x3000, 0xE9, 0x4E2D])
    func whitespaceMatchesUnicodeProperty(value: Int) {
        let u = Unicode.Scalar(UInt32(value))!
        #expect(XLSXSheet.isWhitespace(u) == u.properties.isWhitespace)
    }

    @Test func displayLengthCountsCharactersOfTheLongestLine() {
        #expect(XLSXSheet.displayLength("severe frailty (eFI 0.528)") == 26)
        #expect(XLSXSheet.displayLength("") == 0)
        #expect(XLSXSheet.displayLength("café") == 4)            // 5 UTF-8 bytes, 4 characters
        #expect(XLSXSheet.displayLength("e\u{301}x") == 2)       // a combining accent is one character
        #expect(XLSXSheet.displayLength("ab\r\nabcd\nx") == 4)
    }
}
