import Foundation
import StratifyCore
import StratifyExport
import Testing

/// The written file: its mode, and what independent readers make of it.
@Suite struct WorkbookFileTests {
    @Test func theFileIsWrittenWithMode0600() throws {
        let dir = try WorkbookFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/north.xlsx"
        try WorkbookFixture.book().write(to: path)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
    }

    @Test func theFileHoldsTheRenderedBytes() throws {
        let dir = try WorkbookFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/north.xlsx"
        try WorkbookFixture.book().write(to: path)
        #expect(try FileSystem.readAll(path) == WorkbookFixture.book().render())
    }

    @Test func rewritingReplacesTheFileAndKeepsMode0600() throws {
        let dir = try WorkbookFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/north.xlsx"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))
        try WorkbookFixture.book().write(to: path)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(try FileSystem.readAll(path).prefix(4) == [0x50, 0x4B, 0x03, 0x04])
    }

    @Test func aMissingFolderFailsClearly() throws {
        let error = try #require(throws: StratifyError.self) { try WorkbookFixture.book().write(to: "/nonexistent-\(UUID().uuidString)/north.xlsx") }
        #expect(error.message.contains("north.xlsx"))
    }
}

/// scripts/check-xlsx, Python's standard-library zipfile and xml.etree: a reader that shares no
/// code with the writer.
@Suite(.enabled(if: WorkbookFixture.which("python3") != nil, "python3 is not on PATH, so the independent reader cannot run"))
struct WorkbookPythonReaderTests {
    let script = WorkbookFixture.repositoryRoot + "/scripts/check-xlsx"

    func check(_ bytes: [UInt8], json: Bool = true) throws -> (status: Int32, stdout: Data, stderr: String) {
        let dir = try WorkbookFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/book.xlsx"
        try OutputFile.write(bytes, to: path, patientLevel: true)
        let python = try #require(WorkbookFixture.which("python3"))
        return try WorkbookFixture.run(python, [script] + (json ? ["--json"] : []) + [path])
    }

    func sheets(_ bytes: [UInt8]) throws -> [String: [[Any]]] {
        let result = try check(bytes)
        #expect(result.status == 0, "check-xlsx: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let list = try #require(object["sheets"] as? [[String: Any]])
        var byName: [String: [[Any]]] = [:]
        for sheet in list {
            byName[try #require(sheet["name"] as? String)] = try #require(sheet["rows"] as? [[Any]])
        }
        return byName
    }

    @Test func theWorkbookPassesEveryCheck() throws {
        let result = try check(WorkbookFixture.book().render(), json: false)
        #expect(result.status == 0, "check-xlsx: \(result.stderr)")
        #expect(result.stderr.isEmpty)
    }

    @Test func theTextListingShowsEachSheetAsCSVWithDatesInISOForm() throws {
        let result = try check(WorkbookFixture.book().render(), json: false)
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.hasPrefix("# sheet: Read me\nAbout this workbook\n"))
        #expect(text.contains("# sheet: Frailty P1\nnhs_number,practice_code,age,score,on_register,last_review,reasons\n999 136 4315,A81001,81,0.69,TRUE,2025-03-31,=1+2\n"))
        #expect(text.hasSuffix("# sheet: Leavers\nnhs_number,why\n943 476 5919,died\n"))
    }

    @Test func theNHSNumberReadsBackAsText() throws {
        let frailty = try #require(try sheets(WorkbookFixture.book().render())["Frailty P1"])
        #expect(frailty[1][0] as? String == "999 136 4315")
        #expect(frailty[2][0] as? String == "012 345 6789")
    }

    @Test func numbersBooleansAndDatesReadBackTyped() throws {
        let frailty = try #require(try sheets(WorkbookFixture.book().render())["Frailty P1"])
        #expect(frailty[1][2] as? Int == 81)
        #expect(frailty[1][3] as? Double == 0.69)
        #expect(frailty[1][4] as? Bool == true)
        #expect(frailty[1][5] as? Int == 45_747)
        #expect(frailty[2][1] as? String == "0123", "a code with a leading zero stays text")
    }

    @Test func textReadsBackExactlyAsWrittenAfterEscaping() throws {
        let frailty = try #require(try sheets(WorkbookFixture.book().render())["Frailty P1"])
        #expect(frailty[1][6] as? String == "=1+2")
        #expect(frailty[3][1] as? String == "  padded ")
        #expect(frailty[3][6] as? String == "bell\u{FFFD}, tab\t, CRLF\nline, _x0041_ & <b>\"q\"</b>")
    }

    @Test func theReadMeSheetReadsBackLineByLine() throws {
        let readMe = try #require(try sheets(WorkbookFixture.book().render())["Read me"])
        #expect(readMe.map { $0.first as? String } == ["About this workbook"] + WorkbookFixture.readMe.map { $0.isEmpty ? nil : $0 })
    }

    @Test func theCheckerRejectsASheetWithoutAFrozenHeader() throws {
        let broken = try replacing("xl/worksheets/sheet2.xml", in: WorkbookFixture.book().render()) {
            $0.replacingOccurrences(of: " state=\"frozen\"", with: "")
        }
        let result = try check(broken)
        #expect(result.status == 1)
        #expect(result.stderr.contains("sheet 'Frailty P1'") && result.stderr.contains("frozen"))
    }

    @Test func theCheckerRejectsAWorksheetWithoutItsContentType() throws {
        let broken = try replacing("[Content_Types].xml", in: WorkbookFixture.book().render()) {
            $0.replacingOccurrences(of: "<Override PartName=\"/xl/worksheets/sheet3.xml\"", with: "<Override PartName=\"/xl/worksheets/other.xml\"")
        }
        let result = try check(broken)
        #expect(result.status == 1)
        // The .xml default still covers the part, but as application/xml, not as a worksheet.
        #expect(result.stderr.contains("xl/worksheets/sheet3.xml: content type application/xml, expected"))
    }

    @Test func theCheckerRejectsMalformedXML() throws {
        let broken = try replacing("xl/styles.xml", in: WorkbookFixture.book().render()) { $0 + "<" }
        let result = try check(broken)
        #expect(result.status == 1)
        #expect(result.stderr.contains("xl/styles.xml: not well-formed XML"))
    }

    /// The archive again with one part's text changed, written by ZipWriter.
    func replacing(_ name: String, in bytes: [UInt8], _ change: (String) -> String) throws -> [UInt8] {
        var zip = ZipWriter()
        for e in try ZipTestReader(bytes).entries {
            try zip.add(e.name, e.name == name ? Array(change(String(decoding: e.contents, as: UTF8.self)).utf8) : e.contents)
        }
        return try zip.finish()
    }
}

/// LibreOffice Calc, headless, converting every sheet to CSV with text cells quoted: the NHS
/// number must come out quoted (a text cell), not as a number.
@Suite(.enabled(if: WorkbookFixture.which("soffice") != nil, "LibreOffice (soffice) is not installed; docs/workbook.md records a manual run"))
struct WorkbookLibreOfficeTests {
    @Test func theNHSNumberSurvivesAsTextInLibreOffice() throws {
        let dir = try WorkbookFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/north.xlsx"
        try WorkbookFixture.book().write(to: path)
        let soffice = try #require(WorkbookFixture.which("soffice"))
        // Tokens: comma, double quote, UTF-8, from line 1, -, -, quote all text cells, -, -, -, -,
        // sheet -1 = every sheet to its own file `north-<sheet>.csv`. Own profile: concurrent runs
        // would otherwise hand the job to one another's LibreOffice.
        let result = try WorkbookFixture.run(soffice, [
            "-env:UserInstallation=file://\(dir)/profile", "--headless", "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,-1", "--outdir", dir + "/csv", path,
        ])
        #expect(result.status == 0, "soffice: \(result.stderr)")
        let frailty = try String(contentsOfFile: dir + "/csv/north-Frailty P1.csv", encoding: .utf8)
        let lines = frailty.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "\"nhs_number\",\"practice_code\",\"age\",\"score\",\"on_register\",\"last_review\",\"reasons\"")
        #expect(lines.dropFirst().first == "\"999 136 4315\",\"A81001\",81,0.69,TRUE,2025-03-31,\"=1+2\"")
        #expect(lines.dropFirst(2).first?.hasPrefix("\"012 345 6789\",\"0123\",7,") == true)
        let leavers = try String(contentsOfFile: dir + "/csv/north-Leavers.csv", encoding: .utf8)
        #expect(leavers.hasPrefix("\"nhs_number\",\"why\"\n\"943 476 5919\",\"died\""))
    }
}

/// scripts/check-xlsx-calc: what LibreOffice Calc itself sees in an opened workbook, including the
/// frozen pane that a headless conversion cannot show.
@Suite(.enabled(if: WorkbookFixture.calcAvailable,
                "needs soffice and the system Python's UNO bridge (/usr/bin/python3 with python3-uno)"))
struct WorkbookCalcTests {
    @Test func calcSeesFrozenHeadersAutofiltersAndTextNHSNumbers() throws {
        let dir = try WorkbookFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/north.xlsx"
        try WorkbookFixture.book().write(to: path)
        let result = try WorkbookFixture.run(WorkbookFixture.repositoryRoot + "/scripts/check-xlsx-calc", [path])
        #expect(result.status == 0, "check-xlsx-calc: \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let sheets = try #require(object["sheets"] as? [[String: Any]])
        #expect(sheets.map { $0["name"] as? String } == ["Read me", "Frailty P1", "Leavers"])
        for sheet in sheets {
            #expect(sheet["frozen"] as? Bool == true, "\(sheet["name"] ?? "")")
            #expect(sheet["split_row"] as? Int == 1)
            #expect(sheet["header_bold"] as? Bool == true)
        }
        #expect(sheets.map { $0["autofilter"] as? String } == ["A1:A5", "A1:G4", "A1:B2"])
        let row2 = try #require(sheets[1]["row2"] as? [[String]])
        #expect(row2.first == ["TEXT", "999 136 4315"])
        #expect(row2[2] == ["VALUE", "81"])
        #expect(row2[6] == ["TEXT", "=1+2"])
    }
}
