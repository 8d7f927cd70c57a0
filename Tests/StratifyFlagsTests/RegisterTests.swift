import Testing

/// rules.md §1: registers, resolution ties, age rules, ltc_count.
@Suite struct RegisterTests {
    @Test func hypertensionSameDayResolutionKeepsMembership() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male",
                                    events: "a,2020-01-01,hyp_cod\na,2020-01-01,hypres_cod")
        #expect(r["a", "reg_hyp"] == "true")
    }

    @Test func hypertensionLaterResolutionRemoves() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male",
                                    events: "a,2020-01-01,hyp_cod\na,2020-01-02,hypres_cod")
        #expect(r["a", "reg_hyp"] == "false")
    }

    @Test func depressionSameDayResolutionRemovesStrict() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1970-01-01,female",
                                    events: "a,2020-01-01,depr_cod\na,2020-01-01,depres_cod")
        #expect(r["a", "reg_dep"] == "false")
    }

    @Test func depressionDiagnosisAfterResolutionCounts() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1970-01-01,female",
                                    events: "a,2020-01-01,depres_cod\na,2020-01-02,depr_cod")
        #expect(r["a", "reg_dep"] == "true")
    }

    @Test func depressionBefore2006DoesNotCount() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1970-01-01,female\nb,1970-01-01,female",
                                    events: "a,2006-03-31,depr_cod\nb,2006-04-01,depr_cod")
        #expect(r["a", "reg_dep"] == "false")
        #expect(r["b", "reg_dep"] == "true")
    }

    @Test func diabetesAge16IsNotOnRegisterAge17Is() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,2008-04-01,male\nb,2008-03-31,male",
                                    events: "a,2024-01-01,dm_cod\nb,2024-01-01,dm_cod")
        #expect(r["a", "age"] == "16")
        #expect(r["a", "reg_dm"] == "false")
        #expect(r["b", "age"] == "17")
        #expect(r["b", "reg_dm"] == "true")
    }

    @Test func ckdAge17IsNotOnRegisterAge18Is() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,2007-04-01,male\nb,2007-03-31,male",
                                    events: "a,2024-01-01,ckd_cod\nb,2024-01-01,ckd_cod")
        #expect(r["a", "reg_ckd"] == "false")
        #expect(r["b", "reg_ckd"] == "true")
    }

    @Test func cancerFirstDiagnosedBeforeApril2003IsNotOnRegister() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female",
                                    events: "a,2003-03-31,cancer\na,2010-01-01,cancer\nb,2003-04-01,cancer")
        #expect(r["a", "reg_can"] == "false")
        #expect(r["b", "reg_can"] == "true")
    }

    @Test func asthmaNeedsMedicationInLast12Months() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1990-01-01,male\nb,1990-01-01,male",
                                    events: "a,2015-01-01,ast_cod\nb,2015-01-01,ast_cod",
                                    medications: "a,2024-03-31,dmd/asthma_treatment_qof\nb,2024-04-01,dmd/asthma_treatment_qof")
        #expect(r["a", "reg_ast"] == "false")
        #expect(r["b", "reg_ast"] == "true")
    }

    @Test func palliativeCareBefore2008DoesNotCount() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1940-01-01,male\nb,1940-01-01,male",
                                    events: "a,2008-03-31,palcare_cod\nb,2008-04-01,palcare_cod")
        #expect(r["a", "reg_pc"] == "false")
        #expect(r["b", "reg_pc"] == "true")
    }

    @Test func smiRemissionDoesNotRemoveFromRegister() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male",
                                    events: "a,2010-01-01,mh_cod\na,2020-01-01,smi_remission")
        #expect(r["a", "reg_smi"] == "true")
    }

    @Test func ltcCountCountsRegistersAndOldCancerDoesNot() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male",
                                    events: "a,2010-01-01,hyp_cod\na,2010-01-01,chd_cod\na,2015-01-01,cancer")
        #expect(r["a", "ltc_count"] == "2")
        #expect(r["a", "multimorbid"] == "true")
        #expect(r["a", "complex_multimorbid"] == "false")
    }

    @Test func ltcCountIncludesCancerFirstDiagnosedInLast5Years() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male",
                                    events: "a,2010-01-01,hyp_cod\na,2021-01-01,cancer")
        #expect(r["a", "ltc_count"] == "2")
    }
}
