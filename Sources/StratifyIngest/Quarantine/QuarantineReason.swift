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
        case .fieldCount: "a malformed record: wrong number of fields, a blank line, a broken quote, a quote open at the end of the line, or a line over the length limit"
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

/// What was wrong with a table's quarantined rows, counted for every row (a quarantine file keeps
/// only the first rows; the counts stay exact). Holds reasons, columns and shapes, never values.
public struct QuarantineTally: Sendable {
    public struct Cause: Hashable, Sendable {
        public var reason: QuarantineReason
        public var column: String
    }

    public private(set) var byReason: [QuarantineReason: Int] = [:]
    public private(set) var byCause: [Cause: Int] = [:]
    /// What the first row of each cause expected ("expected a real date as YYYY-MM-DD"), without
    /// the shape of the value it got, for the threshold message.
    public private(set) var expectation: [Cause: String] = [:]

    public init() {}

    public var total: Int { byReason.values.reduce(0, +) }

    public mutating func count(_ reason: QuarantineReason, column: String, detail: String) {
        byReason[reason, default: 0] += 1
        let cause = Cause(reason: reason, column: column)
        byCause[cause, default: 0] += 1
        if expectation[cause] == nil {
            expectation[cause] = String(detail.prefix { $0 != "(" }).trimmed()
        }
    }

    public mutating func add(_ o: QuarantineTally) {
        for (k, v) in o.byReason { byReason[k, default: 0] += v }
        for (k, v) in o.byCause { byCause[k, default: 0] += v }
        for (k, v) in o.expectation where expectation[k] == nil { expectation[k] = v }
    }

    /// The most frequent cause; ties go to the earlier reason, then the column name, so the
    /// message does not depend on dictionary order.
    public var mostFrequent: (cause: Cause, count: Int, expectation: String)? {
        guard let best = byCause.max(by: { a, b in
            a.value != b.value ? a.value < b.value
                : a.key.reason != b.key.reason ? a.key.reason > b.key.reason : a.key.column > b.key.column
        }) else { return nil }
        return (best.key, best.value, expectation[best.key] ?? "")
    }
}
