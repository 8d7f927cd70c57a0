import StratifyCore

/// Why a row was quarantined. The raw values are stable codes: scripts, manifests and the
/// quarantine files use them. The order is the contract's precedence: a row with several problems
/// is quarantined once, under the first reason that applies (extract-format.md, "What happens to a
/// bad row").
public enum QuarantineReason: Int, CaseIterable, Sendable, Comparable {
    case fieldCount = 1
    case invalidUTF8
    case missingRequired
    case invalidValue
    case invalidNHSNumber
    case invalidSNOMEDCheckDigit
    case duplicatePatientID
    case unknownPatientID

    public var code: String {
        switch self {
        case .fieldCount: "field_count"
        case .invalidUTF8: "invalid_utf8"
        case .missingRequired: "missing_required"
        case .invalidValue: "invalid_value"
        case .invalidNHSNumber: "invalid_nhs_number"
        case .invalidSNOMEDCheckDigit: "invalid_snomed_check_digit"
        case .duplicatePatientID: "duplicate_patient_id"
        case .unknownPatientID: "unknown_patient_id"
        }
    }

    public var summary: String {
        switch self {
        case .fieldCount: "wrong number of fields (blank line, broken quote, newline in a quoted field)"
        case .invalidUTF8: "bytes that are not valid UTF-8"
        case .missingRequired: "a required field is empty"
        case .invalidValue: "a value of the wrong shape or out of range"
        case .invalidNHSNumber: "NHS number fails the modulus-11 check"
        case .invalidSNOMEDCheckDigit: "SNOMED CT code fails the Verhoeff check digit"
        case .duplicatePatientID: "patient_id already seen earlier in patients.csv"
        case .unknownPatientID: "patient_id not among the accepted patients"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One quarantined row: where it was, why, and the original record (patient data: written only to
/// the run's 0600 quarantine file, never to a log).
public struct QuarantineEntry: Sendable {
    public var line: Int
    public var reason: QuarantineReason
    /// The column at fault, or empty when the whole record is (field count, UTF-8).
    public var column: String
    /// The problem's shape, never the value ("expected 4 fields, found 3"; "7 bytes: digits").
    public var detail: String
    public var record: [UInt8]
}

/// Receives quarantined rows in file order, as the reader confirms them.
public protocol QuarantineSink {
    mutating func quarantine(_ entry: QuarantineEntry, table: ExtractTable) throws(StratifyError)
}
