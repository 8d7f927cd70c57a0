import Testing

/// rules.md §4: flu season, pneumococcal, MRC, exacerbation episodes, priority groups.
@Suite struct COPDTests {
    @Test func fluSeasonStartsFirstSeptemberOnOrAfter() throws {
        let r = try FlagFixture.run(asOf: "2025-09-01", patients: "a,1950-01-01,male\nb,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2025-09-01,flu_vacc
            b,2015-01-01,copd_cod
            b,2025-08-31,flu_vacc
            """)
        #expect(r["a", "copd_flu_gap"] == "false")
        #expect(r["b", "copd_flu_gap"] == "true")
    }

    @Test func beforeSeptemberSeasonIsPreviousYears() throws {
        let r = try FlagFixture.run(asOf: "2025-08-31", patients: "a,1950-01-01,male\nb,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2024-09-01,flu_vacc
            b,2015-01-01,copd_cod
            b,2024-08-31,flu_vacc
            """)
        #expect(r["a", "copd_flu_gap"] == "false")
        #expect(r["b", "copd_flu_gap"] == "true")
    }

    @Test func fluVaccineIssueClosesTheGap() throws {
        let r = try FlagFixture.run(asOf: "2025-10-31", patients: "a,1950-01-01,male",
                                    events: "a,2015-01-01,copd_cod", medications: "a,2025-10-01,dmd/flu_vaccine")
        #expect(r["a", "copd_flu_gap"] == "false")
    }

    @Test func copdFieldsAreEmptyOffRegisterExceptExacerbations() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male")
        #expect(r["a", "copd_flu_gap"] == "")
        #expect(r["a", "copd_pneumo_gap"] == "")
        #expect(r["a", "copd_priority"] == "")
        #expect(r["a", "copd_exacerbations_12m"] == "0")
    }

    @Test func exacerbation14DaysLaterJoinsEpisode() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2025-01-01,copd_exacerbation
            a,2025-01-15,copd_exacerbation
            """)
        #expect(r["a", "copd_exacerbations_12m"] == "1")
        #expect(r["a", "copd_priority"] == "PG3")
    }

    @Test func exacerbation15DaysLaterStartsNewEpisode() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2025-01-01,copd_exacerbation
            a,2025-01-16,lrti
            """)
        #expect(r["a", "copd_exacerbations_12m"] == "2")
        #expect(r["a", "copd_priority"] == "PG2")
    }

    @Test func washoutChainsFromThePreviousCode() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2025-01-01,copd_exacerbation
            a,2025-01-11,copd_exacerbation
            a,2025-01-21,copd_exacerbation
            """)
        #expect(r["a", "copd_exacerbations_12m"] == "1")
    }

    // Exacerbations are counted for register members only (rules.md §4, confirmed 2026-12-06).
    @Test func exacerbationsOffTheRegisterAreZero() throws {
        // The issue's reproducer: no COPD code, an LRTI on D−200 and an exacerbation on D−100.
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2024-09-12,lrti
            a,2024-12-21,copd_exacerbation
            """)
        #expect(r["a", "reg_copd"] == "false")
        #expect(r["a", "copd_exacerbations_12m"] == "0")
    }

    @Test func exacerbationsOfAResolvedCOPDPatientAreZero() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2020-01-01,copdres_cod
            a,2024-09-12,lrti
            a,2024-12-21,copd_exacerbation
            """)
        #expect(r["a", "reg_copd"] == "false")
        #expect(r["a", "copd_exacerbations_12m"] == "0")
    }

    @Test func exacerbationsOfARegisterMemberAreCounted() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2024-09-12,lrti
            a,2024-12-21,copd_exacerbation
            """)
        #expect(r["a", "reg_copd"] == "true")
        #expect(r["a", "copd_exacerbations_12m"] == "2")
        #expect(r["a", "copd_priority"] == "PG2")
    }

    // The 12-month window is date > D − 12 months and date ≤ D (rules.md §0).
    @Test func exacerbationExactly12MonthsBeforeDIsNotCounted() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2024-03-31,copd_exacerbation
            """)
        #expect(r["a", "copd_exacerbations_12m"] == "0")
        #expect(r["a", "copd_priority"] == "PG4")
    }

    @Test func exacerbationTheDayAfterTheWindowBoundaryIsCounted() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2024-04-01,copd_exacerbation
            """)
        #expect(r["a", "copd_exacerbations_12m"] == "1")
    }

    @Test func exacerbationOnDIsCounted() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2025-03-31,lrti
            """)
        #expect(r["a", "copd_exacerbations_12m"] == "1")
    }

    @Test func windowStartIsClampedToTheMonthEnd() throws {
        // D = 2024-02-29: D − 12 months is 2023-02-28 (clamped), itself excluded.
        let r = try FlagFixture.run(asOf: "2024-02-29", patients: "a,1950-01-01,male\nb,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2023-02-28,copd_exacerbation
            b,2015-01-01,copd_cod
            b,2023-03-01,copd_exacerbation
            """)
        #expect(r["a", "copd_exacerbations_12m"] == "0")
        #expect(r["b", "copd_exacerbations_12m"] == "1")
    }

    @Test func mrcGrade5IsPriorityGroup1() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2025-01-01,mrc_dyspnoea=grade=5
            """)
        #expect(r["a", "copd_mrc"] == "5")
        #expect(r["a", "copd_priority"] == "PG1")
    }

    @Test func mrcHighestGradeOnLatestDate() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: """
            a,2015-01-01,copd_cod
            a,2024-01-01,mrc_dyspnoea=grade=5
            a,2025-01-01,mrc_dyspnoea=grade=2
            a,2025-01-01,mrc_dyspnoea=grade=4
            """)
        #expect(r["a", "copd_mrc"] == "4")
        #expect(r["a", "copd_priority"] == "PG2")
    }

    @Test func registerWithNothingElseIsPriorityGroup4() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: "a,2015-01-01,copd_cod")
        #expect(r["a", "copd_priority"] == "PG4")
        #expect(r["a", "copd_pneumo_gap"] == "true")
    }
}
