import Testing

/// rules.md §0: windows, month-end clamping, leap days, ages, population, events used.
@Suite struct ConventionsTests {
    // plus_homeless: a homelessness code in the last 24 months. D − 24 months is excluded.
    @Test func windowBoundaryDayIsExcluded() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male", events: "a,2023-03-31,homeless")
        #expect(r["a", "plus_homeless"] == "false")
    }

    @Test func dayAfterWindowBoundaryIsIncluded() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male", events: "a,2023-04-01,homeless")
        #expect(r["a", "plus_homeless"] == "true")
    }

    @Test func asOfDayItselfIsIncluded() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male", events: "a,2025-03-31,homeless")
        #expect(r["a", "plus_homeless"] == "true")
    }

    // cancer_referral_recent: 6 months. 2025-08-31 − 6 months clamps to 2025-02-28.
    @Test func monthEndClampedBoundaryIsExcluded() throws {
        let r = try FlagFixture.run(asOf: "2025-08-31", patients: "a,1960-01-01,female", events: "a,2025-02-28,cancer_referral")
        #expect(r["a", "cancer_referral_recent"] == "false")
    }

    @Test func dayAfterClampedBoundaryIsIncluded() throws {
        let r = try FlagFixture.run(asOf: "2025-08-31", patients: "a,1960-01-01,female", events: "a,2025-03-01,cancer_referral")
        #expect(r["a", "cancer_referral_recent"] == "true")
    }

    // On a leap day, 24 months back is 2022-02-28 (clamped): excluded; 2022-03-01 included.
    @Test func leapDayAsOfWindow() throws {
        let r = try FlagFixture.run(asOf: "2024-02-29", patients: "a,1980-01-01,male\nb,1980-01-01,male",
                                    events: "a,2022-02-28,homeless\nb,2022-03-01,homeless")
        #expect(r["a", "plus_homeless"] == "false")
        #expect(r["b", "plus_homeless"] == "true")
    }

    // A 29 February birthday falls on 1 March in non-leap years.
    @Test func leapDayBirthdayAgeTurnsOnFirstOfMarch() throws {
        let before = try FlagFixture.run(asOf: "2025-02-28", patients: "a,2008-02-29,female")
        let on = try FlagFixture.run(asOf: "2025-03-01", patients: "a,2008-02-29,female")
        #expect(before["a", "age"] == "16")
        #expect(on["a", "age"] == "17")
    }

    @Test func patientWhoDiedOnAsOfIsOutsidePopulation() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male,,,2025-03-31\nb,1950-01-01,male,,,2025-04-01")
        #expect(r["a", "age"] == "<not in population>")
        #expect(r["b", "age"] == "75")
    }

    @Test func registrationAfterAsOfIsOutsidePopulation() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male,,,,2025-04-01\nb,1950-01-01,male,,,,2025-03-31")
        #expect(r["a", "age"] == "<not in population>")
        #expect(r["b", "age"] == "75")
    }

    // Born after the as-of date: accepted by ingest (an earlier as-of date on a current extract),
    // but outside the population like the dead and the not yet registered.
    @Test func birthAfterAsOfIsOutsidePopulation() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,2025-04-01,male\nb,2025-03-31,male",
                                    events: "a,2025-04-02,hyp_cod")
        #expect(r["a", "age"] == "<not in population>")
        #expect(r["b", "age"] == "0")
    }

    @Test func futureDatedEventIsNotUsed() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male", events: "a,2025-04-01,hyp_cod")
        #expect(r["a", "reg_hyp"] == "false")
    }

    @Test func eventBeforeBirthIsNotUsed() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,2000-06-15,male", events: "a,2000-06-14,ld_cod")
        #expect(r["a", "reg_ld"] == "false")
    }
}
