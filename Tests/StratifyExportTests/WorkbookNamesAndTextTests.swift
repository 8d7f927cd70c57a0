import StratifyCore
@testable import StratifyExport
import Testing

/// Excel's sheet-name rules, with the reason in the error.
@Suite struct WorkbookSheetNameTests {
    @Test(arguments: ["Read me", "Frailty P1", "Core20PLUS – SMI", "É", String(repeating: "n", count: 31), "a'b", "History 2"])
    func aValidNameIsAccepted(name: String) throws {
        try XLSXSheet.validate(name: name)
    }

    @Test(arguments: [("", "empty"), (String(repeating: "n", count: 32), "31"), ("a[b", "'['"), ("a]b", "']'"), ("a:b", "':'"),
                      ("a*b", "'*'"), ("a?b", "'?'"), ("a/b", "'/'"), ("a\\b", "'\\'"), ("'quoted", "apostrophe"),
                      ("quoted'", "apostrophe"), ("history", "reserves"), ("tab\there", "control")])
    func anInvalidNameIsRejectedSayingWhy(name: String, reason: String) throws {
        let error = try #require(throws: StratifyError.self) { try XLSXSheet(name: name, header: ["a"]) }
        #expect(error.message.contains(reason))
        #expect(error.help != nil)
    }

    @Test func lengthIsCountedInUTF16UnitsAsExcelCounts() {
        // 16 emoji are 16 characters but 32 UTF-16 units.
        #expect(throws: StratifyError.self) { try XLSXSheet.validate(name: String(repeating: "🙂", count: 16)) }
        #expect(throws: Never.self) { try XLSXSheet.validate(name: String(repeating: "🙂", count: 15)) }
    }

    @Test func aNameRepeatedInAnotherCaseIsRejected() throws {
        var book = XLSXWorkbook()
        try book.addSheet(name: "Frailty", header: ["a"], rows: [])
        let error = try #require(throws: StratifyError.self) { try book.addSheet(name: "FRAILTY", header: ["a"], rows: []) }
        #expect(error.message.contains("already used by sheet 'Frailty'"))
        #expect(book.sheetNames == ["Frailty"])
    }

    @Test func aSheetNameIsEscapedInTheWorkbookPart() throws {
        var book = XLSXWorkbook()
        try book.addSheet(name: "A&B <C>", header: ["a"], rows: [])
        let workbook = try #require(ZipTestReader(book.render()).text("xl/workbook.xml"))
        #expect(workbook.contains("<sheet name=\"A&amp;B &lt;C&gt;\""))
        #expect(workbook.contains(">'A&amp;B &lt;C&gt;'!$A$1:$A$1</definedName>"))
    }
}

/// XML escaping of text: nothing a patient record holds can break a part.
@Suite struct WorkbookXMLTextTests {
    @Test func markupCharactersBecomeEntities() {
        #expect(XMLText.escaped("a & b < c > d \"e\" 'f'") == "a &amp; b &lt; c &gt; d &quot;e&quot; 'f'")
    }

    @Test func tabAndLineFeedAreKept() {
        #expect(XMLText.escaped("a\tb\nc") == "a\tb\nc")
    }

    @Test func carriageReturnsBecomeLineFeeds() {
        #expect(XMLText.escaped("a\r\nb\rc\n\rd") == "a\nb\nc\n\nd")
    }

    @Test func controlCharactersXMLForbidsBecomeReplacementCharacters() {
        let controls = (0..<0x20).filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }.map { Character(Unicode.Scalar(UInt8($0))) }
        #expect(XMLText.escaped("<" + String(controls) + ">") == "&lt;" + String(repeating: "\u{FFFD}", count: controls.count) + "&gt;")
    }

    @Test func nonCharactersFFFEAndFFFFBecomeReplacementCharacters() {
        #expect(XMLText.escaped("x\u{FFFE}y\u{FFFF}z") == "x\u{FFFD}y\u{FFFD}z")
    }

    @Test func otherUnicodeIsWrittenAsItself() {
        let text = "Siân O’Brien – 🙂 \u{E000} \u{FFFD} \u{7F}"
        #expect(XMLText.escaped(text) == text)
    }

    @Test func aLiteralExcelEscapeInCellTextIsProtected() {
        #expect(XMLText.escaped("_x0041_ and _X0041_ and _x00zz_", cellText: true) == "_x005F_x0041_ and _X0041_ and _x00zz_")
        #expect(XMLText.escaped("a_x0041_", cellText: true) == "a_x005F_x0041_")
        #expect(XMLText.escaped("_x004", cellText: true) == "_x004")
    }

    @Test func aLiteralExcelEscapeOutsideCellTextIsLeftAlone() {
        #expect(XMLText.escaped("_x0041_") == "_x0041_")
    }
}
