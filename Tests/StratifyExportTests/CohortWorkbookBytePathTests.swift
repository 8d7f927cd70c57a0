import StratifyCore
import Testing
@testable import StratifyExport

/// A neighbourhood workbook's sheets are built from the cohort files' bytes (`appendRows`,
/// `rawCell`, `XLSXSheet.append(raw:)`); the String path they replaced (`table`, `cells`,
/// `XLSXSheet.append`) is the reference, and the sheet XML must be the same bytes.
@Suite struct CohortWorkbookBytePathTests {
    static let header = "nhs_number,patient_id,practice_code,practice_name,age,sex,core20,priority,reasons,details,efi,last_bp,status"

    /// Fields of every shape a cohort file holds, and awkward ones a feed could carry into one.
    static let awkward = [
        "", "0", "81", "-3", "'-2", "'-", "-0", "007", "+5", "1e5", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "0.583", "-0.5", "00.5", "2025-10-13", "2025-02-30", "1899-12-31",
        "2025-13-01", "abcdefghij", " lead", "trail ", "\ttab", "a\u{0B}b", "x\u{01}y", "_x0041_", "a&b<c>\"d\"", "é", "中文 ",
        "\u{2003}em", "two\nlines", "cr\rlf\r\n", "'=1+1", "999 136 4315", "9991364315", "999 136 431", "12345678901234567890",
        " ", "  999 136 4315", "٣", "P1", "true", "false", "continuing", String(repeating: "w", count: 200),
    ]

    static func quoted(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Rows cycling the awkward values through every column, so each column kind meets each.
    static func csv(rows: Int) -> [UInt8] {
        let columns = header.split(separator: ",").count
        var text = "\u{FEFF}" + header + "\r\n"
        var k = 0
        for _ in 0..<rows {
            var cells: [String] = []
            for _ in 0..<columns { cells.append(quoted(awkward[k % awkward.count])); k += 7 }
            text += cells.joined(separator: ",") + "\r\n"
        }
        return Array(text.utf8)
    }

    static func referenceSheet(_ csv: [UInt8], prefix: XLSXCell?) throws -> XLSXSheet {
        let table = CohortWorkbook.table(csv)
        var sheet = try XLSXSheet(name: "S", header: (prefix == nil ? [] : ["cohort"]) + table.header)
        let kinds = CohortWorkbook.columnKinds(table.header)
        for row in table.rows { try sheet.append((prefix.map { [$0] } ?? []) + CohortWorkbook.cells(row, kinds: kinds)) }
        return sheet
    }

    static func byteSheet(_ csv: [UInt8], prefix: XLSXCell?) throws -> (XLSXSheet, Int) {
        let records = CohortWorkbook.records(csv)
        var sheet = try XLSXSheet(name: "S", header: (prefix == nil ? [] : ["cohort"]) + CohortWorkbook.header(csv, records))
        let n = try CohortWorkbook.appendRows(csv, records, prefix: prefix, to: &sheet)
        return (sheet, n)
    }

    @Test(arguments: [0, 1, 3, 50]) func sheetFromBytesEqualsTheStringPath(rows: Int) throws {
        let csv = Self.csv(rows: rows)
        for prefix in [nil, XLSXCell.text("frailty-severe")] {
            let reference = try Self.referenceSheet(csv, prefix: prefix)
            let (sheet, n) = try Self.byteSheet(csv, prefix: prefix)
            #expect(n == rows)
            #expect(sheet.rowCount == reference.rowCount)
            #expect(sheet.xml(selected: false) == reference.xml(selected: false), "\(rows) rows, prefix \(prefix != nil)")
        }
    }

    @Test(arguments: awkward) func eachFieldTypesAsTheStringPathInEveryKind(value: String) {
        let bytes = Array(value.utf8)
        for kind in [CohortWorkbook.ColumnKind.nhsNumber, .text, .typed] {
            var sheet = try! XLSXSheet(name: "S", header: ["c"]), reference = sheet
            try! sheet.append(raw: [CohortWorkbook.rawCell(bytes[...], kind: kind)])
            try! reference.append([CohortWorkbook.cell(value, kind: kind)])
            #expect(sheet.xml(selected: false) == reference.xml(selected: false), "kind \(kind)")
        }
    }

    @Test func aRecordsFieldsDecodeAsFieldsDoes() {
        let records = ["", ",", "a,b,,c", "a,\"b,c\",d", "\"say \"\"hi\"\"\",x", "ab\"c,d\"e,f", "a,b\r\n", "\"\"", "x,\"\"\"\",y\n",
                       "é,ü,中", "\"unterminated,a", "\"two\nlines\",z\r\n"]
        var scratch: [UInt8] = [], ends: [Int] = []
        for r in records {
            let bytes = Array(r.utf8)
            CohortWorkbook.decodeFields(bytes[...], into: &scratch, ends: &ends)
            var start = 0
            let decoded = ends.map { end -> String in defer { start = end }; return String(decoding: scratch[start..<end], as: UTF8.self) }
            #expect(decoded == CohortWorkbook.fields(bytes[...]), "record of \(bytes.count) bytes")
        }
    }

    /// What the one quote-aware parser (`decodeFields`, behind `fields` for quoted records) must
    /// give, written out: quotes removed, doubled quotes undone, commas and line breaks inside
    /// quotes kept, a quote mid-field opening a quoted stretch, an unterminated quote running to
    /// the end, the line end ignored.
    @Test(arguments: [
        ("a,\"b,c\",d", ["a", "b,c", "d"]),
        ("\"say \"\"hi\"\"\",x", ["say \"hi\"", "x"]),
        ("ab\"c,d\"e,f", ["abc,de", "f"]),
        ("x,\"\"\"\",y\n", ["x", "\"", "y"]),
        ("\"\"", [""]),
        ("\"unterminated,a", ["unterminated,a"]),
        ("\"two\nlines\",z\r\n", ["two\nlines", "z"]),
        ("\"é, ü\",中", ["é, ü", "中"]),
    ])
    func quotedRecordsDecodeAsWritten(record: String, expected: [String]) {
        var scratch: [UInt8] = [], ends: [Int] = []
        let bytes = Array(record.utf8)
        CohortWorkbook.decodeFields(bytes[...], into: &scratch, ends: &ends)
        var start = 0
        let decoded = ends.map { end -> String in defer { start = end }; return String(decoding: scratch[start..<end], as: UTF8.self) }
        #expect(decoded == expected)
        #expect(CohortWorkbook.fields(bytes[...]) == expected)
    }

    @Test func aTooLongTextCellIsRefusedByTheBytePathAsByTheStringPath() throws {
        let long = [UInt8](repeating: 0x61, count: XLSXSheet.maxCellCharacters + 1)
        var sheet = try XLSXSheet(name: "S", header: ["c"])
        #expect(throws: StratifyError.self) { try sheet.append(raw: [.text(long[...])]) }
        #expect(sheet.rowCount == 0)
        // 32,767 two-byte characters are 65,534 bytes but within Excel's limit.
        let wide = Array(String(repeating: "é", count: XLSXSheet.maxCellCharacters).utf8)
        try sheet.append(raw: [.text(wide[...])])
        #expect(sheet.rowCount == 1)
    }

    /// The display form as it was built from Strings, the reference for the byte version.
    static func referenceDisplay(_ number: UInt64) -> String {
        let digits = String(number)
        let padded = String(repeating: "0", count: max(0, 10 - digits.count)) + digits
        guard padded.count == 10 else { return padded }
        return "\(padded.prefix(3)) \(padded.dropFirst(3).prefix(3)) \(padded.suffix(4))"
    }

    @Test(arguments: [0, 1, 42, 999_999_999, 1_000_000_000, 9_991_364_315, 9_999_999_999, 10_000_000_000, UInt64.max])
    func nhsDisplayMatchesTheReference(number: UInt64) {
        #expect(XLSXCell.nhsDisplay(number) == Self.referenceDisplay(number))
    }
}
