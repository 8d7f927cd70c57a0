import Foundation
import StratifyReference
import Testing

/// Either IMD table answers either LSOA vintage through the ONS best-fit lookup, and an extract of
/// the other vintage is warned about with counts (docs/reference-data.md, LSOA vintages).
@Suite("IMD and LSOA vintages")
struct IMDVintageTests {
    // Hand-built tables: 2011 codes 1, 2, 3, 4 and 5 (5 is unchanged in 2021); 2021 codes 5, 10,
    // 20, 30. Best fit: 1→10, 2→20 and 3→20 (a merge), 4→10 (a merge of one decile), 5→5.
    // 2021 code 30 is part of a split, no 2011 LSOA's best fit.
    static let lookup = LSOALookup(path: "lookup", to2021: [1: 10, 2: 20, 3: 20, 4: 10, 5: 5])
    static let imd2019 = IMDTable(path: "imd2019", decile: [1: 2, 2: 3, 3: 7, 4: 2, 5: 9])
    static let imd2025 = IMDTable(path: "imd2025", decile: [5: 8, 10: 1, 20: 4, 30: 6])

    @Test func imd2025GivesA2011CodeTheDecileOfItsBestFit() {
        let t = Self.imd2025.bridged(vintage: .lsoa2021, other: Self.imd2019, lookup: Self.lookup)
        #expect(t.decile[1] == 1)
        #expect(t.decile[3] == 4)
    }

    @Test func imd2019GivesA2021CodeTheDecileOfItsOnly2011Source() {
        let t = Self.imd2019.bridged(vintage: .lsoa2011, other: Self.imd2025, lookup: Self.lookup)
        #expect(t.decile[10] == 2, "1 and 4 merged into 10 and share decile 2")
    }

    @Test func imd2019GivesNoDecileToAMergeOfDifferentDeciles() {
        let t = Self.imd2019.bridged(vintage: .lsoa2011, other: Self.imd2025, lookup: Self.lookup)
        #expect(t.decile[20] == nil, "2 (decile 3) and 3 (decile 7) merged into 20")
    }

    @Test func imd2019GivesNoDecileToTheRestOfASplit() {
        let t = Self.imd2019.bridged(vintage: .lsoa2011, other: Self.imd2025, lookup: Self.lookup)
        #expect(t.decile[30] == nil)
    }

    @Test func anUnchangedCodeKeepsItsOwnDecile() {
        let t = Self.imd2019.bridged(vintage: .lsoa2011, other: Self.imd2025, lookup: Self.lookup)
        #expect(t.decile[5] == 9)
    }

    @Test func theWarningCountsPatientsOfTheOtherVintageAndNoCodes() throws {
        let t = Self.imd2019.bridged(vintage: .lsoa2011, other: Self.imd2025, lookup: Self.lookup)
        // Patients: two in 10 (bridged), one in 20 and one in 30 (no decile), two native, one without an LSOA.
        let w = try #require(t.vintageWarning([10, 10, 20, 30, 1, 5, -1]))
        #expect(w.hasPrefix("4 of 6 patients with an LSOA (66.7%) have LSOA 2021 codes, but IMD 2019 is published on LSOA 2011: 2 took"), "\(w)")
        #expect(w.contains("2 have no decile"), "\(w)")
        #expect(!w.contains("E01"), "\(w)")
    }

    @Test func anExtractOfTheTablesOwnVintageIsNotWarnedAbout() {
        let t = Self.imd2025.bridged(vintage: .lsoa2021, other: Self.imd2019, lookup: Self.lookup)
        #expect(t.vintageWarning([5, 10, 20, 30, -1]) == nil)
    }

    /// Hand-built patients through `stratify flags`, on the shipped tables and lookup: E01000010
    /// (2011) is best-fit to E01034474 (2021, IMD 2025 decile 3); E01034479 (2021) is a merge of
    /// E01000048 and E01033588, in IMD 2019 deciles 1 and 2.
    func run(imd: String, lsoas: [String]) throws -> (deciles: [String: String], output: String) {
        try withTemporaryDirectory("imd-vintage") { dir in
            let extract = dir.appendingPathComponent("extract")
            try FileManager.default.createDirectory(at: extract, withIntermediateDirectories: true)
            var patients = "patient_id,nhs_number,date_of_birth,sex,date_of_death,practice_code,registration_start_date,lsoa_code,ethnic_category\n"
            let nhs = ["9990000018", "9990000026"]
            for (i, l) in lsoas.enumerated() { patients += "P\(i),\(nhs[i]),1960-01-01,female,,E83003,2000-01-01,\(l),A\n" }
            try patients.write(to: extract.appendingPathComponent("patients.csv"), atomically: true, encoding: .utf8)
            try "source_system,patient_id,snomedct_code,date,numeric_value\n".write(to: extract.appendingPathComponent("clinical_events.csv"), atomically: true, encoding: .utf8)
            let out = dir.appendingPathComponent("out").path
            let r = try stratify(["flags", extract.path, "--out", out, "--imd", imd, "--as-of", "2026-03-31", "--reference", Paths.reference])
            guard r.status == 0 else { throw CLIError(description: "\(r)") }
            let lines = try String(contentsOfFile: out + "/patients.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let id = try #require(lines[0].firstIndex(of: "patient_id")), decile = try #require(lines[0].firstIndex(of: "imd_decile"))
            return (Dictionary(uniqueKeysWithValues: lines.dropFirst().map { ($0[id], $0[decile]) }), r.output)
        }
    }

    @Test func imd2025WithALSOA2011CodeGivesTheDecileOfItsBestFit() throws {
        let r = try run(imd: "2025", lsoas: ["E01000010", "E01034474"])
        #expect(r.deciles["P0"] == "3", "\(r)")
        #expect(r.output.contains("warning: 1 of 2 patients with an LSOA (50%) have LSOA 2011 codes, but IMD 2025"), "\(r.output)")
    }

    @Test func imd2019WithAMergedLSOA2021CodeOfTwoDecilesGivesNone() throws {
        let r = try run(imd: "2019", lsoas: ["E01034479", "E01000048"])
        #expect(r.deciles["P0"] == "", "\(r)")
        #expect(r.deciles["P1"] == "1", "\(r)")
        #expect(r.output.contains("0 took the decile of their best-fit LSOA (ONS lookup), 1 have no decile"), "\(r.output)")
    }
}
