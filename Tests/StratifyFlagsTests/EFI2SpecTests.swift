import Foundation
import StratifyScores
import Testing

/// rules.md §12 (eFI2), "Tests should cover", with hand-built patients through stratify-v2.
@Suite struct EFI2SpecTests {
    static let d = "2026-03-31"
    static let old = "1950-01-01,female"

    @Test func emptyAt64ComputedAt65() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1961-04-01,male\nb,1961-03-31,male")
        #expect(r["a", "efi2"] == "")
        #expect(r["a", "efi2_category"] == "")
        #expect(r["b", "efi2"] == "0.0457")
    }

    /// No records at all: only the missing alcohol and BMI levels score, 13175 + 25318 = 38493.
    @Test func noEventsScoresTheMissingLevelsOnly() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)")
        #expect(r["a", "efi2"] == "0.0457")
        #expect(r["a", "efi2_category"] == "robust")
        #expect(r["a", "efi2_alcohol_missing"] == "true")
        #expect(r["a", "efi2_bmi_missing"] == "true")
    }

    /// Born 1950-06-15: 54 on 2005-06-14, 55 on 2005-06-15 ("Exclude all fracture codes if
    /// recorded when age<55").
    @Test func fractureAt54IsIgnoredAt55Counts() throws {
        let code = V2.efi2Code("fracture", minAge: "55")
        let r = try V2.run(asOf: Self.d, patients: "a,1950-06-15,female\nb,1950-06-15,female",
                           events: "a,2005-06-14,\(code)\nb,2005-06-15,\(code)")
        #expect(r["a", "efi2_fracture"] == "false")
        #expect(r["b", "efi2_fracture"] == "true")
    }

    @Test func pepticUlcerDatedExactlyFiveYearsBeforeIsOut() throws {
        let code = V2.efi2Code("peptic_ulcer_disease", window: "5")
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)\nb,\(Self.old)",
                           events: "a,2021-03-31,\(code)\nb,2021-04-01,\(code)")
        #expect(r["a", "efi2_peptic_ulcer"] == "false")
        #expect(r["b", "efi2_peptic_ulcer"] == "true")
    }

    @Test func threeLowSystolicReadingsCountTwoDoNot() throws {
        let sys = V2.efi2Code("hypotension_sys_lt90", window: "5", test: "<90")
        let two = ["2025-01-01", "2025-02-01"].map { "a,\($0),\(sys),85" }
        let three = ["2025-01-01", "2025-02-01", "2025-03-01"].map { "b,\($0),\(sys),85" }
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)\nb,\(Self.old)", events: (two + three).joined(separator: "\n"))
        #expect(r["a", "efi2_hypotension_syncope"] == "false")
        #expect(r["b", "efi2_hypotension_syncope"] == "true")
    }

    @Test func readingsAtTheLimitDoNotCount() throws {
        let sys = V2.efi2Code("hypotension_sys_lt90", window: "5", test: "<90")
        let events = ["2025-01-01", "2025-02-01", "2025-03-01"].map { "a,\($0),\(sys),90" }
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", events: events.joined(separator: "\n"))
        #expect(r["a", "efi2_hypotension_syncope"] == "false")
    }

    /// 163020007 "O/E - blood pressure reading" is a combined "90 systolic or 60 diastolic" row:
    /// one value cannot be attributed, so it is not used.
    @Test func combinedRowReadingsAreIgnored() throws {
        let events = ["2025-01-01", "2025-02-01", "2025-03-01"].map { "a,\($0),163020007,50" }
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", events: events.joined(separator: "\n"))
        #expect(r["a", "efi2_hypotension_syncope"] == "false")
    }

    @Test func dementiaRemovesMemoryConcerns() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)",
                           events: "a,2020-01-01,\(V2.efi2Code("dementia"))\na,2025-01-01,\(V2.efi2Code("memory_concerns", window: "5"))")
        #expect(r["a", "efi2_dementia"] == "true")
        #expect(r["a", "efi2_memory_concerns"] == "false")
        #expect(r["a", "efi2_cognitive_impairment"] == "false")
    }

    @Test func cognitiveImpairmentRemovesMemoryConcerns() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)",
                           events: "a,2020-01-01,\(V2.efi2Code("cognitive_impairment"))\na,2025-01-01,\(V2.efi2Code("memory_concerns", window: "5"))")
        #expect(r["a", "efi2_cognitive_impairment"] == "true")
        #expect(r["a", "efi2_memory_concerns"] == "false")
    }

    @Test func sameDayCurrentAndExSmokerIsCurrent() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)\nb,\(Self.old)",
                           events: """
                           a,2024-01-01,\(V2.efi2Code("smoker_current"))
                           a,2024-01-01,\(V2.efi2Code("smoker_ex"))
                           b,2024-01-01,\(V2.efi2Code("smoker_current"))
                           b,2024-01-02,\(V2.efi2Code("smoker_ex"))
                           """)
        #expect(r["a", "efi2_smoker_current"] == "true")
        #expect(r["b", "efi2_smoker_current"] == "false")
    }

    /// 228958009 "Alcohol units per week", 228957004 "Alcohol units per day" (× 7).
    @Test(arguments: [("228958009", "48", "higher"), ("228958009", "49", "harmful"), ("228958009", "20.5", "lower"),
                      ("228958009", "21", "higher"), ("228958009", "0", "zero"), ("228957004", "7", "harmful"),
                      ("228957004", "6.9", "higher")])
    func alcoholUnitsBands(code: String, units: String, level: String) throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", events: "a,2025-01-01,\(code),\(units)")
        #expect(r["a", "efi2_alcohol_level"] == level)
        #expect(r["a", "efi2_alcohol_harmful"] == (level == "harmful" ? "true" : "false"))
    }

    @Test func negativeUnitsHaveNoBand() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", events: "a,2025-01-01,228958009,-3")
        #expect(r["a", "efi2_alcohol_level"] == "")
        #expect(r["a", "efi2_alcohol_missing"] == "true")
    }

    /// 105542008 "Teetotaller" (zero), then 160585006 "Ex-heavy drinker" (previous).
    @Test func exHeavyDrinkerAfterTeetotallerIsPrevious() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", events: "a,2023-01-01,105542008\na,2024-01-01,160585006")
        #expect(r["a", "efi2_alcohol_level"] == "previous")
        #expect(r["a", "efi2_alcohol_previous"] == "true")
        #expect(r["a", "efi2_alcohol_missing"] == "false")
    }

    @Test func sameDayAlcoholBandsTakeTheHigherPrecedence() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", events: "a,2024-01-01,105542008\na,2024-01-01,228958009,60")
        #expect(r["a", "efi2_alcohol_level"] == "harmful")
    }

    /// 60621009 "Body mass index".
    @Test func bmiMissingUnderweightAndZero() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)\nb,\(Self.old)\nc,\(Self.old)\nd,\(Self.old)",
                           events: "b,2025-01-01,60621009,18.5\nc,2025-01-01,60621009,0\nd,2025-01-01,60621009,18.4")
        #expect(r["a", "efi2_bmi_missing"] == "true")
        #expect(r["b", "efi2_bmi_missing"] == "false")
        #expect(r["b", "efi2_bmi_underweight"] == "false")
        #expect(r["c", "efi2_bmi_missing"] == "true", "a BMI of 0 is not a reading")
        #expect(r["d", "efi2_bmi_underweight"] == "true")
    }

    /// The first dm+d code of each of n BNF paragraphs, issued in the last 90 days.
    static func paragraphIssues(_ id: String, _ n: Int, date: String = "2026-03-01") -> [String] {
        var seen = Set<String>(), out: [String] = []
        for row in V2.rows("codelists/dmd/bnf_paragraph.csv") where out.count < n && !seen.contains(row[2]) {
            seen.insert(row[2])
            out.append("\(id),\(date),\(row[0])")
        }
        return out
    }

    @Test(arguments: [(4, "false", "false"), (5, "true", "false"), (9, "true", "false"), (10, "false", "true")])
    func polypharmacyLevels(paragraphs: Int, fiveToNine: String, tenPlus: String) throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", medications: Self.paragraphIssues("a", paragraphs).joined(separator: "\n"))
        #expect(r["a", "efi2_bnf_paragraphs_90d"] == String(paragraphs))
        #expect(r["a", "efi2_polypharmacy_5_9"] == fiveToNine)
        #expect(r["a", "efi2_polypharmacy_10_plus"] == tenPlus)
    }

    /// 16977003 (lithium list) has no BNF paragraph in either map: not counted.
    @Test func unmappedCodeIsNotCounted() throws {
        let meds = Self.paragraphIssues("a", 4) + ["a,2026-03-01,16977003"]
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", medications: meds.joined(separator: "\n"))
        #expect(r["a", "efi2_bnf_paragraphs_90d"] == "4")
        #expect(r["a", "efi2_polypharmacy_5_9"] == "false")
        #expect(r["a", "efi2_unmapped_issues"] == "1")
    }

    @Test func issueDatedExactly90DaysBeforeIsOut() throws {
        // D - 90 days = 2025-12-31.
        let meds = Self.paragraphIssues("a", 4) + Self.paragraphIssues("a", 5, date: "2025-12-31").suffix(1)
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", medications: meds.joined(separator: "\n"))
        #expect(r["a", "efi2_bnf_paragraphs_90d"] == "4")
    }

    @Test func categoryIsDecidedOnTheExactInteger() throws {
        let e = try EFI2Definition(directory: FlagFixture.root + "/reference/scores")
        #expect(e.scalePoints == 842_900)
        #expect(e.category(72_236) == 0)
        #expect(e.category(72_237) == 1)
        #expect(e.category(136_886) == 1)
        #expect(e.category(136_887) == 2)
        #expect(e.category(201_621) == 2)
        #expect(e.category(201_622) == 3)
        #expect(e.formatted(38_493) == "0.0457")
        #expect(e.formatted(0) == "0.0000")
        #expect(e.points.reduce(0) { $0 + Int($1) } > 0)
    }

    @Test func betasBecomeExactPoints() throws {
        let e = try EFI2Definition(directory: FlagFixture.root + "/reference/scores")
        let falls = e.predictors.firstIndex(of: "efi2_falls")!
        #expect(e.points[falls] == 62_743)
        let selfHarm = e.predictors.firstIndex(of: "efi2_self_harm")!
        #expect(e.points[selfHarm] == 900)
        #expect(e.predictors.count == 40)
    }

    /// One predictor present on top of the missing levels: falls 62743 + 38493 = 101236 (mild).
    @Test func scoreSumsPresentPredictors() throws {
        let falls = V2.efi2Code("falls", minAge: "55")
        let r = try V2.run(asOf: Self.d, patients: "a,\(Self.old)", events: "a,2020-01-01,\(falls)")
        #expect(r["a", "efi2_falls"] == "true")
        #expect(r["a", "efi2"] == "0.1201")
        #expect(r["a", "efi2_category"] == "mild")
    }
}
