import StratifyCore

struct EventRows: Sendable {
    var batch = EventBatch()
    var quality = DataQualityCounts()
    /// Codes already known to pass Verhoeff. An extract uses a few thousand distinct codes over
    /// millions of rows, so a small direct-mapped cache skips most check-digit computations.
    var checked = [UInt64](repeating: 0, count: 4096)
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
    }

    func validate(_ r: borrowing TokenizedRecord, _ c: UnsafeRawBufferPointer, line: Int, into rows: inout EventRows) -> RowIssue? {
        if let issue = missingRequired(r, map, .clinicalEvents) { return issue }
        let (idS, idE, idQ) = span(r, map, 0)
        if idQ || !FieldShapes.isPatientID(c, idS, idE) {
            return invalid("patient_id", "1-64 bytes of A-Z a-z 0-9 _ -", c, idS, idE, escaped: idQ)
        }
        let (dS, dE, dQ) = span(r, map, 1)
        guard !dQ, let date = DateDecoder.decodeDay(UnsafeRawBufferPointer(rebasing: c[dS..<dE])) else {
            return invalid("date", "a real date as YYYY-MM-DD", c, dS, dE, escaped: dQ)
        }
        let (kS, kE, kQ) = span(r, map, 2)
        guard !kQ, let code = FieldShapes.conceptID(c, kS, kE) else {
            return invalid("snomedct_code", "a SNOMED CT id: 6-18 digits, no leading zero", c, kS, kE, escaped: kQ)
        }
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
        guard let patient = patients.index.find(c, idS, idE) else {
            return RowIssue(reason: .unknownPatientID, column: "patient_id", detail: "no accepted patient has this patient_id")
        }
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
    }

    func validate(_ r: borrowing TokenizedRecord, _ c: UnsafeRawBufferPointer, line: Int, into rows: inout MedicationRows) -> RowIssue? {
        if let issue = missingRequired(r, map, .medications) { return issue }
        let (idS, idE, idQ) = span(r, map, 0)
        if idQ || !FieldShapes.isPatientID(c, idS, idE) {
            return invalid("patient_id", "1-64 bytes of A-Z a-z 0-9 _ -", c, idS, idE, escaped: idQ)
        }
        let (dS, dE, dQ) = span(r, map, 1)
        guard !dQ, let date = DateDecoder.decodeDay(UnsafeRawBufferPointer(rebasing: c[dS..<dE])) else {
            return invalid("date", "a real date as YYYY-MM-DD", c, dS, dE, escaped: dQ)
        }
        let (kS, kE, kQ) = span(r, map, 2)
        guard !kQ, let code = FieldShapes.conceptID(c, kS, kE) else {
            return invalid("dmd_code", "a dm+d id: 6-18 digits, no leading zero", c, kS, kE, escaped: kQ)
        }
        guard let patient = patients.index.find(c, idS, idE) else {
            return RowIssue(reason: .unknownPatientID, column: "patient_id", detail: "no accepted patient has this patient_id")
        }
        if date.rawValue > asOf.rawValue { rows.quality.medicationsAfterAsOf += 1 }
        if date.rawValue < patients.dateOfBirth[Int(patient)] { rows.quality.medicationsBeforeBirth += 1 }
        rows.batch.patient.append(patient)
        rows.batch.date.append(date.rawValue)
        rows.batch.code.append(code)
        return nil
    }
}
