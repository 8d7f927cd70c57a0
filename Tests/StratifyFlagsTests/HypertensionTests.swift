import Testing

/// rules.md §3: latest paired clinic BP, control, case finding, check gap.
@Suite struct HypertensionTests {
    @Test func sameDayLowestReadingsAreUsed() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male", events: """
            a,2025-01-10,sysbp,150
            a,2025-01-10,sysbp,138
            a,2025-01-10,diasbp,88
            a,2025-01-10,diasbp,92
            """)
        #expect(r["a", "bp_sys"] == "138")
        #expect(r["a", "bp_dia"] == "88")
        #expect(r["a", "bp_date"] == "2025-01-10")
    }

    @Test func decimalReadingsAreWrittenAsRecorded() throws {
        // Kept as Float in the engine; Double(Float(176.1)) would print as 176.100006.
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male", events: """
            a,2025-01-10,sysbp,176.1
            a,2025-01-10,diasbp,88.7
            """)
        #expect(r["a", "bp_sys"] == "176.1")
        #expect(r["a", "bp_dia"] == "88.7")
    }

    @Test func latestDateNeedsBothReadings() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male", events: """
            a,2024-06-01,sysbp,130
            a,2024-06-01,diasbp,80
            a,2025-02-01,sysbp,170
            """)
        #expect(r["a", "bp_date"] == "2024-06-01")
        #expect(r["a", "bp_sys"] == "130")
    }

    @Test func outOfRangeValuesAreIgnoredAndCounted() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male", events: """
            a,2024-06-01,sysbp,130
            a,2024-06-01,diasbp,80
            a,2025-02-01,sysbp,350
            a,2025-02-01,diasbp,85
            """)
        #expect(r["a", "bp_date"] == "2024-06-01")
        #expect(r.flags.quality.bpValuesOutOfRange == 1)
    }

    @Test func homeReadingsAreNotClinicReadings() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male", events: """
            a,2025-02-01,home_sysbp,128
            a,2025-02-01,home_diasbp,78
            """)
        #expect(r["a", "bp_date"] == "")
        #expect(r["a", "home_bp_sys"] == "128")
        #expect(r["a", "home_bp_date"] == "2025-02-01")
    }

    @Test func age79Uses140Target() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1945-04-01,male", events: """
            a,2010-01-01,hyp_cod
            a,2025-01-10,sysbp,145
            a,2025-01-10,diasbp,85
            """)
        #expect(r["a", "age"] == "79")
        #expect(r["a", "htn_controlled"] == "false")
        #expect(r["a", "htn_uncontrolled"] == "true")
    }

    @Test func age80Uses150Target() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1945-03-31,male", events: """
            a,2010-01-01,hyp_cod
            a,2025-01-10,sysbp,145
            a,2025-01-10,diasbp,85
            """)
        #expect(r["a", "age"] == "80")
        #expect(r["a", "htn_controlled"] == "true")
        #expect(r["a", "htn_uncontrolled"] == "false")
    }

    @Test func bpExactly12MonthsAgoIsNotRecent() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male", events: """
            a,2010-01-01,hyp_cod
            a,2024-03-31,sysbp,120
            a,2024-03-31,diasbp,70
            """)
        #expect(r["a", "htn_no_recent_bp"] == "true")
        #expect(r["a", "htn_controlled"] == "false")
    }

    @Test func caseFindingTiers() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: """
            s,1960-01-01,male
            t,1960-01-01,male
            u,1960-01-01,male
            n,1960-01-01,male
            """, events: """
            s,2024-05-01,sysbp,182
            s,2024-05-01,diasbp,95
            t,2024-05-01,sysbp,150
            t,2024-05-01,diasbp,101
            u,2024-05-01,sysbp,141
            u,2024-05-01,diasbp,80
            n,2024-05-01,sysbp,139
            n,2024-05-01,diasbp,89
            """)
        #expect(r["s", "htn_case_finding_tier"] == "severe")
        #expect(r["t", "htn_case_finding_tier"] == "stage2")
        #expect(r["u", "htn_case_finding_tier"] == "stage1")
        #expect(r["n", "htn_case_finding"] == "false")
        #expect(r["n", "htn_case_finding_tier"] == "")
    }

    @Test func caseFindingExcludesAnyoneEverCodedHypertensive() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male", events: """
            a,2000-01-01,hypres_cod
            a,2024-05-01,sysbp,170
            a,2024-05-01,diasbp,95
            """)
        #expect(r["a", "htn_case_finding"] == "false")
    }

    @Test func caseFindingAt80Uses150() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1940-01-01,female", events: """
            a,2024-05-01,sysbp,145
            a,2024-05-01,diasbp,85
            """)
        #expect(r["a", "htn_case_finding"] == "false")
    }

    @Test func bpCheckGapStartsAt45() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-04-01,male\nb,1980-03-31,male")
        #expect(r["a", "age"] == "44")
        #expect(r["a", "bp_check_gap"] == "false")
        #expect(r["b", "age"] == "45")
        #expect(r["b", "bp_check_gap"] == "true")
    }
}
