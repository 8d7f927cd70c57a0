import Testing

/// rules.md §5 (SMI physical health checks) and §6 (early cancer diagnosis).
@Suite struct SMIAndCancerTests {
    @Test func smiFieldsAreEmptyOffRegisterAndGapFalse() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male")
        #expect(r["a", "smi_bmi"] == "")
        #expect(r["a", "smi_checks_done"] == "")
        #expect(r["a", "smi_check_gap"] == "false")
    }

    @Test func smiChecksCountedInLast12Months() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male", events: """
            a,2010-01-01,mh_cod
            a,2025-01-01,bmi_value,31.5
            a,2024-03-31,cholesterol,5.1
            """)
        #expect(r["a", "smi_bmi"] == "true")
        #expect(r["a", "smi_lipids"] == "false")
        #expect(r["a", "smi_checks_done"] == "1")
        #expect(r["a", "smi_check_gap"] == "true")
    }

    @Test func remissionOnSameDayAsDiagnosisIsNotRemission() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male\nb,1980-01-01,male", events: """
            a,2020-01-01,mh_cod
            a,2020-01-01,smi_remission
            b,2020-01-01,mh_cod
            b,2020-01-02,smi_remission
            """)
        #expect(r["a", "smi_in_remission"] == "false")
        #expect(r["a", "smi_check_gap"] == "true")
        #expect(r["b", "smi_in_remission"] == "true")
        #expect(r["b", "smi_check_gap"] == "false")
    }

    @Test func cancerRecentWithin12Months() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,female\nb,1950-01-01,female",
                                    events: "a,2024-04-01,cancer\nb,2024-03-31,cancer")
        #expect(r["a", "can_recent"] == "true")
        #expect(r["b", "can_recent"] == "false")
    }

    @Test func bowelScreeningAgeRange() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1975-04-01,male\nb,1975-03-31,male\nc,1950-03-31,male")
        #expect(r["a", "bowel_screen_gap"] == "false")  // 49
        #expect(r["b", "bowel_screen_gap"] == "true")   // 50
        #expect(r["c", "bowel_screen_gap"] == "false")  // 75
    }

    @Test func breastScreeningOnlyForWomen() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,female\nb,1965-01-01,male")
        #expect(r["a", "breast_screen_gap"] == "true")
        #expect(r["b", "breast_screen_gap"] == "false")
    }

    @Test func cervicalWindowIs42MonthsUnder50() throws {
        // 2025-03-31 − 42 months = 2021-09-30 (excluded).
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1985-01-01,female\nb,1985-01-01,female",
                                    events: "a,2021-09-30,cervical_screen\nb,2021-10-01,cervical_screen")
        #expect(r["a", "cervical_screen_gap"] == "true")
        #expect(r["b", "cervical_screen_gap"] == "false")
    }

    @Test func cervicalWindowIs66MonthsFrom50() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1970-01-01,female",
                                    events: "a,2021-09-30,cervical_screen")
        #expect(r["a", "cervical_screen_gap"] == "false")
    }
}
