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
    public var patientsBornAfterAsOf = 0
    public init() {}

    mutating func add(_ o: DataQualityCounts) {
        eventsAfterAsOf += o.eventsAfterAsOf
        eventsBeforeBirth += o.eventsBeforeBirth
        medicationsAfterAsOf += o.medicationsAfterAsOf
        medicationsBeforeBirth += o.medicationsBeforeBirth
        patientsDiedOnOrBeforeAsOf += o.patientsDiedOnOrBeforeAsOf
        patientsRegisteredAfterAsOf += o.patientsRegisteredAfterAsOf
        patientsBornAfterAsOf += o.patientsBornAfterAsOf
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

/// The first three columns events and medications share: patient_id, date, and a concept id.
struct CodedRow {
    /// The accepted patient with this row's id, or nil (reason 7, which the caller reports after
    /// its own column checks, keeping the contract's order of reasons).
    var patient: Int32?
    var date: Day
    var code: UInt64
    var codeStart: Int, codeEnd: Int
}

extension RowValidator {
    /// Reasons 3 and 4 for the shared columns of `clinical_events` and `medications`, in column
    /// order. `Result` carries the row's problem, never a value.
    func codedRow(_ r: borrowing TokenizedRecord, _ c: UnsafeRawBufferPointer, _ map: HeaderMap,
                  _ table: ExtractTable, codeShape: String, patients: PatientIndex,
                  recent: inout RecentPatient) -> Result<CodedRow, RowIssueError> {
        if let issue = missingRequired(r, map, table) { return .failure(RowIssueError(issue)) }
        let (idS, idE, idQ) = span(r, map, 0)
        // An id equal to an accepted patient's has that patient's (checked) shape, so the shape
        // check is needed only for ids not found: about 100 instructions a row saved. A quoted
        // id with escapes holds '"', which no accepted id does, so it is never found.
        let patient = patients.find(c, idS, idE, recent: &recent)
        if patient == nil && (idQ || !FieldShapes.isPatientID(c, idS, idE)) {
            return .failure(RowIssueError(invalid("patient_id", "1-64 bytes of A-Z a-z 0-9 _ -", c, idS, idE, escaped: idQ)))
        }
        let (dS, dE, dQ) = span(r, map, 1)
        guard !dQ, let date = DateDecoder.decodeDay(c, dS, dE) else {
            return .failure(RowIssueError(invalid("date", "a real date as YYYY-MM-DD", c, dS, dE, escaped: dQ)))
        }
        let (kS, kE, kQ) = span(r, map, 2)
        guard !kQ, let code = FieldShapes.conceptID(c, kS, kE) else {
            return .failure(RowIssueError(invalid(table.columns[2].name, codeShape, c, kS, kE, escaped: kQ)))
        }
        return .success(CodedRow(patient: patient, date: date, code: code, codeStart: kS, codeEnd: kE))
    }
}

/// `RowIssue` as an `Error`, so it can travel in a `Result`.
struct RowIssueError: Error {
    let issue: RowIssue
    init(_ issue: RowIssue) { self.issue = issue }
}

extension RowIssue {
    static let unknownPatient = RowIssue(reason: .unknownPatientID, column: "patient_id",
                                         detail: "no accepted patient has this patient_id")
}
