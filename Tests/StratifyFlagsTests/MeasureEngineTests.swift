import Foundation
import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference
import StratifyScores
import Testing

/// Measures evaluated over hand-built patients (rules.md §20; docs/measures.md): who counts, and
/// how groups are labelled. Counts are worked out by hand from the fixture.
@Suite struct MeasureEngineTests {
    static func measure(_ name: String, _ numerator: String, _ denominator: String, extra: String = "") -> String {
        #"{"name": "\#(name)", "label": "test", "numerator": "\#(numerator)", "denominator": "\#(denominator)", "source": {"rules": "test"}\#(extra)}"#
    }

    static func evaluate(_ measures: [String], _ r: FlagFixture.Result) throws -> MeasureResult {
        let json = #"{"measures": ["# + measures.joined(separator: ", ") + "]}"
        let set = MeasureSet(measures: try MeasureSet.parse(Array(json.utf8), path: "test.json"))
        let compiled = try set.compile(ruleSet: r.flags.ruleSet, externals: r.scores.map { ($0.0, CohortCondition.type(of: $0.1)) })
        return MeasureEngine.evaluate(compiled, flags: r.flags, scores: r.scores, practices: [:], icbName: "ICB")
    }

    /// (labels, numerator, denominator) of one measure's rows in one grouping, in file order.
    static func rows(_ m: MeasureResult, _ measure: String, _ grouping: [MeasureDimension]) -> [([String], Int, Int)] {
        m.rows.filter { m.definitions[$0.measure].name == measure && m.definitions[$0.measure].groupings[$0.grouping] == grouping }
            .map { ($0.groups, $0.numerator, $0.denominator) }
    }

    @Test func numeratorCountsOnlyDenominatorMembers() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,female\nb,1960-01-01,male\nc,1995-01-01,female")
        let m = try Self.evaluate([Self.measure("older_women", "sex == 'female'", "age >= 50")], r)
        let icb = Self.rows(m, "older_women", [.icb])
        #expect(icb.count == 1 && icb[0].1 == 1 && icb[0].2 == 2)
    }

    @Test func anUnknownDenominatorValueIsOutside() throws {
        // a: on the SMI register, not in remission (false); b: not on it (smi_in_remission empty).
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male\nb,1980-01-01,male", events: "a,2010-01-01,mh_cod")
        let m = try Self.evaluate([Self.measure("m", "true", "not smi_in_remission")], r)
        #expect(Self.rows(m, "m", [.icb]).map(\.2) == [1])
    }

    @Test func peopleOutsideThePopulationAreNotCounted() throws {
        // b died before the as-of date.
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male\nb,1980-01-01,male,,,2024-01-01")
        let m = try Self.evaluate([Self.measure("m", "true", "age >= 0")], r)
        #expect(Self.rows(m, "m", [.icb]).map(\.2) == [1])
    }

    @Test func unknownIMDIsItsOwnGroup() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,\(FlagFixture.lsoa(decile: 1))\nb,1980-01-01,male")
        let m = try Self.evaluate([Self.measure("m", "true", "age >= 0")], r)
        #expect(Self.rows(m, "m", [.imdQuintile]).map(\.0) == [["1"], ["Unknown"]])
        #expect(Self.rows(m, "m", [.imdDecile]).map(\.0) == [["1"], ["Unknown"]])
    }

    @Test func ageBandsAreTheESPBandsByDefault() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,2020-06-01,male\nb,2019-06-01,male\nc,1930-01-01,male")
        let m = try Self.evaluate([Self.measure("m", "true", "age >= 0")], r)
        #expect(Self.rows(m, "m", [.ageBand]).map(\.0) == [["0-4"], ["5-9"], ["90+"]])
    }

    @Test func ageBandWidthIsConfigurable() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,2020-06-01,male\nb,2014-06-01,male")
        let m = try Self.evaluate([Self.measure("m", "true", "age >= 0", extra: #", "age_band_years": 10, "groupings": ["age_band"]"#)], r)
        #expect(Self.rows(m, "m", [.ageBand]).map(\.0) == [["0-9"], ["10-19"]])
    }

    @Test func cvdpreventBandsCoverEveryAge() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,2010-01-01,male\nb,1945-01-01,male")
        let m = try Self.evaluate([Self.measure("m", "true", "age >= 0", extra: #", "groupings": ["age_band_cvdp"]"#)], r)
        #expect(Self.rows(m, "m", [.ageBandCVDP]).map(\.0) == [["0-17"], ["80+"]])
    }

    @Test func ethnicGroupsFollowSection14() throws {
        // R (Chinese) is Asian in §14; an empty category is Unknown, and its letter column Z.
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,,R\nb,1980-01-01,male,,A\nc,1980-01-01,male")
        let m = try Self.evaluate([Self.measure("m", "true", "age >= 0", extra: #", "groupings": ["ethnic_group", "ethnic_category"]"#)], r)
        #expect(Self.rows(m, "m", [.ethnicGroup]).map(\.0) == [["White"], ["Asian"], ["Unknown"]])
        #expect(Self.rows(m, "m", [.ethnicCategory]).map(\.0) == [["A"], ["R"], ["Z"]])
    }

    @Test func aCrossedGroupingLabelsBothDimensions() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,\(FlagFixture.lsoa(decile: 1))\nb,1980-01-01,female")
        let m = try Self.evaluate([Self.measure("m", "true", "age >= 0", extra: #", "groupings": [["practice", "imd_quintile"]]"#)], r)
        #expect(Self.rows(m, "m", [.practice, .imdQuintile]).map(\.0) == [["A81001", "1"], ["A81001", "Unknown"]])
    }

    @Test func standardisedRowsCarryBandCountsExceptByAge() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female\nb,1952-01-01,male")
        let m = try Self.evaluate([Self.measure("m", "sex == 'female'", "age >= 65",
                                                extra: #", "age_standardise": {"min_age": 65}, "groupings": ["sex", "age_band"]"#)], r)
        let icb = try #require(m.rows.first { m.definitions[$0.measure].groupings[$0.grouping] == [.icb] })
        // Bands 65-69 … 90+ (5 bands); a is 75 (band 3 of them), b is 73 (band 2).
        #expect(icb.bandDenominators == [0, 1, 1, 0, 0, 0])
        #expect(icb.bandNumerators == [0, 0, 1, 0, 0, 0])
        #expect(m.rows.filter { m.definitions[$0.measure].groupings[$0.grouping] == [.ageBand] }.allSatisfy { $0.bandDenominators == nil })
    }

    @Test func decilesAreCountedForTheSII() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male,\(FlagFixture.lsoa(decile: 2))\nb,1980-01-01,female")
        let m = try Self.evaluate([Self.measure("m", "sex == 'male'", "age >= 0", extra: #", "groupings": []"#)], r)
        #expect(m.deciles[0][1] == (1, 1))
        #expect(m.deciles[0].map(\.denominator).reduce(0, +) == 1)  // the unknown decile is left out
        #expect(m.quintiles[0][0] == (1, 1))
    }
}

/// The shipped measure file on hand-built patients (reference/measures/achievement.json).
@Suite struct ShippedMeasureTests {
    static let shipped: [CompiledMeasure] = {
        let set = try! MeasureSet.load(reference: FlagFixture.reference, ruleSet: FlagFixture.ruleSet.name)
        return try! set.compile(ruleSet: FlagFixture.ruleSet, externals: ScoreStage.declaredFields.map { ($0.name, $0.type) })
    }()

    static func icb(_ r: FlagFixture.Result, _ name: String) -> (Int, Int)? {
        let m = MeasureEngine.evaluate(shipped, flags: r.flags, scores: r.scores, practices: [:], icbName: "ICB")
        return m.rows.first { m.definitions[$0.measure].name == name && $0.grouping == 0 }.map { ($0.numerator, $0.denominator) }
    }

    @Test func smiHealthCheckCountsAllSixAmongThoseNotInRemission() throws {
        // a: all six checks in 12 months; b: five (no smoking status); c: in remission; d: no SMI.
        let checks = { (id: String, smoking: Bool) in
            ["\(id),2024-06-01,bmi_value,24", "\(id),2024-06-01,bp_cod", "\(id),2024-06-01,cholesterol,4.2",
             "\(id),2024-06-01,hba1c,40", "\(id),2024-06-01,alcohol"] + (smoking ? ["\(id),2024-06-01,smoking_status"] : [])
        }
        let events = (["a,2010-01-01,mh_cod", "b,2010-01-01,mh_cod", "c,2010-01-01,mh_cod", "c,2012-01-01,smi_remission"]
            + checks("a", true) + checks("b", false) + checks("c", true)).joined(separator: "\n")
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male\nb,1980-01-01,male\nc,1980-01-01,male\nd,1980-01-01,male",
                                    events: events)
        #expect(Self.icb(r, "smi_health_check")! == (1, 2))
        #expect(Self.icb(r, "smi_check_smoking")! == (1, 2))
        #expect(Self.icb(r, "smi_check_bmi")! == (2, 2))
    }

    @Test func breastScreeningDenominatorIsWomen50To70() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,female\nb,1965-01-01,male\nc,1950-01-01,female")
        #expect(Self.icb(r, "breast_screening")! == (0, 1))
    }

    @Test func prevalenceMeasuresAreMeasuresToo() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male\nb,1980-01-01,male", events: "a,2010-01-01,mh_cod")
        #expect(Self.icb(r, "reg_smi")! == (1, 2))
    }
}

/// The shipped v2 measure file (reference/measures/achievement-v2.json, rules.md §20) on
/// hand-built patients under rule set stratify-v2. Counts are worked out by hand.
@Suite struct ShippedV2MeasureTests {
    static let shipped: [CompiledMeasure] = {
        let set = try! MeasureSet.load(reference: FlagFixture.reference, ruleSet: FlagFixture.ruleSetV2.name)
        return try! set.compile(ruleSet: FlagFixture.ruleSetV2, externals: ScoreStage.declaredFields.map { ($0.name, $0.type) })
    }()
    static let d = "2026-03-31"

    /// (numerator, denominator) of the ICB row, nil when the measure has no row.
    static func icb(_ r: FlagFixture.Result, _ name: String) -> (Int, Int)? {
        let m = MeasureEngine.evaluate(shipped, flags: r.flags, scores: r.scores, practices: [:], icbName: "ICB")
        return m.rows.first { m.definitions[$0.measure].name == name && $0.grouping == 0 }.map { ($0.numerator, $0.denominator) }
    }

    @Test func theV1RuleSetLeavesTheV2FileOut() throws {
        let set = try MeasureSet.load(reference: FlagFixture.reference, ruleSet: FlagFixture.ruleSet.name)
        #expect(!set.measures.contains { $0.name == "af_anticoag" })
        #expect(set.skipped.count == 1)
    }

    /// a: AF, woman aged 86 (score 3), DOAC in 6 months; b: the same with none; c: AF, man aged 64 (score 0).
    @Test func afAnticoagCountsTheAnticoagulatedAmongThoseWithScoreTwoOrMore() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,female\nb,1940-01-01,female\nc,1961-04-01,male",
                           events: "a,2020-01-01,afib_cod\nb,2020-01-01,afib_cod\nc,2020-01-01,afib_cod",
                           medications: "a,2026-01-01,dmd/doac")
        #expect(Self.icb(r, "af_anticoag")! == (1, 2))
    }

    /// a: CHD with ezetimibe (LLT, not a statin) in 6 months; b: CHD with none; c: no CVD.
    @Test func cvdLLTCountsAnyLipidLoweringTherapy() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1950-01-01,male\nb,1950-01-01,male\nc,1950-01-01,male",
                           events: "a,2020-01-01,chd_cod\nb,2020-01-01,chd_cod", medications: "a,2026-02-01,408060004")
        #expect(Self.icb(r, "cvd_llt")! == (1, 2))
    }

    /// a: diabetes, HbA1c 50; b: diabetes, HbA1c 70; c: diabetes, fructosamine and no HbA1c (excluded).
    @Test func dmHbA1c58LeavesTheExcludedOutOfTheDenominator() throws {
        let h = ConditionManagementSpecTests.hba1c
        let r = try V2.run(asOf: Self.d, patients: "a,1960-01-01,male\nb,1960-01-01,male\nc,1960-01-01,male",
                           events: "a,2015-01-01,dm_cod\na,2026-01-01,\(h),50\nb,2015-01-01,dm_cod\nb,2026-01-01,\(h),70\n"
                               + "c,2015-01-01,dm_cod\nc,2026-01-01,serfruc_cod")
        #expect(r["c", "dm_hba1c_excluded"] == "true")
        #expect(Self.icb(r, "dm_hba1c_58")! == (1, 2))
    }

    /// §20 groups by `ethnic_group_5`: a has no extract ethnicity and an Indian (H) SNOMED code,
    /// b the extract's A. With v1 a would be Unknown / Z (`ethnicGroupsFollowSection14`).
    @Test func ethnicityGroupsUseTheSNOMEDCodedValueWhereTheExtractHasNone() throws {
        let h = V2.rows("codelists/ethnicity_known.csv").first { $0[2] == "H" }![0]
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male\nb,1980-01-01,male,,A", events: "a,2020-01-01,\(h)")
        #expect(r["a", "ethnic_group_5"] == "Asian")
        let m = try MeasureEngineTests.evaluate(
            [MeasureEngineTests.measure("m", "true", "age >= 0", extra: #", "groupings": ["ethnic_group", "ethnic_category"]"#)], r)
        #expect(MeasureEngineTests.rows(m, "m", [.ethnicGroup]).map(\.0) == [["White"], ["Asian"]])
        #expect(MeasureEngineTests.rows(m, "m", [.ethnicCategory]).map(\.0) == [["A"], ["H"]])
    }

    /// a, b aged 86 (a vaccinated this season); c aged 46 (not eligible).
    @Test func flu65CountsTheVaccinatedAmongTheEligible() throws {
        let r = try V2.run(asOf: "2026-01-15", patients: "a,1940-01-01,female\nb,1940-01-01,female\nc,1980-01-01,female",
                           events: "a,2025-10-01,flu_vacc")
        #expect(Self.icb(r, "flu_65")! == (1, 2))
    }

    /// a, b aged 76 (a with a record ever); c aged 80, d 69: outside the 70-79 denominator.
    @Test func shingles70To79CountsOnlyThoseAges() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1950-01-01,female\nb,1950-01-01,female\nc,1946-03-31,female\nd,1956-04-01,female",
                           events: "a,2020-01-01,shingles_vacc\nc,2020-01-01,shingles_vacc")
        #expect(Self.icb(r, "shingles_70_79")! == (1, 2))
    }

    @Test func covidHasNoRowWhenNoCampaignIsOpen() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,female", events: "a,2025-10-01,covid_vacc")
        #expect(Self.icb(r, "covid") == nil)
    }

    /// Autumn 2026: a aged 76, vaccinated in the campaign; b aged 70 in a care home, not; c aged 74, not eligible.
    @Test func covidCountsTheVaccinatedAmongTheEligibleWhileACampaignIsOpen() throws {
        let r = try V2.run(asOf: "2026-10-15", patients: "a,1950-06-01,female\nb,1956-06-01,female\nc,1952-06-01,female",
                           events: "a,2026-09-20,covid_vacc\nb,2024-01-01,longres_cod")
        #expect(Self.icb(r, "covid")! == (1, 2))
    }

    /// a: moderate eFI2 at 76; b: no deficits at 76; c: moderate eFI2 at 60 (outside the 65+ denominator).
    @Test func frailtyModSevCountsModerateOrSevereEFI2Among65Plus() throws {
        let falls = V2.efi2Code("falls", minAge: "55"), dementia = V2.efi2Code("dementia")
        let r = try V2.run(asOf: Self.d, patients: "a,1950-01-01,female\nb,1950-01-01,female\nc,1966-01-01,female",
                           events: "a,2020-01-01,\(falls)\na,2020-01-01,\(dementia)\nc,2024-01-01,\(falls)\nc,2024-01-01,\(dementia)")
        #expect(r["a", "efi2_category"] == "moderate")
        #expect(Self.icb(r, "frailty_mod_sev")! == (1, 2))
    }

    /// a in a care home, b housebound, c neither (the denominator is the whole population); d died.
    @Test func careHomeAndHouseboundAreSharesOfThePopulation() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,female\nb,1990-01-01,female\nc,2000-01-01,male\nd,1940-01-01,male,,,2025-01-01",
                           events: "a,2023-01-01,\(VulnerabilitySpecTests.careHome)\nb,2024-01-01,\(V2.efi2Code("housebound"))")
        #expect(Self.icb(r, "care_home")! == (1, 3))
        #expect(Self.icb(r, "housebound")! == (1, 3))
    }

    /// §20 core20: denominator the members whose IMD decile is known. a decile 1, b decile 6, c no LSOA.
    @Test func core20DenominatorIsThoseWithAKnownDecile() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male,\(FlagFixture.lsoa(decile: 1))\nb,1980-01-01,male,\(FlagFixture.lsoa(decile: 6))\nc,1980-01-01,male")
        #expect(Self.icb(r, "core20")! == (1, 2))
    }
}
