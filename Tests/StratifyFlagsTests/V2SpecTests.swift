import Foundation
import StratifyFlags
import Testing

/// rules.md §13 comorbidity_count and the revised anticipatory-care cohort.
@Suite struct ComorbiditySpecTests {
    static let d = "2026-03-31"

    /// A depression register code (after 2006, aged 18+) and a CMS anxiety/depression code in 12
    /// months are one condition.
    @Test func depressionRegisterAndCMSAnxietyCountOnce() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1970-01-01,female",
                           events: "a,2020-01-01,depr_cod\na,2025-06-01,cms/anxiety_depression")
        #expect(r["a", "reg_dep"] == "true")
        #expect(r["a", "comorbidity_count"] == "1")
    }

    @Test func cancerFirstCodedExactlyFiveYearsBeforeIsNotCounted() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1960-01-01,female\nb,1960-01-01,female",
                           events: "a,2021-03-31,cancer\nb,2021-04-01,cancer")
        #expect(r["a", "comorbidity_count"] == "0")
        #expect(r["b", "comorbidity_count"] == "1")
    }

    @Test func onlyEventDatedExactlySixMonthsBeforeIsNoEncounter() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1950-01-01,female\nb,1950-01-01,female",
                           events: "a,2025-09-30,hyp_cod\nb,2025-10-01,hyp_cod")
        #expect(r["a", "gp_encounter_6m"] == "false")
        #expect(r["b", "gp_encounter_6m"] == "true")
    }

    static let deficits = FlagFixture.allLists.keys.filter { $0.hasPrefix("efi/") }.sorted()
    static let conditions = ["hyp_cod", "copd_cod", "dm_cod", "afib_cod", "chd_cod", "hf_cod", "strk_cod", "pad_cod"]

    /// Moderate eFI (9 deficits) with 8 conditions is in the cohort; with 7 it is not (recent
    /// events, so the no-encounter arm does not apply).
    @Test func moderateEFIWithEightConditionsVersusSeven() throws {
        let efi = { (id: String) in Self.deficits.prefix(9).map { "\(id),2026-01-01,\($0)" } }
        let eight = Self.conditions.map { "a,2026-01-01,\($0)" }
        let seven = Self.conditions.prefix(7).map { "b,2026-01-01,\($0)" }
        let r = try V2.run(asOf: Self.d, patients: "a,1950-01-01,female\nb,1950-01-01,female",
                           events: (efi("a") + efi("b") + eight + seven).joined(separator: "\n"))
        #expect(r["a", "efi_category"] == "moderate")
        #expect(r["b", "efi_category"] == "moderate")
        #expect(r["a", "comorbidity_count"] == "8")
        #expect(r["b", "comorbidity_count"] == "7")
        let members = try V2.cohort("anticipatory-care", r)
        #expect(members == ["a"])
    }
}

/// rules.md §14 ethnicity from SNOMED CT.
@Suite struct EthnicitySpecTests {
    static let d = "2026-03-31"
    // From reference/codelists/ethnicity_not_stated.csv.
    static let refused = "763726001"           // "Ethnic group not given - patient refused" (Z)

    static func letter(_ code: String) -> String? {
        V2.rows("codelists/ethnicity_known.csv").first { $0[0] == code }?[2]
    }

    @Test func extractZPlusASnomedLetterTakesTheLetter() throws {
        let h = V2.rows("codelists/ethnicity_known.csv").first { $0[2] == "H" }![0]
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male,,Z", events: "a,2020-01-01,\(h)")
        #expect(r["a", "ethnicity"] == "H")
        #expect(r["a", "ethnicity_source"] == "snomed")
        #expect(r["a", "ethnic_group_5"] == "Asian")
    }

    @Test func extractZAloneStaysZFromTheExtract() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male,,Z\nb,1980-01-01,male,,Z",
                           events: "b,2020-01-01,\(Self.refused)")
        #expect(r["a", "ethnicity"] == "Z")
        #expect(r["a", "ethnicity_source"] == "extract")
        #expect(r["b", "ethnicity"] == "Z")
        #expect(r["b", "ethnicity_source"] == "extract", "only Z-mapped SNOMED codes keep the extract as source")
        #expect(r["a", "ethnic_group_5"] == "Unknown")
    }

    @Test func refusedAfterAKnownLetterKeepsTheLetter() throws {
        let h = V2.rows("codelists/ethnicity_known.csv").first { $0[2] == "H" }![0]
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male", events: "a,2019-01-01,\(h)\na,2024-01-01,\(Self.refused)")
        #expect(r["a", "ethnicity"] == "H")
        #expect(r["a", "ethnicity_source"] == "snomed")
    }

    @Test func onlyNotStatedCodesGiveZFromSnomed() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male", events: "a,2024-01-01,\(Self.refused)")
        #expect(r["a", "ethnicity"] == "Z")
        #expect(r["a", "ethnicity_source"] == "snomed")
    }

    @Test func noCodeAndNoExtractValueIsEmpty() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male")
        #expect(r["a", "ethnicity"] == "")
        #expect(r["a", "ethnicity_source"] == "none")
        #expect(r["a", "ethnic_group_5"] == "Unknown")
    }

    @Test func aKnownExtractValueWins() throws {
        let h = V2.rows("codelists/ethnicity_known.csv").first { $0[2] == "H" }![0]
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male,,A", events: "a,2024-01-01,\(h)")
        #expect(r["a", "ethnicity"] == "A")
        #expect(r["a", "ethnicity_source"] == "extract")
        #expect(r["a", "ethnic_group_5"] == "White")
    }

    @Test func twoLettersOnOneDateTakeTheAlphabeticallyFirst() throws {
        let rows = V2.rows("codelists/ethnicity_known.csv")
        let m = rows.first { $0[2] == "M" }![0], c = rows.first { $0[2] == "C" }![0]
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male", events: "a,2024-01-01,\(m)\na,2024-01-01,\(c)")
        #expect(r["a", "ethnicity"] == "C")
    }

    /// The WNL file's local codes (V84AA-V84AD, UNKNOWN) are not SNOMED CT ids and are not curated.
    @Test func localNonSnomedRowsAreNotInTheMap() throws {
        let all = V2.rows("codelists/ethnicity_known.csv") + V2.rows("codelists/ethnicity_not_stated.csv")
        #expect(all.allSatisfy { $0[0].allSatisfy(\.isNumber) })
        #expect(!all.contains { $0[0].hasPrefix("V84") || $0[0] == "UNKNOWN" })
        #expect(all.count == 521)
    }

    /// 976681000000102 "White: Gypsy or Irish Traveller - England and Wales ethnic category 2011
    /// census" is only in the BHF DSC file, as T (PROVENANCE §12.2); WNL's bridge maps T to C.
    @Test func bhfTravellerCodeMapsToC() throws {
        #expect(Self.letter("976681000000102") == "C")
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male", events: "a,2024-01-01,976681000000102")
        #expect(r["a", "ethnicity"] == "C")
        #expect(r["a", "ethnic_group_5"] == "White")
    }
}

/// rules.md §15 care home and housebound.
@Suite struct VulnerabilitySpecTests {
    static let d = "2026-03-31"
    static let careHome = "248171000000108"  // "Lives in care home" (LONGRES)
    static let ownHome = "160943002"         // "Lives in own home" (RESIDE, not LONGRES)
    static let noLongerHousebound = "760661000000106"

    @Test func careHomeThenOwnHomeEnds() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,female\nb,1940-01-01,female",
                           events: "a,2022-01-01,\(Self.careHome)\na,2023-01-01,\(Self.ownHome)\nb,2023-01-01,\(Self.careHome)")
        #expect(r["a", "care_home"] == "false")
        #expect(r["b", "care_home"] == "true")
        #expect(r["b", "plus_care_home"] == "true")
        #expect(r["b", "plus_group"] == "false", "care home is not a PLUS group by default")
    }

    @Test func careHomeAndOwnHomeOnTheSameDayIsCareHome() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,female", events: "a,2023-01-01,\(Self.careHome)\na,2023-01-01,\(Self.ownHome)")
        #expect(r["a", "care_home"] == "true")
    }

    /// A home-visit row (5 years, age ≥ 55 at the event). Born 1950-06-15: 54 on 2005-06-14.
    @Test func homeVisitAt54OrDatedFiveYearsBeforeDoesNotCount() throws {
        let visit = V2.efi2Code("housebound", window: "5", minAge: "55")
        let r = try V2.run(asOf: "2008-01-01", patients: "a,1950-06-15,female\nb,1950-06-15,female",
                           events: "a,2005-06-14,\(visit)\nb,2005-06-15,\(visit)")
        #expect(r["a", "housebound"] == "false")
        #expect(r["b", "housebound"] == "true")
        let s = try V2.run(asOf: Self.d, patients: "c,1940-01-01,female\nd,1940-01-01,female",
                           events: "c,2021-03-31,\(visit)\nd,2021-04-01,\(visit)")
        #expect(s["c", "housebound"] == "false")
        #expect(s["d", "housebound"] == "true")
    }

    @Test func noLongerHouseboundOnTheSameDayEndsIt() throws {
        let hb = V2.efi2Code("housebound")
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,female",
                           events: "a,2024-01-01,\(hb)\na,2024-01-01,\(Self.noLongerHousebound)")
        #expect(r["a", "housebound"] == "false")
    }

    @Test func houseboundAtAnyAge() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1990-01-01,female", events: "a,2024-01-01,\(V2.efi2Code("housebound"))")
        #expect(r["a", "housebound"] == "true")
        #expect(r["a", "efi2"] == "")
    }
}

/// rules.md §16 vaccinations.
@Suite struct VaccinationSpecTests {
    static let flu = "flu_vacc"
    /// D in January 2026: season start 2025-09-01, REF_DAT 2026-03-31.
    @Test func sixtyFifthBirthdayOnRefDatVersusTheDayAfter() throws {
        let r = try V2.run(asOf: "2026-01-15", patients: "a,1961-03-31,female\nb,1961-04-01,female")
        #expect(r["a", "vacc_flu_65"] == "false")
        #expect(r["b", "vacc_flu_65"] == "")
    }

    @Test func seasonStartsOnFirstSeptember() throws {
        let events = "a,2025-10-01,\(Self.flu)"
        let aug = try V2.run(asOf: "2026-08-31", patients: "a,1940-01-01,female", events: events)
        let sep = try V2.run(asOf: "2026-09-01", patients: "a,1940-01-01,female", events: events)
        #expect(aug["a", "vacc_flu_65"] == "true")
        #expect(sep["a", "vacc_flu_65"] == "false")
    }

    @Test func fluDmdIssueOnlyCounts() throws {
        let r = try V2.run(asOf: "2026-01-15", patients: "a,1940-01-01,female", medications: "a,2025-10-01,dmd/flu_vaccine")
        #expect(r["a", "vacc_flu_65"] == "true")
    }

    @Test(arguments: [("1956-03-31", "70", false), ("1957-04-01", "68", true), ("1956-04-01", "69", true),
                      ("1946-04-01", "79", false), ("1946-03-31", "80", true)])
    func shinglesAges(dob: String, age: String, empty: Bool) throws {
        let r = try V2.run(asOf: "2026-03-31", patients: "a,\(dob),female")
        #expect(r["a", "age"] == age)
        #expect((r["a", "vacc_shingles_70_79"] == "") == empty)
    }

    @Test func shinglesRecordCountsVaricellaDoesNot() throws {
        let r = try V2.run(asOf: "2026-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female",
                           events: "a,2020-01-01,shingles_vacc\nb,2020-01-01,737081007")
        #expect(r["a", "vacc_shingles_70_79"] == "true")
        #expect(r["b", "vacc_shingles_70_79"] == "false")
    }

    @Test func pneumoEver() throws {
        let r = try V2.run(asOf: "2026-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female\nc,1970-01-01,female",
                           events: "a,2010-01-01,pneumo_vacc")
        #expect(r["a", "vacc_pneumo_65"] == "true")
        #expect(r["b", "vacc_pneumo_65"] == "false")
        #expect(r["c", "vacc_pneumo_65"] == "")
    }

    @Test func covidEmptyWhenNoCampaignIsOpen() throws {
        let r = try V2.run(asOf: "2026-07-15", patients: "a,1940-01-01,female")
        #expect(r["a", "vacc_covid"] == "")
    }

    /// Autumn 2026 campaign: REF_DAT 2027-03-31, 75+, or 65+ in a care home.
    @Test func careHomeResidentAged70EligibleNonResidentAged74Not() throws {
        let r = try V2.run(asOf: "2026-10-15", patients: "a,1956-06-01,female\nb,1952-06-01,female\nc,1950-06-01,female",
                           events: "a,2024-01-01,longres_cod\nc,2026-09-20,covid_vacc")
        #expect(r["a", "care_home"] == "true")
        #expect(r["a", "vacc_covid"] == "false")
        #expect(r["b", "vacc_covid"] == "")
        #expect(r["c", "vacc_covid"] == "true")
    }
}

/// rules.md §17 condition management.
@Suite struct ConditionManagementSpecTests {
    static let d = "2026-03-31"

    @Test(arguments: [("1961-04-01", "0"), ("1961-03-31", "1"), ("1951-04-01", "1"), ("1951-03-31", "2")])
    func afAgePoints(dob: String, score: String) throws {
        let r = try V2.run(asOf: Self.d, patients: "a,\(dob),male", events: "a,2020-01-01,afib_cod")
        #expect(r["a", "af_cha2ds2vasc"] == score)
    }

    @Test func womanAged65WithNoOtherFactorScoresTwoAndTheGapApplies() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1961-03-31,female\nb,1961-03-31,male", events: "a,2020-01-01,afib_cod\nb,2020-01-01,afib_cod")
        #expect(r["a", "af_cha2ds2vasc"] == "2")
        #expect(r["a", "af_anticoag_gap"] == "true")
        #expect(r["b", "af_anticoag_gap"] == "", "score 1: outside the denominator")
    }

    @Test func scoreIsEmptyOffTheRegister() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,female")
        #expect(r["a", "af_cha2ds2vasc"] == "")
        #expect(r["a", "af_anticoag_gap"] == "")
    }

    @Test func doacDatedExactlySixMonthsBeforeIsAGap() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,female\nb,1940-01-01,female",
                           events: "a,2020-01-01,afib_cod\nb,2020-01-01,afib_cod",
                           medications: "a,2025-09-30,dmd/doac\nb,2025-10-01,dmd/warfarin")
        #expect(r["a", "af_anticoag_gap"] == "true")
        #expect(r["b", "af_anticoag_gap"] == "false")
    }

    /// 408060004 "Ezetimibe 10mg tablets" (BNF 0212000L0): lipid-lowering, not a statin.
    @Test func ezetimibeOnlyClosesTheLLTGapNotTheStatinGap() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1950-01-01,male", events: "a,2020-01-01,chd_cod",
                           medications: "a,2026-02-01,408060004")
        #expect(r["a", "llt_gap"] == "false")
        #expect(r["a", "statin_gap"] == "true")
    }

    @Test func lltFieldsEmptyWithoutCHDStrokeOrPAD() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1950-01-01,male")
        #expect(r["a", "llt_gap"] == "")
        #expect(r["a", "statin_gap"] == "")
    }

    static let hba1c = "999791000000106"

    @Test(arguments: [("58", "true"), ("58.1", "false")])
    func hba1cThreshold(value: String, controlled: String) throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1960-01-01,male", events: "a,2015-01-01,dm_cod\na,2026-01-01,\(Self.hba1c),\(value)")
        #expect(r["a", "dm_hba1c_controlled"] == controlled)
    }

    @Test func twoValuesOnOneDateTakeTheLowest() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1960-01-01,male",
                           events: "a,2015-01-01,dm_cod\na,2026-01-01,\(Self.hba1c),70\na,2026-01-01,\(Self.hba1c),50")
        #expect(r["a", "hba1c_latest"] == "50")
        #expect(r["a", "hba1c_date"] == "2026-01-01")
        #expect(r["a", "dm_hba1c_controlled"] == "true")
    }

    @Test func hba1cDatedExactlyTwelveMonthsBeforeIsNotControlled() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1960-01-01,male\nb,1960-01-01,male",
                           events: "a,2015-01-01,dm_cod\na,2025-03-31,\(Self.hba1c),48\nb,2015-01-01,dm_cod\nb,2025-04-01,\(Self.hba1c),48")
        #expect(r["a", "dm_hba1c_controlled"] == "false")
        #expect(r["b", "dm_hba1c_controlled"] == "true")
    }

    @Test func hba1cDateIgnoresCodesWithoutAValue() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1960-01-01,male",
                           events: "a,2025-01-01,\(Self.hba1c),48\na,2026-01-01,\(Self.hba1c)")
        #expect(r["a", "hba1c_date"] == "2025-01-01")
        #expect(r["a", "dm_hba1c_controlled"] == "", "not on the diabetes register")
    }

    @Test func serumFructosamineWithoutHbA1cExcludes() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1960-01-01,male\nb,1960-01-01,male",
                           events: "a,2015-01-01,dm_cod\na,2026-01-01,serfruc_cod\nb,2015-01-01,dm_cod\nb,2026-01-01,serfruc_cod\nb,2026-01-02,\(Self.hba1c),50")
        #expect(r["a", "dm_hba1c_excluded"] == "true")
        #expect(r["b", "dm_hba1c_excluded"] == "false")
    }
}

/// rules.md §18 segment8.
@Suite struct Segment8SpecTests {
    static let d = "2026-03-31"

    @Test func age17Versus18WithTwoLTCs() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,2008-04-01,male\nb,2008-03-31,male",
                           events: "a,2020-01-01,afib_cod\na,2020-01-01,chd_cod\nb,2020-01-01,afib_cod\nb,2020-01-01,chd_cod")
        #expect(r["a", "seg_ltc_count"] == "2")
        #expect(r["a", "segment8"] == "3-child-complex")
        #expect(r["b", "segment8"] == "6-adult-multi-ltc")
    }

    @Test func learningDisabilityCountsAt65NotAt64() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1961-04-01,male\nb,1961-03-31,male",
                           events: "a,2000-01-01,ld_cod\nb,2000-01-01,ld_cod")
        #expect(r["a", "seg_ltc_count"] == "0")
        #expect(r["a", "segment8"] == "4-adult-healthy")
        #expect(r["b", "seg_ltc_count"] == "1")
        #expect(r["b", "segment8"] == "5-adult-single-ltc")
    }

    @Test func complexityWithoutHouseboundUnderTheStricterReading() throws {
        let strict = try RuleSetCompiler.compile(path: FlagFixture.root + "/reference/rules/stratify-v2.rules",
                                                 reference: FlagFixture.reference,
                                                 overrides: ["segment7_requires_housebound": .bool(true)])
        let events = "a,2025-06-01,homeless\nb,2025-06-01,homeless\nb,2020-01-01,afib_cod"
        let patients = "a,1980-01-01,male\nb,1980-01-01,male"
        let byDefault = try V2.run(asOf: Self.d, patients: patients, events: events)
        #expect(byDefault["a", "segment8"] == "7-adult-complex")
        let r = try V2.run(asOf: Self.d, patients: patients, events: events, ruleSet: strict)
        #expect(r["a", "segment8"] == "4-adult-healthy")
        #expect(r["b", "segment8"] == "5-adult-single-ltc")
    }

    @Test func childOnThePalliativeRegisterIsEndOfLife() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,2015-01-01,female", events: "a,2025-01-01,palcare_cod")
        #expect(r["a", "reg_pc"] == "true")
        #expect(r["a", "segment8"] == "8-end-of-life")
    }

    @Test func moderateEFI2IsComplexity() throws {
        // Falls (62743) + palliative care would make 8; use falls + dementia: 62743 + 41715 + 38493 = 142951, moderate.
        let r = try V2.run(asOf: Self.d, patients: "a,1950-01-01,female",
                           events: "a,2020-01-01,\(V2.efi2Code("falls", minAge: "55"))\na,2020-01-01,\(V2.efi2Code("dementia"))")
        #expect(r["a", "efi2_category"] == "moderate")
        #expect(r["a", "segment8"] == "7-adult-complex")
    }
}

/// rules.md §19 named cohorts (pipelines/nightly.json).
@Suite struct NamedCohortSpecTests {
    static let d = "2026-03-31"

    @Test func emptyIMDIsOutOfProtectNow() throws {
        // LSOA E01000001 is in IMD 2019 decile 9; a patient without an LSOA has no decile.
        let r = try V2.run(asOf: Self.d, patients: "a,1985-01-01,female", events: "")
        #expect(r["a", "imd_decile"] == "")
        #expect(r["a", "cervical_screen_gap"] == "true")
        #expect(try V2.cohort("protect-now", r).isEmpty)
    }

    @Test func homelessAdultWithoutSMIIsInComplexLives() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1980-01-01,male\nb,2010-01-01,male",
                           events: "a,2025-06-01,homeless\nb,2025-06-01,homeless")
        #expect(r["a", "reg_smi"] == "false")
        #expect(r["a", "complex_lives_count"] == "1")
        #expect(try V2.cohort("system-p-complex-lives", r) == ["a"])
    }

    @Test func dementiaAt50IsInFrailtyDementia() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1976-01-01,male", events: "a,2024-01-01,dem_cod")
        #expect(try V2.cohort("system-p-frailty-dementia", r) == ["a"])
    }

    @Test func careHomeIsInFoundryRedVulnerable() throws {
        let r = try V2.run(asOf: Self.d, patients: "a,1940-01-01,male\nb,1980-01-01,male", events: "a,2024-01-01,longres_cod")
        #expect(try V2.cohort("foundry-red-vulnerable", r) == ["a"])
    }
}
