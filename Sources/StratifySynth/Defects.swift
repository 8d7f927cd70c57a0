import StratifyCore
import StratifyIngest

/// Turns valid rows into malformed ones, one kind per quarantine reason, so that ingest can be
/// tested end to end: every injected defect must come back under its reason. Defects draw from
/// their own random stream, so the clean rows are the same with or without `--defects`.
enum Defects {
    enum Kind: CaseIterable {
        case missingField, blankLine, brokenQuote, openQuote
        case invalidUTF8, missingRequired, invalidValue, invalidNHSNumber, invalidSNOMED, duplicatePatient, unknownPatient

        var reason: QuarantineReason {
            switch self {
            case .missingField, .blankLine, .brokenQuote, .openQuote: .fieldCount
            case .invalidUTF8: .invalidUTF8
            case .missingRequired: .missingRequired
            case .invalidValue: .invalidValue
            case .invalidNHSNumber: .invalidNHSNumber
            case .invalidSNOMED: .invalidSNOMEDCheckDigit
            case .duplicatePatient: .duplicatePatientID
            case .unknownPatient: .unknownPatientID
            }
        }

        func applies(to table: ExtractTable) -> Bool {
            switch self {
            case .invalidNHSNumber, .duplicatePatient: table == .patients
            case .invalidSNOMED: table == .clinicalEvents
            case .unknownPatient: table != .patients
            default: true
            }
        }
    }

    static func kinds(for table: ExtractTable) -> [Kind] { Kind.allCases.filter { $0.applies(to: table) } }

    /// Rewrites `row` (no line feed) as a defect of `kind`. For `duplicatePatient` the returned
    /// bytes are the row followed by a copy of itself on the next line.
    static func corrupt(_ row: [UInt8], kind: Kind, table: ExtractTable) -> [UInt8] {
        var fields = row.split(separator: 0x2C, omittingEmptySubsequences: false).map(Array.init)
        func join() -> [UInt8] { Array(fields.joined(separator: [0x2C])) }
        switch kind {
        case .missingField:
            fields.removeLast()
            return join()
        case .blankLine:
            return []
        case .brokenQuote:
            fields[0] = [0x22] + fields[0] + [0x22, 0x78]  // "id"x
            return join()
        case .openQuote:
            // A quote still open at the end of the line: records never span lines, so this costs
            // this row only.
            fields[1] = [0x22] + fields[1]
            return join()
        case .invalidUTF8:
            fields[0] += [0xC3, 0x28]
            return join()
        case .missingRequired:
            fields[table == .patients ? 3 : (table == .clinicalEvents ? 1 : 2)] = []
            return join()
        case .invalidValue:
            // A day that does not exist: 30 February.
            let i = table == .patients ? 2 : 1
            fields[i] = Array("2019-02-30".utf8)
            return join()
        case .invalidNHSNumber:
            var nhs = fields[1]
            nhs[9] = 48 + (nhs[9] - 48 + 1) % 10
            fields[1] = nhs
            return join()
        case .invalidSNOMED:
            var code = fields[2]
            code[code.count - 1] = 48 + (code[code.count - 1] - 48 + 1) % 10
            fields[2] = code
            return join()
        case .duplicatePatient:
            return row + [0x0A] + row
        case .unknownPatient:
            fields[0] = [0x58] + fields[0]  // "X" + id: no such patient
            return join()
        }
    }
}
