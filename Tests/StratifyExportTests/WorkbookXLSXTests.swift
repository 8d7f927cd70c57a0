import StratifyCore
@testable import StratifyExport
import Testing

/// The parts of an .xlsx and what each cell becomes, read back through the tests' ZIP reader.
@Suite struct WorkbookXLSXTests {
    func parts(_ book: XLSXWorkbook) throws -> ZipTestReader { try ZipTestReader(book.render()) }

    func sheetXML(_ n: Int, _ book: XLSXWorkbook? = nil) throws -> String {
        try #require(parts(book ?? WorkbookFixture.book()).text("xl/worksheets/sheet\(n).xml"))
    }

    @Test func thePackageHoldsTheExpectedPartsInOrder() throws {
        #expect(try parts(WorkbookFixture.book()).names == [
            "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml",
        ])
    }

    @Test func contentTypesOverrideEveryWorksheet() throws {
        let types = try #require(parts(WorkbookFixture.book()).text("[Content_Types].xml"))
        for n in 1...3 {
            #expect(types.contains("<Override PartName=\"/xl/worksheets/sheet\(n).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
        }
        #expect(types.contains("PartName=\"/xl/workbook.xml\""))
        #expect(types.contains("PartName=\"/xl/styles.xml\""))
    }

    @Test func workbookListsSheetsWithRelationshipsThatExist() throws {
        let zip = try parts(WorkbookFixture.book())
        let workbook = try #require(zip.text("xl/workbook.xml"))
        let rels = try #require(zip.text("xl/_rels/workbook.xml.rels"))
        #expect(workbook.contains("<sheet name=\"Read me\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"Frailty P1\" sheetId=\"2\" r:id=\"rId2\"/><sheet name=\"Leavers\" sheetId=\"3\" r:id=\"rId3\"/>"))
        #expect(rels.contains("Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\""))
        #expect(rels.contains("Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\""))
    }

    @Test func everyAutofilterHasItsHiddenFilterDatabaseName() throws {
        let workbook = try #require(parts(WorkbookFixture.book()).text("xl/workbook.xml"))
        #expect(workbook.contains("<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\" hidden=\"1\">'Frailty P1'!$A$1:$G$4</definedName>"))
        #expect(workbook.contains("localSheetId=\"2\" hidden=\"1\">'Leavers'!$A$1:$B$2</definedName>"))
    }

    @Test func anApostropheInASheetNameIsDoubledInReferences() {
        #expect(XLSXWorkbook.absoluteReference(sheet: "Dr O'Neil", range: "A1:AB20") == "'Dr O''Neil'!$A$1:$AB$20")
    }

    @Test func everySheetFreezesItsHeaderRowAndFiltersItsRange() throws {
        let xml = try sheetXML(2)
        #expect(xml.contains("<sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(xml.contains("<autoFilter ref=\"A1:G4\"/>"))
        #expect(xml.contains("<dimension ref=\"A1:G4\"/>"))
    }

    @Test func onlyTheFirstSheetIsSelected() throws {
        #expect(try sheetXML(1).contains("<sheetView tabSelected=\"1\" workbookViewId=\"0\">"))
        #expect(try !sheetXML(2).contains("tabSelected"))
    }

    @Test func worksheetChildrenFollowTheSchemaOrder() throws {
        let xml = try sheetXML(2)
        let order = ["<dimension", "<sheetViews>", "<sheetFormatPr", "<cols>", "<sheetData>", "<autoFilter", "<pageMargins", "<ignoredErrors>"]
        let positions = order.map { xml.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    }

    @Test func theHeaderRowIsBoldText() throws {
        #expect(try sheetXML(2).contains("<row r=\"1\"><c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>nhs_number</t></is></c>"))
        let styles = XLSXWorkbook.styles
        #expect(styles.contains("<xf numFmtId=\"49\" fontId=\"1\""), "cellXfs 1: text format, font 1")
        #expect(styles.contains("<font><b/>"), "font 1 is bold")
    }

    @Test func anNHSNumberIsATextCellInDisplayForm() throws {
        #expect(try sheetXML(2).contains("<c r=\"A2\" s=\"2\" t=\"inlineStr\"><is><t>999 136 4315</t></is></c>"))
    }

    @Test func anNHSNumberKeepsItsLeadingZero() {
        #expect(XLSXCell.nhsNumber(123_456_789) == .text("012 345 6789"))
    }

    @Test func aMissingNHSNumberIsAnEmptyCell() {
        #expect(XLSXCell.nhsNumber(0) == .empty)
    }

    @Test func numbersIntegersAndBooleansAreTypedCells() throws {
        let xml = try sheetXML(2)
        #expect(xml.contains("<c r=\"C2\"><v>81</v></c><c r=\"D2\"><v>0.69</v></c><c r=\"E2\" t=\"b\"><v>1</v></c>"))
        #expect(xml.contains("<c r=\"D3\"><v>-1.5</v></c><c r=\"E3\" t=\"b\"><v>0</v></c>"))
    }

    @Test func aDateIsASerialNumberWithTheDateStyle() throws {
        // 2025-03-31 is day 45,747 counting from Excel's 1899-12-30.
        #expect(try sheetXML(2).contains("<c r=\"F2\" s=\"3\"><v>45747</v></c>"))
        #expect(XLSXWorkbook.styles.contains("<numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/>"))
        #expect(XLSXWorkbook.styles.contains("<xf numFmtId=\"164\""))
    }

    @Test(arguments: [("1900-02-28", nil), ("1900-03-01", 61), ("9999-12-31", 2_958_465), ("1970-01-01", 25_569)] as [(String, Int?)])
    func dateSerialsStayWhereExcelShowsThemExactly(iso: String, serial: Int?) throws {
        #expect(XLSXCell.serial(try #require(Day(iso: iso))) == serial)
    }

    @Test func aDateExcelCannotShowIsWrittenAsText() throws {
        #expect(try sheetXML(2).contains("<c r=\"F4\" s=\"2\" t=\"inlineStr\"><is><t>1899-06-01</t></is></c>"))
    }

    @Test func emptyCellsNaNAndEmptyTextAreLeftOut() throws {
        var sheet = try XLSXSheet(name: "S", header: ["a", "b", "c", "d"])
        try sheet.append([.empty, .number(.nan), .text(""), .number(.infinity)])
        var book = XLSXWorkbook()
        try book.add(sheet)
        #expect(try sheetXML(1, book).contains("<row r=\"2\"></row>"))
    }

    @Test func formulaLookingTextIsAnInlineStringNeverAFormula() throws {
        let xml = try sheetXML(2)
        #expect(xml.contains("<c r=\"G2\" s=\"2\" t=\"inlineStr\"><is><t>=1+2</t></is></c>"))
        #expect(!xml.contains("<f>"))
    }

    @Test func callerNeutralisedTextIsKeptAsGiven() throws {
        #expect(try sheetXML(2).contains("<is><t>'=HYPERLINK(&quot;x&quot;)</t></is>"))
    }

    @Test func edgeSpacesArePreserved() throws {
        #expect(try sheetXML(2).contains("<c r=\"B4\" s=\"2\" t=\"inlineStr\"><is><t xml:space=\"preserve\">  padded </t></is></c>"))
    }

    @Test func cellTextIsEscaped() throws {
        #expect(try sheetXML(2).contains("<t>bell\u{FFFD}, tab\t, CRLF\nline, _x005F_x0041_ &amp; &lt;b&gt;&quot;q&quot;&lt;/b&gt;</t>"))
    }

    @Test func columnWidthsFollowTheLongestTextWithinBounds() throws {
        var sheet = try XLSXSheet(name: "S", header: ["id", "a long header name", "x"])
        try sheet.append([.integer(1), .text("short"), .text(String(repeating: "w", count: 500))])
        // Header "id" + 2 for the filter button + 1 is under the minimum of 8.
        #expect(sheet.width(ofColumn: 0) == 8)
        // 18 characters + 2 + 1.
        #expect(sheet.width(ofColumn: 1) == 21)
        #expect(sheet.width(ofColumn: 2) == 60)
        var book = XLSXWorkbook()
        try book.add(sheet)
        #expect(try sheetXML(1, book).contains("<cols><col min=\"1\" max=\"1\" width=\"8.7109375\" customWidth=\"1\"/><col min=\"2\" max=\"2\" width=\"21.7109375\" customWidth=\"1\"/><col min=\"3\" max=\"3\" width=\"60.7109375\" customWidth=\"1\"/></cols>"))
    }

    @Test func aMultiLineCellIsAsWideAsItsLongestLine() throws {
        var sheet = try XLSXSheet(name: "S", header: ["h"])
        try sheet.append([.text("twelve chars\nshort")])
        #expect(sheet.width(ofColumn: 0) == 13)
    }

    @Test func storedWidthsMatchExcelsConversion() {
        #expect(XLSXSheet.storedWidth(characters: 10) == 10.7109375)
        #expect(XLSXSheet.storedWidth(characters: 8) == 8.7109375)
    }

    @Test(arguments: [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16_383, "XFD")])
    func columnNamesCountInBase26Letters(column: Int, name: String) {
        #expect(XLSXSheet.columnName(column) == name)
    }

    @Test func aTextSheetIsOneWideWrappedColumn() throws {
        let xml = try sheetXML(1)
        #expect(xml.contains("<cols><col min=\"1\" max=\"1\" width=\"100.7109375\" style=\"4\" customWidth=\"1\"/></cols>"))
        #expect(xml.contains("<row r=\"1\"><c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>About this workbook</t></is></c></row>"))
        #expect(xml.contains("<row r=\"2\"><c r=\"A2\" s=\"4\" t=\"inlineStr\"><is><t>Cohorts for the North neighbourhood, as of 2025-03-31.</t></is></c></row>"))
        #expect(xml.contains("<row r=\"3\"></row><row r=\"4\">"), "an empty line leaves an empty row")
        #expect(XLSXWorkbook.styles.contains("<alignment vertical=\"top\" wrapText=\"1\"/>"))
    }

    @Test func aRowLongerThanTheHeaderIsRejected() throws {
        var sheet = try XLSXSheet(name: "S", header: ["a"])
        #expect(throws: StratifyError.self) { try sheet.append([.integer(1), .integer(2)]) }
        #expect(sheet.rowCount == 0)
    }

    @Test func aShorterRowIsAllowed() throws {
        var sheet = try XLSXSheet(name: "S", header: ["a", "b"])
        try sheet.append([.integer(1)])
        #expect(sheet.range == "A1:B2")
    }

    @Test func aCellOverExcelsLengthLimitIsRejectedWithoutItsText() throws {
        var sheet = try XLSXSheet(name: "S", header: ["a"])
        let error = try #require(throws: StratifyError.self) { try sheet.append([.text(String(repeating: "z", count: 32_768))]) }
        #expect(error.message.contains("cell A2 of sheet 'S'"))
        #expect(!error.message.contains("zzz"))
    }

    @Test func aRejectedRowLeavesTheSheetAsItWas() throws {
        var sheet = try XLSXSheet(name: "S", header: ["a", "b"])
        #expect(throws: StratifyError.self) { try sheet.append([.text("kept? a long text here"), .text(String(repeating: "z", count: 32_768))]) }
        try sheet.append([.text("next")])
        var book = XLSXWorkbook()
        try book.add(sheet)
        let xml = try sheetXML(1, book)
        #expect(xml.contains("</row><row r=\"2\"><c r=\"A2\" s=\"2\" t=\"inlineStr\"><is><t>next</t></is></c></row></sheetData>"))
        #expect(!xml.contains("kept?"))
        #expect(sheet.width(ofColumn: 0) == 8, "the rejected row's text did not widen the column")
    }

    @Test func aSheetWithoutHeaderColumnsIsRejected() {
        #expect(throws: StratifyError.self) { try XLSXSheet(name: "S", header: []) }
    }

    @Test func aWorkbookWithoutSheetsIsRejected() {
        #expect(throws: StratifyError.self) { try XLSXWorkbook().render() }
    }

    @Test func theSameSheetsGiveTheSameBytes() throws {
        #expect(try WorkbookFixture.book().render() == WorkbookFixture.book().render())
        #expect(try WorkbookFixture.book().render(method: .stored) == WorkbookFixture.book().render(method: .stored))
    }

    @Test func aDifferentCellGivesDifferentBytes() throws {
        var other = XLSXWorkbook()
        try other.addTextSheet(name: "Read me", title: "About this workbook", lines: WorkbookFixture.readMe)
        try other.addSheet(name: "Frailty P1", header: WorkbookFixture.header, rows: [[.nhsNumber(9_991_364_316)]] + WorkbookFixture.rows.dropFirst())
        try other.addSheet(name: "Leavers", header: ["nhs_number", "why"], rows: [[.nhsNumber(9_434_765_919), .text("died")]])
        #expect(try other.render() != WorkbookFixture.book().render())
    }
}
