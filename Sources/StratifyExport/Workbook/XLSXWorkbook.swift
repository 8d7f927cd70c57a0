import StratifyCore

/// An Office Open XML workbook (`.xlsx`: SpreadsheetML parts in a ZIP package), written by the
/// project's own code over the system zlib. docs/workbook.md lists the parts and the choices.
///
///     var book = XLSXWorkbook()
///     try book.addTextSheet(name: "Read me", title: "About this workbook", lines: [...])
///     try book.addSheet(name: "Frailty", header: ["nhs_number", "age"],
///                       rows: [[.nhsNumber(9991364315), .integer(81)]])
///     try book.write(to: "north/cohorts.xlsx")    // mode 0600
///
/// The bytes depend only on the sheets (and the zlib build): no timestamps, no document
/// properties, parts in a fixed order.
public struct XLSXWorkbook: Sendable {
    public private(set) var sheets: [XLSXSheet] = []

    public init() {}

    public var sheetNames: [String] { sheets.map(\.name) }

    /// Adds a built sheet. Names must be unique ignoring case, as Excel compares them.
    public mutating func add(_ sheet: XLSXSheet) throws(StratifyError) {
        let key = sheet.name.lowercased()
        if let other = sheets.first(where: { $0.name.lowercased() == key }) {
            throw StratifyError(.runFailed, "sheet name '\(sheet.name)' is already used by sheet '\(other.name)' (Excel ignores case)",
                                help: "give each sheet a different name")
        }
        sheets.append(sheet)
    }

    /// Adds a sheet of `header` and `rows`.
    public mutating func addSheet(name: String, header: [String], rows: [[XLSXCell]]) throws(StratifyError) {
        var sheet = try XLSXSheet(name: name, header: header)
        for row in rows { try sheet.append(row) }
        try add(sheet)
    }

    /// Adds a sheet of prose, such as a "read me": `title` as its bold header, then one line per
    /// row in a single wide column with wrapped text. An empty line leaves an empty row.
    public mutating func addTextSheet(name: String, title: String, lines: [String]) throws(StratifyError) {
        var sheet = try XLSXSheet(name: name, header: [title], wrapped: true)
        for line in lines { try sheet.append([.text(line)]) }
        try add(sheet)
    }

    /// The `.xlsx` bytes.
    public func render(method: ZipWriter.Method = .deflated) throws(StratifyError) -> [UInt8] {
        guard !sheets.isEmpty else {
            throw StratifyError(.runFailed, "a workbook needs at least one sheet")
        }
        var zip = ZipWriter(method: method)
        // [Content_Types].xml first: tools that sniff a file's type (libmagic) look for it there.
        try zip.add("[Content_Types].xml", Array(contentTypes.utf8))
        try zip.add("_rels/.rels", Array(XLSXWorkbook.packageRelationships.utf8))
        try zip.add("xl/workbook.xml", Array(workbookXML.utf8))
        try zip.add("xl/_rels/workbook.xml.rels", Array(workbookRelationships.utf8))
        try zip.add("xl/styles.xml", Array(XLSXWorkbook.styles.utf8))
        for (i, sheet) in sheets.enumerated() {
            try zip.add("xl/worksheets/sheet\(i + 1).xml", sheet.xml(selected: i == 0))
        }
        return try zip.finish()
    }

    /// Writes the workbook to `path` with mode 0600 from the first byte (it holds patient data),
    /// atomically: a reader sees the old file or the whole new one.
    public func write(to path: String) throws(StratifyError) {
        try OutputFile.write(render(), to: path, patientLevel: true)
    }

    // MARK: - Parts

    static let xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let packageRelationshipNamespace = "http://schemas.openxmlformats.org/package/2006/relationships"
    private static let contentTypePrefix = "application/vnd.openxmlformats-officedocument.spreadsheetml."

    var contentTypes: String {
        var s = XLSXWorkbook.xmlDeclaration
        s += "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        s += "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        s += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        s += "<Override PartName=\"/xl/workbook.xml\" ContentType=\"\(XLSXWorkbook.contentTypePrefix)sheet.main+xml\"/>"
        s += "<Override PartName=\"/xl/styles.xml\" ContentType=\"\(XLSXWorkbook.contentTypePrefix)styles+xml\"/>"
        for i in sheets.indices {
            s += "<Override PartName=\"/xl/worksheets/sheet\(i + 1).xml\" ContentType=\"\(XLSXWorkbook.contentTypePrefix)worksheet+xml\"/>"
        }
        return s + "</Types>"
    }

    static let packageRelationships = xmlDeclaration
        + "<Relationships xmlns=\"\(packageRelationshipNamespace)\">"
        + "<Relationship Id=\"rId1\" Type=\"\(relationshipNamespace)/officeDocument\" Target=\"xl/workbook.xml\"/>"
        + "</Relationships>"

    /// Sheets are rId1…rIdN; styles follow them.
    var workbookRelationships: String {
        var s = XLSXWorkbook.xmlDeclaration + "<Relationships xmlns=\"\(XLSXWorkbook.packageRelationshipNamespace)\">"
        for i in sheets.indices {
            s += "<Relationship Id=\"rId\(i + 1)\" Type=\"\(XLSXWorkbook.relationshipNamespace)/worksheet\" Target=\"worksheets/sheet\(i + 1).xml\"/>"
        }
        s += "<Relationship Id=\"rId\(sheets.count + 1)\" Type=\"\(XLSXWorkbook.relationshipNamespace)/styles\" Target=\"styles.xml\"/>"
        return s + "</Relationships>"
    }

    /// Excel keeps each sheet's filter range in a hidden `_xlnm._FilterDatabase` name beside the
    /// sheet's `autoFilter` (as Excel and libxlsxwriter write it); children follow CT_Workbook's order.
    var workbookXML: String {
        var s = XLSXWorkbook.xmlDeclaration
        s += "<workbook xmlns=\"\(XLSXWorkbook.mainNamespace)\" xmlns:r=\"\(XLSXWorkbook.relationshipNamespace)\">"
        s += "<workbookPr/><bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>"
        for (i, sheet) in sheets.enumerated() {
            s += "<sheet name=\"\(XMLText.escaped(sheet.name))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
        }
        s += "</sheets><definedNames>"
        for (i, sheet) in sheets.enumerated() {
            s += "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"\(i)\" hidden=\"1\">"
            s += XMLText.escaped(XLSXWorkbook.absoluteReference(sheet: sheet.name, range: sheet.range))
            s += "</definedName>"
        }
        return s + "</definedNames></workbook>"
    }

    /// `'Sheet name'!$A$1:$F$10`: always quoted, embedded apostrophes doubled.
    static func absoluteReference(sheet: String, range: String) -> String {
        let quoted = "'" + sheet.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
        let corners = range.split(separator: ":").map { corner -> String in
            let letters = corner.prefix(while: { $0.isLetter })
            return "$\(letters)$\(corner.dropFirst(letters.count))"
        }
        return quoted + "!" + corners.joined(separator: ":")
    }

    /// cellXfs in `XLSXSheet.Style` order: general, bold header, text (`@`, built-in format 49),
    /// date (custom format 164, ISO `yyyy-mm-dd` as the CSV outputs write dates), wrapped text.
    /// Fonts name Calibri directly because the package has no theme part to refer to; the two
    /// fills are the pair Excel requires first.
    static let styles = xmlDeclaration
        + "<styleSheet xmlns=\"\(mainNamespace)\">"
        + "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/></numFmts>"
        + "<fonts count=\"2\">"
        + "<font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
        + "</fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"5\">"
        + "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"49\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" applyFont=\"1\"/>"
        + "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" applyAlignment=\"1\">"
        + "<alignment vertical=\"top\" wrapText=\"1\"/></xf>"
        + "</cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        + "<dxfs count=\"0\"/><tableStyles count=\"0\"/>"
        + "</styleSheet>"
}
