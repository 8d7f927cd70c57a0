import StratifyCore

/// A problem found in one row by a table's validator.
public struct RowIssue: Sendable {
    public var reason: QuarantineReason
    public var column: String
    public var detail: String
}

/// Validates the rows of one table (reasons 3–6 and 8 of the contract; 1–2 are checked before,
/// 7 at merge) and appends accepted rows to a chunk-local batch.
protocol RowValidator: Sendable {
    associatedtype Rows: Sendable
    func makeRows() -> Rows
    /// Empties `rows` for reuse, keeping capacity.
    func reset(_ rows: inout Rows)
    /// Returns nil when the row was accepted (and appended to `rows`).
    func validate(_ r: borrowing TokenizedRecord, _ c: UnsafeRawBufferPointer, line: Int, into rows: inout Rows) -> RowIssue?
}

/// Counts of valid rows that are out of scope: accepted, not quarantined, but reported
/// (extract-format.md, "Rows that are valid but out of scope").
public struct DataQualityCounts: Sendable, Equatable {
    public var eventsAfterAsOf = 0
    public var eventsBeforeBirth = 0
    public var medicationsAfterAsOf = 0
    public var medicationsBeforeBirth = 0
    public var patientsDiedOnOrBeforeAsOf = 0
    public var patientsRegisteredAfterAsOf = 0
    public init() {}

    mutating func add(_ o: DataQualityCounts) {
        eventsAfterAsOf += o.eventsAfterAsOf
        eventsBeforeBirth += o.eventsBeforeBirth
        medicationsAfterAsOf += o.medicationsAfterAsOf
        medicationsBeforeBirth += o.medicationsBeforeBirth
        patientsDiedOnOrBeforeAsOf += o.patientsDiedOnOrBeforeAsOf
        patientsRegisteredAfterAsOf += o.patientsRegisteredAfterAsOf
    }
}

extension RowValidator {
    /// Field `col` (contract order) as a span, or an empty span when the column is absent.
    @inline(__always) func span(_ r: borrowing TokenizedRecord, _ map: HeaderMap, _ col: Int) -> (Int, Int, Bool) {
        let i = map.index[col]
        if i < 0 { return (0, 0, false) }
        return (r.fieldStart[i], r.fieldEnd[i], r.fieldEscaped[i])
    }

    /// Reason 3: the first required field (contract order) that is empty.
    func missingRequired(_ r: borrowing TokenizedRecord, _ map: HeaderMap, _ table: ExtractTable) -> RowIssue? {
        for col in map.requiredContractColumns {
            let (s, e, _) = span(r, map, col)
            if s == e {
                return RowIssue(reason: .missingRequired, column: table.columns[col].name, detail: "required field is empty")
            }
        }
        return nil
    }

    func invalid(_ column: String, _ expected: String, _ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int, escaped: Bool) -> RowIssue {
        let shape = escaped ? "a quoted value containing '\"'" : ByteShape.describe(UnsafeRawBufferPointer(rebasing: c[s..<e]))
        return RowIssue(reason: .invalidValue, column: column, detail: "expected \(expected) (got \(shape))")
    }
}
