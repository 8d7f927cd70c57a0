import StratifyCore
import StratifyIngest

/// A code list (`code,term[,extra...]`), validated on load: every code is 6–18 digits with no
/// leading zero and a valid Verhoeff check digit (SNOMED CT and dm+d ids share that scheme), no
/// code appears twice, and no line is empty. Problems name the file and line.
public struct CodeList: Sendable {
    public let name: String
    public let path: String
    /// Sorted ascending.
    public let codes: [UInt64]
    /// Extra columns per code (e.g. `grade` for MRC dyspnoea), keyed by column name.
    public let extras: [String: [UInt64: String]]
    public let sha256: String

    public init(name: String, path: String) throws(StratifyError) {
        let bytes = try VerifiedFiles.read(path)
        let csv = try ReferenceCSV(path: path, bytes: bytes)
        let codeCol = try csv.column("code")
        var codes: [UInt64] = []
        var seen: [UInt64: Int] = [:]
        var extras: [String: [UInt64: String]] = [:]
        let extraCols = csv.header.enumerated().filter { $0.element != "code" && $0.element != "term" }
        for (line, fields) in csv.rows {
            let text = fields[codeCol]
            let bytes = Array(text.utf8)
            let code: UInt64? = bytes.withUnsafeBytes { FieldShapes.conceptID($0, 0, $0.count) }
            guard let code else {
                throw StratifyError(.runFailed, "\(path), line \(line), column 'code': '\(text)' is not a concept id (6-18 digits, no leading zero)")
            }
            guard Verhoeff.isValid(bytes) else {
                throw StratifyError(.runFailed, "\(path), line \(line), column 'code': \(text) fails the Verhoeff check digit",
                                    help: "a code was mistyped or truncated; take it again from the source list")
            }
            if let first = seen[code] {
                throw StratifyError(.runFailed, "\(path), line \(line): code \(text) already listed on line \(first)")
            }
            seen[code] = line
            codes.append(code)
            for (i, col) in extraCols { extras[col, default: [:]][code] = fields[i] }
        }
        self.name = name
        self.path = path
        self.codes = codes.sorted()
        self.extras = extras
        self.sha256 = SHA256.hex(SHA256.hash(bytes))
    }

    public func contains(_ code: UInt64) -> Bool {
        var lo = 0, hi = codes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if codes[mid] < code { lo = mid + 1 } else { hi = mid }
        }
        return lo < codes.count && codes[lo] == code
    }
}
