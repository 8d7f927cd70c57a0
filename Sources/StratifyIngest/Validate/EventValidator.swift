import StratifyCore

struct EventRows: Sendable {
    var batch = EventBatch()
    var quality = DataQualityCounts()
    /// Codes already known to pass Verhoeff. An extract uses a few thousand distinct codes over
    /// millions of rows, so a small direct-mapped cache skips most check-digit computations.
    var checked = [UInt64](repeating: 0, count: 4096)
    var recent = RecentPatient()
}

/// clinical_events.csv (docs/input-contract.md).
struct EventValidator: RowValidator {
    let map: HeaderMap
    let asOf: Day
    let patients: PatientTable

    func makeRows() -> EventRows { EventRows() }

    func reset(_ rows: inout EventRows) {
        rows.batch.removeAll()
        rows.quality = DataQualityCounts()
        rows.recent = RecentPatient()
    }

    func validate(_ r: borrowing TokenizedRecord, _ c: UnsafeRawBufferPointer, line: Int, into rows: inout EventRows) -> RowIssue? {
        let row: CodedRow
        switch codedRow(r, c, map, .clinicalEvents, codeShape: "a SNOMED CT id: 6-18 digits, no leading zero",
                        patients: patients.index, recent: &rows.recent) {
        case .success(let ok): row = ok
        case .failure(let e): return e.issue
        }
        let (date, code, kS, kE) = (row.date, row.code, row.codeStart, row.codeEnd)
        let (vS, vE, vQ) = span(r, map, 3)
        var value = Double.nan
        if vS < vE {
            guard !vQ, let v = FieldShapes.decimal(c, vS, vE) else {
                return invalid("numeric_value", "a decimal such as 142, 27.4 or -1.5", c, vS, vE, escaped: vQ)
            }
            value = v
        }
        let slot = Int(truncatingIfNeeded: (code &* 0x9E37_79B9_7F4A_7C15) >> 52)
        if rows.checked[slot] != code {
            if !Verhoeff.isValid(c, kS, kE) {
                return RowIssue(reason: .invalidSNOMEDCheckDigit, column: "snomedct_code", detail: "fails the Verhoeff check digit")
            }
            rows.checked[slot] = code
        }
        guard let patient = row.patient else { return .unknownPatient }
        if date.rawValue > asOf.rawValue { rows.quality.eventsAfterAsOf += 1 }
        if date.rawValue < patients.dateOfBirth[Int(patient)] { rows.quality.eventsBeforeBirth += 1 }
        rows.batch.patient.append(patient)
        rows.batch.date.append(date.rawValue)
        rows.batch.code.append(code)
        rows.batch.value.append(value)
        return nil
    }
}

struct MedicationRows: Sendable {
    var batch = MedicationBatch()
    var quality = DataQualityCounts()
    var recent = RecentPatient()
}

/// medications.csv (docs/input-contract.md).
struct MedicationValidator: RowValidator {
    let map: HeaderMap
    let asOf: Day
    let patients: PatientTable

    func makeRows() -> MedicationRows { MedicationRows() }

    func reset(_ rows: inout MedicationRows) {
        rows.batch.removeAll()
        rows.quality = DataQualityCounts()
        rows.recent = RecentPatient()
    }

    func validate(_ r: borrowing TokenizedRecord, _ c: UnsafeRawBufferPointer, line: Int, into rows: inout MedicationRows) -> RowIssue? {
        let row: CodedRow
        switch codedRow(r, c, map, .medications, codeShape: "a dm+d id: 6-18 digits, no leading zero",
                        patients: patients.index, recent: &rows.recent) {
        case .success(let ok): row = ok
        case .failure(let e): return e.issue
        }
        let (date, code) = (row.date, row.code)
        guard let patient = row.patient else { return .unknownPatient }
        if date.rawValue > asOf.rawValue { rows.quality.medicationsAfterAsOf += 1 }
        if date.rawValue < patients.dateOfBirth[Int(patient)] { rows.quality.medicationsBeforeBirth += 1 }
        rows.batch.patient.append(patient)
        rows.batch.date.append(date.rawValue)
        rows.batch.code.append(code)
        return nil
    }
}

/// A validator of a table that streams to the sink, resolving patient ids against `patients`.
protocol StreamValidator: RowValidator where Rows: StreamedRows {
    var patients: PatientTable { get }
}

extension EventValidator: StreamValidator {}
extension MedicationValidator: StreamValidator {}

/// Accepted rows of a streamed table (events, medications), as the reader hands them on.
protocol StreamedRows: Sendable {
    var acceptedCount: Int { get }
    var quality: DataQualityCounts { get }
    func deliver<S: ExtractSink>(to sink: inout S, patients: PatientTable)
}

extension EventRows: StreamedRows {
    var acceptedCount: Int { batch.count }
    func deliver<S: ExtractSink>(to sink: inout S, patients: PatientTable) { sink.consume(events: batch, patients: patients) }
}

extension MedicationRows: StreamedRows {
    var acceptedCount: Int { batch.count }
    func deliver<S: ExtractSink>(to sink: inout S, patients: PatientTable) { sink.consume(medications: batch, patients: patients) }
}
