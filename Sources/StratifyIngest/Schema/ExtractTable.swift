/// The three tables of the input contract (docs/input-contract.md), with their columns.
public enum ExtractTable: String, CaseIterable, Sendable {
    case patients
    case clinicalEvents = "clinical_events"
    case medications

    public var required: Bool { self != .medications }

    /// Contract columns in contract order; validation reports problems in this order.
    public var columns: [ColumnSpec] {
        switch self {
        case .patients:
            return [
                .init("patient_id", required: true), .init("nhs_number", required: false),
                .init("date_of_birth", required: true), .init("sex", required: true),
                .init("date_of_death", required: false), .init("practice_code", required: true),
                .init("registration_start_date", required: false), .init("lsoa_code", required: false),
                .init("ethnic_category", required: false),
            ]
        case .clinicalEvents:
            return [
                .init("patient_id", required: true), .init("date", required: true),
                .init("snomedct_code", required: true), .init("numeric_value", required: false),
            ]
        case .medications:
            return [.init("patient_id", required: true), .init("date", required: true), .init("dmd_code", required: true)]
        }
    }
}

public struct ColumnSpec: Sendable {
    public let name: String
    /// Whether the *column* must be present in the header. Optional columns may be absent.
    public let required: Bool
    init(_ name: String, required: Bool) { self.name = name; self.required = required }
}

import StratifyCore

/// Where each contract column sits in a file's header.
///
/// Header cells are echoed (in errors and the manifest) only when the line is a real header (it
/// names at least one contract column) and the cell is shaped like a column name, with no control
/// character before it in the line: a data row in place of the header, or the rows of a file
/// whose line ends were lost, would otherwise put patient values in a log.
public struct HeaderMap: Sendable {
    /// Field index per contract column (contract order), or -1 when an optional column is absent.
    public let index: [Int]
    public let fieldCount: Int
    /// Unknown cells that may be shown.
    public let unknownColumns: [String]
    /// Unknown cells not shaped like a column name: counted, never shown.
    public let unknownColumnsNotShown: Int
    /// Contract-order positions of the required columns (computed once, not per row).
    public let requiredContractColumns: [Int]

    /// Matches header names exactly after trimming spaces (the tokenizer already trims).
    /// `fieldCount` may exceed `header.count` (the tokenizer keeps at most 256 cells).
    public init(table: ExtractTable, header: [String], fieldCount: Int? = nil, file: String) throws(StratifyError) {
        let known = Set(table.columns.map(\.name))
        let fields = fieldCount ?? header.count
        guard header.contains(where: known.contains) else {
            throw StratifyError(.inputData,
                                "\(file), line 1: no header line: the first line names none of the columns of \(table.rawValue) (it has \(fields) field\(fields == 1 ? "" : "s"); its cells are not shown, since it is probably a data row)",
                                help: "put the header line first, naming the columns, e.g. \(table.columns.map(\.name).joined(separator: ","))")
        }
        let shown = HeaderMap.showable(header)
        var seen: [String: Int] = [:]
        // A column named twice is fatal (which one to use would be a guess). Cells not shaped
        // like a column name are never used, and never named, so repeats of them are ignored.
        for (i, name) in header.enumerated() where shown[i] || known.contains(name) {
            if seen[name] != nil {
                throw StratifyError(.inputData, "\(file), line 1: column '\(name)' appears twice in the header",
                                    help: "remove or rename the duplicate column")
            }
            seen[name] = i
        }
        var index: [Int] = []
        for col in table.columns {
            if let i = seen[col.name] {
                index.append(i)
            } else if col.required {
                let names = header.indices.filter { shown[$0] }.map { "'\(header[$0])'" }
                let hidden = fields - names.count
                let found = names.joined(separator: ", ")
                    + (hidden > 0 ? "\(names.isEmpty ? "" : ", and ")\(hidden) cell\(hidden == 1 ? "" : "s") not shaped like a column name (not shown)" : "")
                throw StratifyError(.inputData,
                                    "\(file), line 1: required column '\(col.name)' is missing; found columns: \(found)",
                                    help: "add a '\(col.name)' column (names are matched exactly, case-sensitive)")
            } else {
                index.append(-1)
            }
        }
        self.index = index
        self.fieldCount = fields
        let unknown = header.indices.filter { !known.contains(header[$0]) }
        self.unknownColumns = unknown.filter { shown[$0] }.map { header[$0] }
        self.unknownColumnsNotShown = fields - header.count + unknown.filter { !shown[$0] }.count
        self.requiredContractColumns = table.columns.indices.filter { table.columns[$0].required }
    }

    /// Whether each cell may be echoed: 1–64 bytes, a letter then letters, digits, '_' or spaces,
    /// and no control character in this cell or any before it (after a lost line end, the rest
    /// of the line is data).
    static func showable(_ header: [String]) -> [Bool] {
        var controlSeen = false
        return header.map { cell in
            let bytes = Array(cell.utf8)
            if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { controlSeen = true }
            guard !controlSeen, (1...64).contains(bytes.count), let first = bytes.first,
                  (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first) else { return false }
            return bytes.allSatisfy { b in
                (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x5F || b == 0x20
            }
        }
    }
}
