import StratifyCore
import StratifyFlags
import Testing

/// The rule-language features added for rule set v2 (docs/rules-format.md), each on its own, with
/// small rule sets written here over the curated files.
@Suite struct RuleLanguageV2Tests {
    static let header = "ruleset \"t\" version \"1\"\n"

    func compile(_ body: String) throws -> RuleSet {
        try RuleSetCompiler.compile(source: Self.header + body, file: "t.rules", reference: FlagFixture.reference)
    }

    func errors(_ body: String) -> String {
        do {
            _ = try RuleSetCompiler.compile(source: Self.header + body, file: "t.rules", reference: FlagFixture.reference)
            return "no error"
        } catch {
            return error.message
        }
    }

    /// `stratify rules check` on stratify-v2: it compiles, and patients.csv has the v1 columns in v1
    /// order followed by the v2 columns in the documented order (docs/rules.md).
    @Test func shippedV2RuleSetCompilesWithTheDocumentedColumnOrder() throws {
        let v1 = FlagFixture.ruleSet, v2 = FlagFixture.ruleSetV2
        let v1Names = v1.fields.map { v1.values[$0].name }
            + ["efi_deficits", "efi", "efi_category", "cms_score", "cms_conditions", "priority", "priority_reason", "segment"]
        let v2Names = v2.fields.map { v2.values[$0].name }
        #expect(Array(v2Names.prefix(v1Names.count)) == v1Names)
        #expect(Array(v2Names.dropFirst(v1Names.count)) == [
            "efi2", "efi2_category", "comorbidity_count", "gp_encounter_6m", "ethnicity", "ethnicity_source", "ethnic_group_5",
            "care_home", "housebound", "plus_care_home", "plus_housebound", "vacc_flu_65", "vacc_pneumo_65",
            "vacc_shingles_70_79", "vacc_covid", "af_cha2ds2vasc", "af_anticoag_gap", "llt_gap", "statin_gap", "hba1c_latest",
            "hba1c_date", "dm_hba1c_controlled", "dm_hba1c_excluded", "seg_ltc_count", "segment8", "complex_lives_count"])
        #expect(v2.name == "stratify-v2")
    }

    // MARK: row rules

    @Test func rowsNeedTheRuleColumns() {
        #expect(errors("codelist X = \"codelists/hyp_cod.csv\" rows\n").contains("has no column 'window_years'"))
    }

    /// A row's window and the aggregation's window both apply: the later start wins.
    @Test func rowWindowAndAggregationWindowBothApply() throws {
        let code = V2.efi2Code("peptic_ulcer_disease", window: "5")
        let rules = try compile("""
            codelist PU = "codelists/efi2/peptic_ulcer_disease.csv" rows
            field in_10y = exists(PU, 10 years)
            field in_1y = exists(PU, 1 years)
            field ever_pu = ever(PU)
            """ + "\n")
        let r = try FlagFixture.run(asOf: "2026-03-31", patients: "a,1950-01-01,male\nb,1950-01-01,male",
                                    events: "a,2018-01-01,\(code)\nb,2024-01-01,\(code)", ruleSet: rules)
        #expect(r["a", "in_10y"] == "false", "outside the row's 5 years")
        #expect(r["a", "ever_pu"] == "false")
        #expect(r["b", "in_10y"] == "true")
        #expect(r["b", "in_1y"] == "false", "outside the aggregation's 1 year")
    }

    /// 29 February birthdays fall on 1 March in non-leap years (rules.md §0), at the event too.
    @Test func minimumAgeAtTheEventUsesTheBirthdayRule() throws {
        let code = V2.efi2Code("fracture", minAge: "55")
        let rules = try compile("codelist F = \"codelists/efi2/fracture.csv\" rows\nfield f = ever(F)\n")
        let r = try FlagFixture.run(asOf: "2026-03-31", patients: "a,1952-02-29,male\nb,1952-02-29,male",
                                    events: "a,2007-02-28,\(code)\nb,2007-03-01,\(code)", ruleSet: rules)
        #expect(r["a", "f"] == "false")
        #expect(r["b", "f"] == "true")
    }

    @Test func valueTestsParse() throws {
        let t = try #require(ValueTest.parse(">0 <21", scale: 1))
        #expect(!t.passes(0) && t.passes(0.0001) && t.passes(20.999) && !t.passes(21) && !t.passes(.nan))
        let z = try #require(ValueTest.parse("==0", scale: 1))
        #expect(z.passes(0) && !z.passes(-0.1) && !z.passes(0.1))
        let any = try #require(ValueTest.parse("any", scale: 1))
        #expect(any.passes(-5) && !any.passes(.nan))
        let daily = try #require(ValueTest.parse(">=49", scale: 7))
        #expect(daily.passes(7) && !daily.passes(6.99))
        #expect(ValueTest.parse("about 5", scale: 1) == nil)
        #expect(ValueTest.parse(">=x", scale: 1) == nil)
    }

    /// In a union, a code from a plain list matches without any row rule.
    @Test func unionWithAPlainListKeepsPlainCodesPlain() throws {
        let code = V2.efi2Code("peptic_ulcer_disease", window: "5")
        let rules = try compile("""
            codelist PU = "codelists/efi2/peptic_ulcer_disease.csv" rows
            codelist H = "codelists/hyp_cod.csv"
            codelist BOTH = PU | H
            field any_both = ever(BOTH)
            """ + "\n")
        let r = try FlagFixture.run(asOf: "2026-03-31", patients: "a,1950-01-01,male\nb,1950-01-01,male",
                                    events: "a,2000-01-01,hyp_cod\nb,2000-01-01,\(code)", ruleSet: rules)
        #expect(r["a", "any_both"] == "true")
        #expect(r["b", "any_both"] == "false")
    }

    // MARK: labels

    @Test func latestLabelNeedsALabelList() {
        #expect(errors("codelist H = \"codelists/hyp_cod.csv\"\nfield x = latest_label(H)\n").contains("needs a list declared with 'label COLUMN'"))
        #expect(errors("codelist E = \"codelists/ethnicity_known.csv\" label colour\n").contains("has no column 'colour'"))
    }

    @Test func latestLabelTakesTheLatestRow() throws {
        let rows = V2.rows("codelists/ethnicity_known.csv")
        let m = rows.first { $0[2] == "M" }![0], c = rows.first { $0[2] == "C" }![0]
        let rules = try compile("codelist E = \"codelists/ethnicity_known.csv\" label letter\nfield x = latest_label(E)\n")
        let r = try FlagFixture.run(asOf: "2026-03-31", patients: "a,1980-01-01,male\nb,1980-01-01,male",
                                    events: "a,2020-01-01,\(c)\na,2021-01-01,\(m)", ruleSet: rules)
        #expect(r["a", "x"] == "M")
        #expect(r["b", "x"] == "")
    }

    // MARK: latest_value_date, distinct_values, age_on

    @Test func distinctValuesNeedsAValueListAndCountsUpToTheCap() throws {
        #expect(errors("druglist H = \"codelists/dmd/statin.csv\"\nfield x = distinct_values(H, 90 days, 3)\n")
            .contains("needs a list declared with 'value COLUMN'"))
        let issues = EFI2SpecTests.paragraphIssues("a", 5).joined(separator: "\n")
        let rules = try compile("druglist P = \"codelists/dmd/bnf_paragraph.csv\" value paragraph\nfield x = distinct_values(P, 90 days, 3)\n")
        let r = try FlagFixture.run(asOf: "2026-03-31", patients: "a,1950-01-01,male", medications: issues, ruleSet: rules)
        #expect(r["a", "x"] == "3")
    }

    @Test func ageOnUsesTheBirthdayRule() throws {
        let rules = try compile("field x = age_on(date('2001-02-28'))\nfield y = age_on(date('2001-03-01'))\n")
        let r = try FlagFixture.run(asOf: "2026-03-31", patients: "a,2000-02-29,male", ruleSet: rules)
        #expect(r["a", "x"] == "0")
        #expect(r["a", "y"] == "1")
    }

    // MARK: latest_of (level precedence)

    @Test func latestOfPrefersLaterDatesThenEarlierPairs() throws {
        let rules = try compile("""
            field tie = latest_of(date('2020-01-01'), 'first', date('2020-01-01'), 'second')
            field later = latest_of(date('2019-01-01'), 'first', date('2020-01-01'), 'second')
            field none = latest_of(if(false, date('2019-01-01'), null), 'first')
            """ + "\n")
        let r = try FlagFixture.run(asOf: "2026-03-31", patients: "a,1980-01-01,male", ruleSet: rules)
        #expect(r["a", "tie"] == "first")
        #expect(r["a", "later"] == "second")
        #expect(r["a", "none"] == "")
    }

    @Test func latestOfNeedsDateLabelPairs() {
        #expect(errors("field x = latest_of(date('2020-01-01'))\n").contains("pairs of a date and a label"))
        #expect(errors("field x = latest_of(date('2020-01-01'), 3)\n").contains("must be a label in quotes"))
    }

    // MARK: score columns and quality counts

    @Test func scoreColumnsAreUsableAfterTheScoreStage() throws {
        let rules = try compile("score efi_category string\nfield frail = coalesce(efi_category == 'severe', false)\n")
        #expect(rules.late == [true, true])
        #expect(rules.fields.map { rules.values[$0].name } == ["efi_category", "frail"])
        let r = try FlagFixture.run(asOf: "2026-03-31", patients: "a,1950-01-01,male", ruleSet: rules,
                                    scoreColumns: [("efi_category", .string([0], table: ["severe"]))])
        #expect(r["a", "efi_category"] == "severe")
        #expect(r["a", "frail"] == "true")
    }

    @Test func aValueAfterTheScoresMayNotReadEvents() {
        #expect(errors("codelist H = \"codelists/hyp_cod.csv\"\nscore efi string\nfield x = ever(H) and is_null(efi)\n")
            .contains("move its aggregations into a let"))
    }

    @Test func undeclaredScoreColumnIsAnError() throws {
        let rules = try compile("score no_such_score int\n")
        #expect(throws: StratifyError.self) {
            _ = try FlagFixture.run(asOf: "2026-03-31", patients: "a,1950-01-01,male", ruleSet: rules)
        }
    }

    @Test func scoreTypeMustBeAValueType() {
        #expect(errors("score x colour\n").contains("bool, int, number, date or string"))
    }

    @Test func qualityCountsAreWholeNumbers() {
        #expect(errors("quality q = true\n").contains("whole-number count"))
        #expect(errors("druglist A = *\nquality q = count(A, 90 days)\n") == "no error")
    }
}
