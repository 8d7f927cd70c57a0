import StratifyCore

/// One worksheet, built row by row: a bold header row that stays frozen at the top with an
/// autofilter over it and the data, then data rows. Rows are rendered to XML as they are appended,
/// so a sheet holds its XML rather than its cells.
public struct XLSXSheet: Sendable {
    public let name: String
    public let header: [String]
    /// Data rows appended so far (the header not counted).
    public private(set) var rowCount = 0

    /// Widest text seen per column, in characters, for `<cols>`.
    private var longest: [Int]
    private var sheetData: [UInt8] = []
    /// `A`, `B`, … for each column (see `openCell` for why packed).
    private let columnLetters: PackedStrings
    private let wrapped: Bool

    /// Excel's grid: 1,048,576 rows by 16,384 columns (A to XFD), and 32,767 characters a cell.
    static let maxRows = 1_048_576
    static let maxColumns = 16_384
    static let maxCellCharacters = 32_767
    /// Column widths in characters, before Excel's padding is added.
    static let minWidth = 8
    static let maxWidth = 60
    /// A wrapped-text sheet's single column is this wide, whatever its lines hold.
    static let wrappedWidth = 100

    /// A sheet named `name` (see `validate(name:)`) with `header` as its first row.
    public init(name: String, header: [String]) throws(StratifyError) {
        try self.init(name: name, header: header, wrapped: false)
    }

    init(name: String, header: [String], wrapped: Bool) throws(StratifyError) {
        try XLSXSheet.validate(name: name)
        guard !header.isEmpty else {
            throw StratifyError(.runFailed, "sheet '\(name)' has no header columns")
        }
        guard header.count <= XLSXSheet.maxColumns else {
            throw StratifyError(.runFailed, "sheet '\(name)' has \(header.count) columns; Excel allows \(XLSXSheet.maxColumns)")
        }
        self.name = name
        self.header = header
        self.wrapped = wrapped
        columnLetters = PackedStrings(header.indices.map { Array(XLSXSheet.columnName($0).utf8) })
        // Two more characters for the autofilter's drop-down button beside the header text.
        longest = header.map { XLSXSheet.displayLength($0) + 2 }
        try writeRow(header.map { .cell(.text($0)) }, style: .header)
    }

    /// A cell for `append(raw:)`: text given as its UTF-8 bytes, or any other cell.
    enum RawCell {
        /// Written exactly as `.text(String(decoding: bytes, as: UTF8.self))` would be.
        case text(ArraySlice<UInt8>)
        case cell(XLSXCell)
    }

    /// Appends a data row. It may be shorter than the header (the rest is empty), not longer.
    public mutating func append(_ row: [XLSXCell]) throws(StratifyError) {
        try append(raw: row.map { .cell($0) })
    }

    /// `append(_:)` for a row whose text cells are bytes (a CSV record's fields): no String per
    /// cell for the ASCII text that nearly every cell is. Tested against `append(_:)`.
    mutating func append(raw row: [RawCell]) throws(StratifyError) {
        guard row.count <= header.count else {
            throw StratifyError(.runFailed, "sheet '\(name)' row \(rowCount + 2) has \(row.count) cells but the header has \(header.count)")
        }
        guard rowCount + 2 <= XLSXSheet.maxRows else {
            throw StratifyError(.runFailed, "sheet '\(name)' is full: Excel shows at most \(XLSXSheet.maxRows) rows",
                                help: "split the rows over several sheets or workbooks")
        }
        try writeRow(row, style: wrapped ? .wrapped : .text)
        rowCount += 1
    }

    /// Excel's sheet-name rules: 1 to 31 characters (UTF-16 units, as Excel counts), none of
    /// `[ ] : * ? / \`, no control characters, not starting or ending with `'`, and not `History`
    /// (Excel reserves it for change tracking). Uniqueness is checked by the workbook.
    public static func validate(name: String) throws(StratifyError) {
        let problem: String?
        if name.isEmpty {
            problem = "it is empty"
        } else if name.utf16.count > 31 {
            problem = "it is \(name.utf16.count) characters long and Excel allows 31"
        } else if let bad = name.unicodeScalars.first(where: { "[]:*?/\\".unicodeScalars.contains($0) }) {
            problem = "it contains '\(bad)', and Excel forbids [ ] : * ? / \\ in sheet names"
        } else if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0xFFFE || $0.value == 0xFFFF }) {
            problem = "it contains a control character"
        } else if name.hasPrefix("'") || name.hasSuffix("'") {
            problem = "it starts or ends with an apostrophe"
        } else if name.lowercased() == "history" {
            problem = "Excel reserves 'History'"
        } else {
            problem = nil
        }
        if let problem {
            throw StratifyError(.runFailed, "'\(name)' cannot be a sheet name: \(problem)",
                                help: "use 1 to 31 characters without [ ] : * ? / \\, unique within the workbook")
        }
    }

    // MARK: - Rendering

    enum Style: Int {
        // Indexes into styles.xml's cellXfs, in the order XLSXWorkbook writes them.
        case general = 0, header = 1, text = 2, date = 3, wrapped = 4
    }

    /// Checks the whole row before writing any of it, so a rejected row leaves the sheet as it was.
    private mutating func writeRow(_ row: [RawCell], style textStyle: Style) throws(StratifyError) {
        let rowNumber = rowCount + (sheetData.isEmpty ? 1 : 2)
        for (column, raw) in row.enumerated() {
            let units: Int
            switch raw {
            case .cell(.text(let s)): units = s.utf16.count
            // UTF-16 units never outnumber UTF-8 bytes: count them only for a long cell.
            case .text(let b): units = b.count > XLSXSheet.maxCellCharacters ? String(decoding: b, as: UTF8.self).utf16.count : 0
            default: units = 0
            }
            if units > XLSXSheet.maxCellCharacters {
                // The message names the cell, never its (patient) value.
                throw StratifyError(.runFailed, "cell \(XLSXSheet.columnName(column))\(rowNumber) of sheet '\(name)' holds \(units) characters; Excel allows \(XLSXSheet.maxCellCharacters)")
            }
        }
        let digits = Array(String(rowNumber).utf8)
        sheetData += "<row r=\"".utf8
        sheetData += digits
        sheetData += "\">".utf8
        for (column, raw) in row.enumerated() {
            let cell: XLSXCell
            switch raw {
            case .cell(let c): cell = c
            case .text(let b):
                if b.isEmpty { continue }
                guard XLSXSheet.isPlainASCII(b) else { cell = .text(String(decoding: b, as: UTF8.self)); break }
                writeText(bytes: b, column: column, row: digits, style: textStyle)
                // Plain ASCII without line breaks: as many characters as bytes.
                note(column, b.count)
                continue
            }
            switch cell {
            case .empty:
                continue
            case .text(let s):
                if s.isEmpty { continue }
                writeText(s, column: column, row: digits, style: textStyle)
                note(column, XLSXSheet.displayLength(s))
            case .number(let x):
                guard x.isFinite else { continue }
                writeValue(String(x), column: column, row: digits)
            case .integer(let n):
                writeValue(String(n), column: column, row: digits)
            case .bool(let b):
                openCell(column: column, row: digits, style: nil, type: .bool)
                sheetData += (b ? "<v>1</v></c>" : "<v>0</v></c>").utf8
                note(column, b ? 4 : 5)
            case .date(let d):
                if let serial = XLSXCell.serial(d) {
                    openCell(column: column, row: digits, style: .date, type: nil)
                    sheetData += "<v>".utf8
                    sheetData += String(serial).utf8
                    sheetData += "</v></c>".utf8
                } else {
                    writeText(d.description, column: column, row: digits, style: textStyle)
                }
                note(column, 10)
            }
        }
        sheetData += "</row>".utf8
    }

    /// A cell's `t` attribute, where it has one.
    enum CellType { case bool, inlineString }

    /// `<c r="B12" s="…" t="…">`, from the column's letters and the row's digits: a sheet has
    /// many cells, and this keeps each to a few byte appends. The attributes are string literals
    /// and the letters bytes of one buffer: appending a shared `[UInt8]` retains and releases it,
    /// and with workbooks built on every core those atomics on shared counts made the cores wait
    /// on each other (as in `patients.csv`).
    private mutating func openCell(column: Int, row: [UInt8], style: Style?, type: CellType?) {
        sheetData += "<c r=\"".utf8
        columnLetters.append(column, to: &sheetData)
        sheetData += row
        sheetData.append(0x22)
        switch style {
        case .general: sheetData += " s=\"0\"".utf8
        case .header: sheetData += " s=\"1\"".utf8
        case .text: sheetData += " s=\"2\"".utf8
        case .date: sheetData += " s=\"3\"".utf8
        case .wrapped: sheetData += " s=\"4\"".utf8
        case nil: break
        }
        switch type {
        case .bool: sheetData += " t=\"b\"".utf8
        case .inlineString: sheetData += " t=\"inlineStr\"".utf8
        case nil: break
        }
        sheetData.append(0x3E)
    }

    private mutating func writeValue(_ v: String, column: Int, row: [UInt8]) {
        openCell(column: column, row: row, style: nil, type: nil)
        sheetData += "<v>".utf8
        sheetData += v.utf8
        sheetData += "</v></c>".utf8
        note(column, v.utf8.count)
    }

    /// ASCII with no line break: text whose characters are its bytes, and whose first and last
    /// characters are whitespace exactly when those bytes are (`writeText(bytes:)`).
    static func isPlainASCII(_ b: ArraySlice<UInt8>) -> Bool {
        for c in b where c >= 0x80 || c == 0x0A || c == 0x0D { return false }
        return true
    }

    /// `writeText(_:)` for text that `isPlainASCII` accepts, from its bytes.
    private mutating func writeText(bytes b: ArraySlice<UInt8>, column: Int, row: [UInt8], style: Style) {
        openCell(column: column, row: row, style: style, type: .inlineString)
        sheetData += "<is><t".utf8
        if let first = b.first, let last = b.last,
           XLSXSheet.isWhitespace(Unicode.Scalar(first)) || XLSXSheet.isWhitespace(Unicode.Scalar(last)) {
            sheetData += " xml:space=\"preserve\"".utf8
        }
        sheetData.append(0x3E)
        XMLText.append(bytes: b, to: &sheetData, cellText: true)
        sheetData += "</t></is></c>".utf8
    }

    /// An inline string (`t="inlineStr"`): see docs/workbook.md for why not a shared-strings table.
    private mutating func writeText(_ s: String, column: Int, row: [UInt8], style: Style) {
        openCell(column: column, row: row, style: style, type: .inlineString)
        sheetData += "<is><t".utf8
        // Without xml:space="preserve" readers may drop leading and trailing spaces.
        if let first = s.unicodeScalars.first, let last = s.unicodeScalars.last,
           XLSXSheet.isWhitespace(first) || XLSXSheet.isWhitespace(last) {
            sheetData += " xml:space=\"preserve\"".utf8
        }
        sheetData.append(0x3E)
        XMLText.append(s, to: &sheetData, cellText: true)
        sheetData += "</t></is></c>".utf8
    }

    private mutating func note(_ column: Int, _ length: Int) {
        if length > longest[column] { longest[column] = length }
    }

    /// Unicode's White_Space, without the property lookup for ASCII (almost every cell: the
    /// lookup was a visible share of writing a neighbourhood's workbook).
    static func isWhitespace(_ u: Unicode.Scalar) -> Bool {
        u.isASCII ? u == " " || (0x09...0x0D).contains(u.value) : u.properties.isWhitespace
    }

    /// Characters of the longest line, roughly what a column must show.
    static func displayLength(_ s: String) -> Int {
        if !s.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 >= 0x80 }) { return s.utf8.count }
        if !s.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) { return s.count }
        return s.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map(\.count).max() ?? 0
    }

    /// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
    static func columnName(_ column: Int) -> String {
        var n = column + 1
        var letters: [UInt8] = []
        while n > 0 {
            n -= 1
            letters.append(UInt8(65 + n % 26))
            n /= 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    /// The header-and-data range, e.g. `A1:F120`.
    var range: String {
        "A1:\(XLSXSheet.columnName(header.count - 1))\(rowCount + 1)"
    }

    /// The width Excel stores for a column `characters` wide: Excel adds 5 px of padding to the
    /// 7 px digits of Calibri 11 and keeps 1/256ths of a character, so a width typed as 10 is
    /// saved as 10.7109375 (the conversion libxlsxwriter documents). Writing the stored value
    /// means Excel does not re-round it.
    static func storedWidth(characters: Int) -> Double {
        let pixels = characters * 7 + 5
        return Double(pixels * 256 / 7) / 256
    }

    /// The width, in characters, given to a 0-based column.
    func width(ofColumn column: Int) -> Int {
        wrapped ? XLSXSheet.wrappedWidth : min(max(longest[column] + 1, XLSXSheet.minWidth), XLSXSheet.maxWidth)
    }

    /// The worksheet part. Elements follow CT_Worksheet's schema order (sheetViews, sheetFormatPr,
    /// cols, sheetData, autoFilter, pageMargins, ignoredErrors), which Excel enforces.
    func xml(selected: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(sheetData.count + 1024)
        out += XLSXWorkbook.xmlDeclaration.utf8
        out += "<worksheet xmlns=\"\(XLSXWorkbook.mainNamespace)\" xmlns:r=\"\(XLSXWorkbook.relationshipNamespace)\">".utf8
        out += "<dimension ref=\"\(range)\"/>".utf8
        out += "<sheetViews><sheetView \(selected ? "tabSelected=\"1\" " : "")workbookViewId=\"0\">".utf8
        out += "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>".utf8
        out += "<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>".utf8
        out += "</sheetView></sheetViews>".utf8
        out += "<sheetFormatPr defaultRowHeight=\"15\"/>".utf8
        out += "<cols>".utf8
        for column in header.indices {
            let n = column + 1
            let style = wrapped ? " style=\"\(Style.wrapped.rawValue)\"" : ""
            out += "<col min=\"\(n)\" max=\"\(n)\" width=\"\(XLSXSheet.storedWidth(characters: width(ofColumn: column)))\"\(style) customWidth=\"1\"/>".utf8
        }
        out += "</cols>".utf8
        out += "<sheetData>".utf8
        out += sheetData
        out += "</sheetData>".utf8
        out += "<autoFilter ref=\"\(range)\"/>".utf8
        out += "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>".utf8
        // Codes such as practice codes or "0123" are text on purpose: no green warning triangles.
        out += "<ignoredErrors><ignoredError sqref=\"\(range)\" numberStoredAsText=\"1\"/></ignoredErrors>".utf8
        out += "</worksheet>".utf8
        return out
    }
}
