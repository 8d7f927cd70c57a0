import Foundation
import Testing

/// rules.md §7–9 end to end: eFI, CMS usage rules, priority and segment, from hand-built patients.
@Suite struct ScoresSpecTests {
    static let deficits: [String] = FlagFixture.allLists.keys.filter { $0.hasPrefix("efi/") }.sorted()

    /// n distinct eFI deficits for patient `id`, one exclusive code each.
    static func deficitEvents(_ id: String, _ n: Int) -> String {
        deficits.prefix(n).map { "\(id),2020-01-01,\($0)" }.joined(separator: "\n")
    }

    @Test(arguments: deficits)
    func eachDeficitFiresFromOneCode(deficit: String) throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female", events: "a,2020-01-01,\(deficit)")
        #expect(r["a", "efi_d_" + deficit.dropFirst(4)] == "true")
        #expect(r["a", "efi_deficits"] == "1", "a code of \(deficit) should count once")
        #expect(r["a", "efi"] == "0.028")
    }

    @Test func polypharmacyNeedsFiveDistinctCodesInTwelveMonths() throws {
        let four = (0..<4).map { "a,2025-01-0\($0 + 1),dmd/bnf_laxatives#\($0)" }.joined(separator: "\n")
        let five = (0..<5).map { "b,2025-01-0\($0 + 1),dmd/bnf_laxatives#\($0)" }.joined(separator: "\n")
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female",
                                    medications: four + "\n" + five + "\na,2025-02-01,dmd/bnf_laxatives#0")
        #expect(r["a", "efi_d_polypharmacy"] == "false", "4 distinct codes (one issued twice) is not polypharmacy")
        #expect(r["b", "efi_d_polypharmacy"] == "true")
        #expect(r["b", "efi_deficits"] == "1")
    }

    @Test(arguments: [(4, "fit"), (5, "mild"), (8, "mild"), (9, "moderate"), (12, "moderate"), (13, "severe")])
    func categoryBoundaries(count: Int, category: String) throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female", events: Self.deficitEvents("a", count))
        #expect(r["a", "efi_deficits"] == String(count))
        #expect(r["a", "efi_category"] == category)
    }

    @Test func efiIsEmptyAt64AndComputedAt65() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-04-01,male\nb,1960-03-31,male",
                                    events: Self.deficitEvents("a", 3) + "\n" + Self.deficitEvents("b", 3))
        #expect(r["a", "age"] == "64")
        #expect(r["a", "efi_deficits"] == "" && r["a", "efi"] == "" && r["a", "efi_category"] == "")
        #expect(r["b", "age"] == "65")
        #expect(r["b", "efi_deficits"] == "3" && r["b", "efi"] == "0.083" && r["b", "efi_category"] == "fit")
    }

    @Test func constipationNeedsFourLaxativeIssuesInTwelveMonths() throws {
        let three = (1...3).map { "a,2025-0\($0)-01,dmd/bnf_laxatives#0" }.joined(separator: "\n")
        let four = (1...3).map { "b,2025-0\($0)-01,dmd/bnf_laxatives#0" }.joined(separator: "\n") + "\nb,2024-04-01,dmd/bnf_laxatives#0"
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female",
                                    medications: three + "\na,2024-03-31,dmd/bnf_laxatives#0\n" + four)
        #expect(r["a", "cms_conditions"] == "0", "the 4th issue is on the window's excluded boundary day")
        #expect(r["b", "cms_conditions"] == "1")
        #expect(r["b", "cms_score"] == "1.12")
    }

    @Test func cancerCountsOnlyIfFirstDiagnosedInLastFiveYears() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female",
                                    events: "a,2020-03-31,cancer\nb,2020-04-01,cancer")
        #expect(r["a", "cms_score"] == "0.00")
        #expect(r["b", "cms_score"] == "1.53")
    }

    @Test func ckdNeedsTheTwoMostRecentEGFRsBelow60() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female\nc,1950-01-01,female", events: """
            a,2024-01-01,egfr,75
            a,2025-01-01,egfr,50
            b,2024-01-01,egfr,55
            b,2025-01-01,egfr,50
            c,2024-01-01,egfr,55
            c,2025-01-01,egfr,50
            c,2025-01-01,egfr,70
            """)
        #expect(r["a", "cms_conditions"] == "0", "one low value")
        #expect(r["b", "cms_conditions"] == "1", "two low values")
        // Same date: the lower value (50) ranks first, then 70: not both low.
        #expect(r["c", "cms_conditions"] == "0")
    }

    // Thresholds compare the recorded decimal exactly (rules.md §3, revised 2026-12-06; the
    // same Doubles reach every numeric comparison).
    @Test func eGFRJustBelow60IsLowAnd60IsNot() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female", events: """
            a,2024-01-01,egfr,59.99999
            a,2025-01-01,egfr,59.99999
            b,2024-01-01,egfr,59.99999
            b,2025-01-01,egfr,60
            """)
        #expect(r["a", "cms_conditions"] == "1")
        #expect(r["b", "cms_conditions"] == "0")
    }

    @Test func anxietyOrDepressionCountsOnce() throws {
        let rx = ["2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01"].map { "a,\($0),dmd/bnf_antidepressants#0" }.joined(separator: "\n")
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1970-01-01,female",
                                    events: "a,2025-01-01,cms/anxiety_depression", medications: rx)
        #expect(r["a", "cms_conditions"] == "1")
        #expect(r["a", "cms_score"] == "0.50")
    }

    @Test func antiepilepticsWithoutEpilepsyCountAsPainfulCondition() throws {
        let rx = ["2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01"].map { "a,\($0),dmd/bnf_antiepileptics#0" }.joined(separator: "\n")
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1970-01-01,female", medications: rx)
        #expect(r["a", "cms_score"] == "0.92")
    }

    // Priority bands and reasons, in order (rules.md §9).
    @Test func severeFrailtyIsP1FirstReason() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1940-01-01,female",
                                    events: Self.deficitEvents("a", 13) + "\na,2020-01-01,palcare_cod")
        #expect(r["a", "priority"] == "P1")
        #expect(r["a", "priority_reason"] == "efi_category=severe")
        #expect(r["a", "segment"] == "red")
    }

    @Test func palliativeCareIsP1() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,female", events: "a,2020-01-01,palcare_cod")
        #expect(r["a", "priority"] == "P1")
        #expect(r["a", "priority_reason"] == "reg_pc")
        #expect(r["a", "segment"] == "red")
    }

    @Test func severeCaseFindingIsP1() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male", events: """
            a,2025-01-01,sysbp,185
            a,2025-01-01,diasbp,100
            """)
        #expect(r["a", "priority_reason"] == "htn_case_finding_tier=severe")
    }

    @Test func complexMultimorbidityIsP2() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male", events: """
            a,2010-01-01,chd_cod
            a,2010-01-01,afib_cod
            a,2010-01-01,pad_cod
            a,2010-01-01,ld_cod
            """)
        #expect(r["a", "ltc_count"] == "4")
        #expect(r["a", "priority"] == "P2")
        #expect(r["a", "priority_reason"] == "complex_multimorbid")
        #expect(r["a", "segment"] == "red")
    }

    @Test func moderateFrailtyIsP2BeforeComplexMultimorbidity() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1940-01-01,female", events: Self.deficitEvents("a", 9))
        #expect(r["a", "priority_reason"] == "efi_category=moderate")
    }

    @Test func multimorbidityIsP3() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1990-01-01,male",
                                    events: "a,2010-01-01,chd_cod\na,2010-01-01,afib_cod")
        #expect(r["a", "priority"] == "P3")
        #expect(r["a", "priority_reason"] == "multimorbid")
        #expect(r["a", "segment"] == "amber")
    }

    @Test func screeningGapIsP3() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1970-01-01,female", events: """
            a,2024-06-01,sysbp,120
            a,2024-06-01,diasbp,70
            a,2024-01-01,breast_screen
            a,2024-01-01,cervical_screen
            """)
        #expect(r["a", "priority_reason"] == "bowel_screen_gap")
    }

    @Test func nobodyElseIsP4Green() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,2000-01-01,male")
        #expect(r["a", "priority"] == "P4")
        #expect(r["a", "priority_reason"] == "none")
        #expect(r["a", "segment"] == "green")
    }

    @Test func dementiaIsRedSegment() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male", events: "a,2020-01-01,dem_cod")
        #expect(r["a", "segment"] == "red")
    }
}
