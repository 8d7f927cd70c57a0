import StratifyCore
import StratifyIngest

/// Reads a small reference CSV (code lists, IMD, practices) into rows of strings, with the
/// project's own RFC 4180 tokenizer. Reference files are not patient data, so errors may quote
/// values; they always name the file and line.
public struct ReferenceCSV: Sendable {
    public let path: String
    public let header: [String]
    /// Data rows with their 1-based line numbers.
    public let rows: [(line: Int, fields: [String])]

    /// Reads through `VerifiedFiles`, so a file the reference manifest's check covered is parsed
    /// from the very bytes that were hashed.
    public init(path: String) throws(StratifyError) {
        try self.init(path: path, bytes: try VerifiedFiles.read(path))
    }

    public init(path: String, bytes: [UInt8]) throws(StratifyError) {
        self.path = path
        var header: [String] = []
        var rows: [(Int, [String])] = []
        var problem: StratifyError?
        bytes.withUnsafeBytes { all in
            var start = (all.count >= 3 && all[0] == 0xEF && all[1] == 0xBB && all[2] == 0xBF) ? 3 : 0
            let c = UnsafeRawBufferPointer(rebasing: all[start...])
            start = 0
            var r = TokenizedRecord()
            var line = 1
            while start < c.count {
                ScalarTokenizer.next(c, from: start, into: &r)
                if r.status != .ok {
                    problem = StratifyError(.runFailed, "\(path), line \(line): malformed CSV (broken quote)",
                                            help: "fix the line or regenerate the file (reference/README.md)")
                    return
                }
                let fields = (0..<r.fieldCount).map { String(decoding: r.unescaped($0, in: c), as: UTF8.self) }
                if line == 1 {
                    header = fields
                } else if fields.count == 1 && fields[0].isEmpty && header.count > 1 {
                    problem = StratifyError(.runFailed, "\(path), line \(line): empty line",
                                            help: "remove empty lines from reference files")
                    return
                } else if fields.count != header.count {
                    // Readers index rows by header position, so a short row would trap and a long
                    // one (an unquoted comma) would shift every later value silently.
                    problem = StratifyError(.runFailed,
                        "\(path), line \(line): \(fields.count) fields where the header has \(header.count)",
                        help: "quote any value holding a comma (\"a, b\") so each row has the header's \(header.count) fields")
                    return
                } else {
                    rows.append((line, fields))
                }
                line += r.lineFeeds
                start = r.next
            }
        }
        if let problem { throw problem }
        if header.isEmpty {
            throw StratifyError(.runFailed, "\(path) is empty: expected a header line")
        }
        self.header = header
        self.rows = rows
    }

    public func column(_ name: String) throws(StratifyError) -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw StratifyError(.runFailed, "\(path), line 1: column '\(name)' is missing; found \(header.joined(separator: ","))")
        }
        return i
    }
}
