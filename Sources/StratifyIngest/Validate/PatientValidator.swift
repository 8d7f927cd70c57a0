import StratifyCore

/// Accepted patient rows of one chunk, with what the merge needs to resolve duplicates.
struct PatientRows: Sendable {
    var table = PatientTable()
    var idStart: [Int] = []
    var idEnd: [Int] = []
    var recordStart: [Int] = []
    var recordEnd: [Int] = []
    var line: [Int] = []
    var quality = DataQualityCounts()
}

/// patients.csv (docs/input-contract.md).
struct PatientValidator: RowValidator {
    // No as-of date here: a date of birth after it is valid, out of scope, counted at the merge.
    let map: HeaderMap
    static let earliestBirth = Day(year: 1900, month: 1, day: 1)!.rawValue
    // Contract column order.
    static let id = 0, nhs = 1, dob = 2, sex = 3, dod = 4, practice = 5, reg = 6, lsoa = 7, ethnic = 8

    func makeRows() -> PatientRows { PatientRows() }

    /// Patient chunks are few (patients.csv is small); a fresh value is simplest.
    func reset(_ rows: inout PatientRows) { rows = PatientRows() }

    func validate(_ r: borrowing TokenizedRecord, _ c: UnsafeRawBufferPointer, line: Int, into rows: inout PatientRows) -> RowIssue? {
        if let issue = missingRequired(r, map, .patients) { return issue }
        typealias P = PatientValidator
        // Reason 4, in contract column order.
        let (idS, idE, idQ) = span(r, map, P.id)
        if idQ || !FieldShapes.isPatientID(c, idS, idE) {
            return invalid("patient_id", "1-64 bytes of A-Z a-z 0-9 _ -", c, idS, idE, escaped: idQ)
        }
        let (nS, nE, nQ) = span(r, map, P.nhs)
        var nhsResult = NHSNumber.Result.valid(0)
        if nS < nE {
            nhsResult = nQ ? .badShape : NHSNumber.check(c, nS, nE)
            if nhsResult == .badShape { return invalid("nhs_number", "10 digits, or 'ddd ddd dddd'", c, nS, nE, escaped: nQ) }
        }
        let (bS, bE, bQ) = span(r, map, P.dob)
        guard !bQ, let dob = DateDecoder.decodeDayOrMonth(UnsafeRawBufferPointer(rebasing: c[bS..<bE])) else {
            return invalid("date_of_birth", "a real date as YYYY-MM-DD or YYYY-MM", c, bS, bE, escaped: bQ)
        }
        if dob.rawValue < P.earliestBirth {
            return RowIssue(reason: .invalidValue, column: "date_of_birth", detail: "date of birth is before 1900-01-01")
        }
        let (sS, sE, sQ) = span(r, map, P.sex)
        guard !sQ, let sex = FieldShapes.sex(c, sS, sE) else {
            return invalid("sex", "female, male, intersex, unknown or F, M, I, U", c, sS, sE, escaped: sQ)
        }
        let (dS, dE, dQ) = span(r, map, P.dod)
        var dod = PatientTable.noDay
        if dS < dE {
            guard !dQ, let d = DateDecoder.decodeDay(UnsafeRawBufferPointer(rebasing: c[dS..<dE])) else {
                return invalid("date_of_death", "a real date as YYYY-MM-DD", c, dS, dE, escaped: dQ)
            }
            dod = d.rawValue
        }
        let (pS, pE, pQ) = span(r, map, P.practice)
        if pQ || !FieldShapes.isPracticeCode(c, pS, pE) {
            return invalid("practice_code", "an ODS code: one letter then 5 upper-case letters or digits", c, pS, pE, escaped: pQ)
        }
        let (gS, gE, gQ) = span(r, map, P.reg)
        var reg = PatientTable.noDay
        if gS < gE {
            guard !gQ, let d = DateDecoder.decodeDay(UnsafeRawBufferPointer(rebasing: c[gS..<gE])) else {
                return invalid("registration_start_date", "a real date as YYYY-MM-DD", c, gS, gE, escaped: gQ)
            }
            reg = d.rawValue
        }
        let (lS, lE, lQ) = span(r, map, P.lsoa)
        var lsoa: Int32 = -1
        if lS < lE {
            if lQ || !FieldShapes.isLSOA(c, lS, lE) {
                return invalid("lsoa_code", "E01 followed by 6 digits", c, lS, lE, escaped: lQ)
            }
            lsoa = Int32(FieldShapes.conceptIDLoose(c, lS + 3, lE))
        }
        let (eS, eE, eQ) = span(r, map, P.ethnic)
        var ethnic: UInt8 = 0
        if eS < eE {
            if eQ || !FieldShapes.isEthnicCategory(c, eS, eE) {
                return invalid("ethnic_category", "one of A B C D E F G H J K L M N P R S Z", c, eS, eE, escaped: eQ)
            }
            ethnic = c[eS]
        }
        // Reason 5.
        var nhs: UInt64 = 0
        switch nhsResult {
        case .badCheckDigit:
            return RowIssue(reason: .invalidNHSNumber, column: "nhs_number", detail: "fails the modulus-11 check")
        case .valid(let v): nhs = v
        case .badShape: break
        }
        // Accepted (duplicates are resolved at merge, in file order).
        rows.table.nhsNumber.append(nhs)
        rows.table.dateOfBirth.append(dob.rawValue)
        rows.table.sex.append(sex.rawValue)
        rows.table.dateOfDeath.append(dod)
        rows.table.practice.append(PatientTable.packPractice(c, pS))
        rows.table.registrationStart.append(reg)
        rows.table.lsoa.append(lsoa)
        rows.table.ethnicCategory.append(ethnic)
        rows.idStart.append(idS); rows.idEnd.append(idE)
        rows.recordStart.append(r.start); rows.recordEnd.append(r.end)
        rows.line.append(line)
        return nil
    }
}

extension FieldShapes {
    /// Digits to an integer, for spans already checked to be digits.
    static func conceptIDLoose(_ c: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int {
        var v = 0
        for i in s..<e { v = v * 10 + Int(c[i] &- 48) }
        return v
    }
}
