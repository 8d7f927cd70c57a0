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
public struct HeaderMap: Sendable {
    /// Field index per contract column (contract order), or -1 when an optional column is absent.
    public let index: [Int]
    public let fieldCount: Int
    public let unknownColumns: [String]
    /// Contract-order positions of the required columns (computed once, not per row).
    public let requiredContractColumns: [Int]

    /// Matches header names exactly after trimming spaces (the tokenizer already trims).
    public init(table: ExtractTable, header: [String], file: String) throws(StratifyError) {
        var seen: [String: Int] = [:]
        for (i, name) in header.enumerated() {
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
                let found = header.map { "'\($0)'" }.joined(separator: ", ")
                throw StratifyError(.inputData,
                                    "\(file), line 1: required column '\(col.name)' is missing; found columns: \(found)",
                                    help: "add a '\(col.name)' column (names are matched exactly, case-sensitive)")
            } else {
                index.append(-1)
            }
        }
        let known = Set(table.columns.map(\.name))
        self.index = index
        self.fieldCount = header.count
        self.unknownColumns = header.filter { !known.contains($0) }
        self.requiredContractColumns = table.columns.indices.filter { table.columns[$0].required }
    }
}
