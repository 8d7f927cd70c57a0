/// Text for the XML parts of a workbook. Cell text is patient data and may hold anything a
/// clinical system let through, so every character is either written as itself, escaped, or
/// replaced; nothing can end an element early or make the part unparseable.
enum XMLText {
    /// Appends `text` escaped for element content or a double-quoted attribute:
    /// - `& < > "` become entity references;
    /// - CR LF and a lone CR become LF, the line break a cell shows (an XML parser would turn a raw
    ///   CR into LF anyway, so this only makes the result explicit);
    /// - characters XML 1.0 forbids (controls other than tab and LF, U+FFFE, U+FFFF) become U+FFFD,
    ///   so a reader sees that something was there rather than losing it silently.
    /// With `cellText`, a literal `_xHHHH_` gets its underscore written as `_x005F_`: Excel (and
    /// openpyxl) read `_xHHHH_` in cell text as an escaped character, and the cell must show
    /// exactly what the caller wrote.
    static func append(_ text: String, to out: inout [UInt8], cellText: Bool = false) {
        // An array, not withUTF8, keeps pointer code out of this file; cells are short.
        append(bytes: Array(text.utf8)[...], to: &out, cellText: cellText)
    }

    static func escaped(_ text: String, cellText: Bool = false) -> String {
        var out: [UInt8] = []
        append(text, to: &out, cellText: cellText)
        return String(decoding: out, as: UTF8.self)
    }

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// `append(_:to:cellText:)` for a string's UTF-8 bytes.
    static func append(bytes b: ArraySlice<UInt8>, to out: inout [UInt8], cellText: Bool) {
        out.reserveCapacity(out.count + b.count)
        // Runs of bytes written as themselves (nearly all of a cell) are copied in one go; a
        // byte at a time was the largest share of building a workbook's sheets.
        var i = b.startIndex, run = i
        while i < b.endIndex {
            let c = b[i]
            if c >= 0x20 && c != 0x26 && c != 0x3C && c != 0x3E && c != 0x22 && c != 0x5F && c != 0xEF || c == 0x09 || c == 0x0A {
                i += 1
                continue
            }
            if run < i { out.append(contentsOf: b[run..<i]) }
            switch c {
            case 0x26: out += "&amp;".utf8
            case 0x3C: out += "&lt;".utf8
            case 0x3E: out += "&gt;".utf8
            case 0x22: out += "&quot;".utf8
            case 0x09, 0x0A: out.append(c)
            case 0x0D:
                out.append(0x0A)
                if i + 1 < b.endIndex && b[i + 1] == 0x0A { i += 1 }
            case 0x00..<0x20: out += replacement
            case 0x5F where cellText && looksLikeEscape(b, at: i): out += "_x005F_".utf8
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF; Swift strings are valid UTF-8, so a
            // lead byte EF is always followed by two continuation bytes.
            case 0xEF where i + 2 < b.endIndex && b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF):
                out += replacement
                i += 2
            default: out.append(c)
            }
            i += 1
            run = i
        }
        if run < i { out.append(contentsOf: b[run..<i]) }
    }

    /// `_x` + four hex digits + `_` starting at `i`.
    private static func looksLikeEscape(_ b: ArraySlice<UInt8>, at i: Int) -> Bool {
        guard i + 6 < b.endIndex, b[i + 1] == 0x78, b[i + 6] == 0x5F else { return false }
        return (i + 2...i + 5).allSatisfy { isHex(b[$0]) }
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
    }
}
