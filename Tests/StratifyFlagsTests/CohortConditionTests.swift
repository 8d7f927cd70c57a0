import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyScores
import Testing

/// Cohort conditions (rules.md §10) compile against the rule set and score fields, and pick the
/// right patients; errors point at the token.
@Suite struct CohortConditionTests {
    static let frimley = """
        age >= 65 and ((efi_category == 'moderate' and ltc_count >= 8)
            or (efi_category in ['moderate', 'severe'] and not any_event_6m))
        """

    static let defaults = [
        frimley,
        "htn_case_finding",
        "htn_uncontrolled or htn_no_recent_bp",
        "smi_check_gap",
        "reg_copd and (copd_priority in ['PG1', 'PG2'] or coalesce(copd_flu_gap, false) or coalesce(copd_pneumo_gap, false))",
        "coalesce(core20plus, false) and (bowel_screen_gap or breast_screen_gap or cervical_screen_gap)",
        "efi_category == 'severe'",
    ]

    @Test(arguments: defaults)
    func defaultCohortsCompile(_ text: String) throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female")
        _ = try CohortCondition(text, file: "nightly", ruleSet: r.flags.ruleSet, externals: r.scores)
    }

    @Test func frimleyPicksModerateFrailtyWithoutRecentContact() throws {
        // a: moderate frailty (9 deficits, coded 2020), no event in 6 months → in.
        // b: same, plus an event 2 months ago → out. c: 60 years old → out.
        let deficits = { (id: String) in ScoresSpecTests.deficitEvents(id, 9) }
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1940-01-01,female\nb,1940-01-01,female\nc,1965-01-01,female",
                                    events: deficits("a") + "\n" + deficits("b") + "\nb,2025-01-31,bmi_value,25\n" + deficits("c"))
        let cohort = try CohortCondition(Self.frimley, file: "nightly", ruleSet: r.flags.ruleSet, externals: r.scores)
        let members = cohort.members(r.flags, externals: r.scores).map { String(decoding: r.flags.patients.index.key($0), as: UTF8.self) }
        #expect(members == ["a"])
    }

    @Test func unknownFieldIsReportedAtItsToken() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female")
        #expect(throws: StratifyError.self) {
            try CohortCondition("age >= 65 and efi_categry == 'severe'", file: "nightly.json cohorts[0].where",
                                ruleSet: r.flags.ruleSet, externals: r.scores)
        }
        do {
            _ = try CohortCondition("age >= 65 and efi_categry == 'severe'", file: "c", ruleSet: r.flags.ruleSet, externals: r.scores)
        } catch {
            #expect(error.message == "c, line 1, column 15: unknown field 'efi_categry'")
        }
    }

    @Test func aggregationsAreRejectedInCohorts() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female")
        do {
            _ = try CohortCondition("ever(HYP_COD)", file: "c", ruleSet: r.flags.ruleSet, externals: r.scores)
            Issue.record("an aggregation compiled in a cohort")
        } catch {
            #expect(error.message.contains("line 1, column 1: ever() reads events"))
        }
    }

    /// Found by fuzzing (docs/fuzzing.md): make_date with a year beyond the Day range trapped.
    @Test func makeDateBeyondTheDayRangeIsNullSoNobodyMatches() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female")
        let cohort = try CohortCondition("make_date(99999999999, 1, 1) == as_of", file: "c", ruleSet: r.flags.ruleSet, externals: r.scores)
        #expect(cohort.members(r.flags, externals: r.scores).isEmpty)
    }

    @Test func nonBoolConditionIsRejected() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female")
        #expect(throws: StratifyError.self) {
            try CohortCondition("ltc_count + 1", file: "c", ruleSet: r.flags.ruleSet, externals: r.scores)
        }
    }
}
