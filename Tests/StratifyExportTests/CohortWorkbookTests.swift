import Foundation
import StratifyCore
@testable import StratifyExport
import Testing

/// How the neighbourhood workbook reads cohort CSV rows back into typed cells and names its sheets.
@Suite struct CohortWorkbookTests {
    static let header = ["nhs_number", "patient_id", "practice_code", "age", "efi", "bp_date", "copd_mrc", "code"]

    @Test func nhsNumberBecomesATextCellInDisplayForm() {
        #expect(CohortWorkbook.cells(["999 136 4315"], header: Self.header) == [.text("999 136 4315")])
    }

    @Test func identifiersAndCodesStayTextEvenWhenTheyLookNumeric() {
        #expect(CohortWorkbook.cells(["", "12345", "012345"], header: Self.header) == [.empty, .text("12345"), .text("012345")])
    }

    @Test func numbersAndDatesAreTypedSoTheySortAsSuch() {
        let cells = CohortWorkbook.cells(["", "", "", "81", "0.583", "2025-10-13", "'-2", "0123"], header: Self.header)
        #expect(Array(cells.dropFirst(3)) == [.integer(81), .number(0.583), .date(Day(iso: "2025-10-13")!), .integer(-2), .text("0123")])
    }

    @Test func csvFieldsKeepCommasAndQuotesInsideQuotedCells() {
        let record = Array("a,\"raised blood pressure, no diagnosis\",\"say \"\"hi\"\"\",\r\n".utf8)
        #expect(CohortWorkbook.fields(record[...]) == ["a", "raised blood pressure, no diagnosis", "say \"hi\"", ""])
    }

    @Test func longAndClashingCohortNamesGetDistinctSheetNames() {
        let long = String(repeating: "a", count: 40)
        let names = CohortWorkbook.sheetNames([long, long.uppercased(), "Leavers", "frailty"])
        #expect(names.cohorts == [String(repeating: "a", count: 31), String(repeating: "A", count: 29) + "~2", "Leavers~2", "frailty"])
        #expect(names.cohorts.allSatisfy { $0.utf16.count <= 31 })
    }

    @Test func everyNeighbourhoodWithMembersOrLeaversGetsAWorkbook() throws {
        var inputs = CohortWorkbook.Inputs()
        let head = Array("\u{FEFF}nhs_number,neighbourhood\r\n".utf8)
        inputs.add(CohortWorkbook.About(name: "c", description: nil, reasons: [], order: "patient id"),
                   files: (head, ["North": head + Array("999 136 4315,North\r\n".utf8)]),
                   leavers: (head, ["South": head + Array("999 136 4315,South\r\n".utf8)]))
        #expect(inputs.neighbourhoods == ["North", "South"])
        let south = try inputs.workbook(neighbourhood: "South", asOf: Day(iso: "2026-03-31")!)
        #expect(south.sheetNames == ["Read me", "c", "Leavers"])
    }
}
