import StratifyCore
import Testing
@testable import StratifyExport

/// The workbook's byte-level cell typing gives exactly what the plain String version it replaced
/// gave (kept here as the reference), and the quote-free fast path of record splitting what the
/// general quote-aware parser gives, on every shape a cohort file writes and on awkward ones.
@Suite struct CohortWorkbookCellTypingTests {
    // The reference: the String-based typing of a non-text column, as it was.
    static func referenceTyped(_ v: String) -> XLSXCell {
        let plain = v.hasPrefix("'-") ? String(v.dropFirst()) : v
        if let n = Int(plain), String(n) == plain { return .integer(n) }
        if referenceIsDecimal(plain), let x = Double(plain) { return .number(x) }
        if plain.utf8.count == 10, let d = Day(iso: plain) { return .date(d) }
        return .text(v)
    }

    static func referenceIsDecimal(_ s: String) -> Bool {
        let body = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            && !(parts[0].count > 1 && parts[0].hasPrefix("0"))
    }

    static let values = [
        "0", "7", "81", "-3", "'-2", "-0", "00", "007", "+5", "1e5", "12345678901234567", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "0.583", "-0.5", "00.5", "0.", ".5", "1.2.3", "1,5", "١٢",
        "²", "2025-10-13", "2025-13-01", "2025-1-013", "raised blood pressure", "'-", "-", "'-x", " 5", "5 ", "٣.٤",
        "999 136 4315", "P1", "true", "NaN", "inf", "-.5", "-5.", "12.50",
    ]

    @Test(arguments: values) func typedCellMatchesTheReference(value: String) {
        #expect(CohortWorkbook.typed(value) == Self.referenceTyped(value))
    }

    @Test func fieldsMatchTheReference() {
        let records = ["", ",", "a", "a,b,,c", "a,\"b,c\",d", "\"say \"\"hi\"\"\",x", "ab\"c,d\"e,f", "a,b\r\n", "\"\"", "x,\"\"\"\",y\n",
                       "é,ü,中", "\"unterminated,a"]
        for r in records {
            let bytes = Array(r.utf8)
            var end = bytes.endIndex
            while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
            #expect(CohortWorkbook.fields(bytes[...]) == CohortWorkbook.quotedFields(bytes[..<end]), "record of \(bytes.count) bytes")
        }
    }

    @Test func columnKindsFollowTheHeader() {
        let kinds = CohortWorkbook.columnKinds(["nhs_number", "patient_id", "age", "details"])
        #expect(CohortWorkbook.cells(["999 136 4315", "0123", "81", "0.5"], kinds: kinds)
                    == [.nhsNumber(9991364315), .text("0123"), .integer(81), .text("0.5")])
    }
}
