/// Builds CSV rows into a byte buffer with deterministic formatting.
///
/// Cells are quoted only when they need it (comma, quote, CR or LF). Cells that a spreadsheet
/// would run as a formula (first byte `=`, `+`, `-`, `@`, or a leading tab/CR) get a leading `'`,
/// the OWASP "CSV injection" mitigation, so opening a file in Excel never executes a cell.
public struct CSVWriter: Sendable {
    public var bytes: [UInt8] = []
    public let lineEnding: [UInt8]
    private var atRowStart = true

    public init(crlf: Bool = false, byteOrderMark: Bool = false) {
        lineEnding = crlf ? [13, 10] : [10]
        if byteOrderMark { bytes = [0xEF, 0xBB, 0xBF] }
    }

    public mutating func cell<C: Collection>(_ value: C) where C.Element == UInt8 {
        if !atRowStart { bytes.append(0x2C) }
        atRowStart = false
        appendEscaped(value)
    }

    /// Escapes, in place, the cell text that runs from `start` to the end of `bytes`, when it
    /// needs it (rarely, for numbers and dates: only a leading '-'); afterwards the bytes are
    /// what `cell(text)` would have written. For writers that format many numbers and dates
    /// straight into a buffer (`patients.csv`).
    @inline(__always)
    public static func escapeInPlace(_ bytes: inout [UInt8], from start: Int) {
        guard start < bytes.count else { return }
        // By index, not `bytes[start...].contains`: a slice is a retain and a release per cell.
        var quote = false
        for i in start..<bytes.count where needsQuotes(bytes[i]) { quote = true; break }
        if isFormulaStart(bytes[start]) || quote {
            let value = Array(bytes[start...])
            bytes.removeSubrange(start...)
            appendEscaped(value, to: &bytes)
        }
    }

    /// The bytes `cell(value)` writes for `value` (without the separator): for a small table of
    /// labels escaped once and copied into many cells.
    public static func escaped(_ value: String) -> [UInt8] {
        var w = CSVWriter()
        w.cell(value)
        return w.bytes
    }

    @inline(__always) static func needsQuotes(_ b: UInt8) -> Bool { b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D }

    private mutating func appendEscaped<C: Collection>(_ value: C) where C.Element == UInt8 {
        CSVWriter.appendEscaped(value, to: &bytes)
    }

    private static func appendEscaped<C: Collection>(_ value: C, to bytes: inout [UInt8]) where C.Element == UInt8 {
        let neutralise = value.first.map { CSVWriter.isFormulaStart($0) } ?? false
        let needsQuotes = value.contains(where: CSVWriter.needsQuotes)
        if !needsQuotes {
            // No quote to double: copy the bytes in one go.
            if neutralise { bytes.append(0x27) }
            bytes.append(contentsOf: value)
            return
        }
        bytes.append(0x22)
        if neutralise { bytes.append(0x27) }
        for b in value {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }

    /// Through the string's contiguous UTF-8 (the same bytes as `value.utf8`), which the
    /// generic cell walks several times faster than a `String.UTF8View`.
    public mutating func cell(_ value: String) {
        var value = value
        value.withUTF8 { cell($0) }
    }

    /// Byte cells from other modules: concrete overloads, so the generic `cell` is specialised
    /// here rather than called through witness tables per byte (a patient id, an `ArraySlice`,
    /// cost 8,500 instructions a cell that way).
    public mutating func cell(_ value: [UInt8]) { cell(value[...]) }

    public mutating func cell(_ value: ArraySlice<UInt8>) {
        if !atRowStart { bytes.append(0x2C) }
        atRowStart = false
        appendEscaped(value)
    }

    public mutating func cell(_ value: Int) { cell(String(value).utf8) }

    /// A decimal number written as it is, so a negative value stays a number for spreadsheets
    /// and loaders (a pure number is never a formula). Anything else goes through `cell`, and
    /// its escaping.
    public mutating func number(_ value: String) {
        let isNumber = !value.isEmpty && Double(value) != nil
            && value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D || $0 == 0x65 || $0 == 0x45 }
        guard isNumber else { cell(value); return }
        if !atRowStart { bytes.append(0x2C) }
        atRowStart = false
        bytes.append(contentsOf: value.utf8)
    }

    public mutating func row(_ values: [String]) {
        for v in values { cell(v) }
        endRow()
    }

    public mutating func endRow() {
        bytes.append(contentsOf: lineEnding)
        atRowStart = true
    }

    @inline(__always) public static func isFormulaStart(_ b: UInt8) -> Bool {
        b == 0x3D || b == 0x2B || b == 0x2D || b == 0x40 || b == 0x09 || b == 0x0D
    }
}
