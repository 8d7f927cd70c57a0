import Testing

/// One spec test for every remaining register and flag: the rule fires from its own code (with
/// any age or medication condition met), and does not fire without it.
@Suite struct RuleCoverageTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let field: String
        let dob: String
        let events: String
        let medications: String
        var testDescription: String { field }
    }

    static let cases: [Case] = [
        Case(field: "reg_copd", dob: "1950-01-01", events: "2015-01-01,copd_cod", medications: ""),
        Case(field: "reg_af", dob: "1950-01-01", events: "2015-01-01,afib_cod", medications: ""),
        Case(field: "reg_chd", dob: "1950-01-01", events: "2015-01-01,chd_cod", medications: ""),
        Case(field: "reg_hf", dob: "1950-01-01", events: "2015-01-01,hf_cod", medications: ""),
        Case(field: "reg_stia", dob: "1950-01-01", events: "2015-01-01,tia_cod", medications: ""),
        Case(field: "reg_dem", dob: "1950-01-01", events: "2015-01-01,dem_cod", medications: ""),
        Case(field: "reg_ep", dob: "1980-01-01", events: "2015-01-01,epil_cod", medications: "2025-01-01,dmd/bnf_antiepileptics#0"),
        Case(field: "reg_pad", dob: "1950-01-01", events: "2015-01-01,pad_cod", medications: ""),
        Case(field: "reg_ra", dob: "1950-01-01", events: "2015-01-01,rarth_cod", medications: ""),
        Case(field: "reg_ost", dob: "1950-01-01", events: "2015-01-01,osteo_cod", medications: ""),
        Case(field: "reg_ld", dob: "1990-01-01", events: "2015-01-01,ld_cod", medications: ""),
        Case(field: "plus_ld", dob: "1990-01-01", events: "2015-01-01,ld_cod", medications: ""),
        Case(field: "plus_autism", dob: "1990-01-01", events: "2015-01-01,autism", medications: ""),
        Case(field: "plus_smi", dob: "1990-01-01", events: "2015-01-01,mh_cod", medications: ""),
        Case(field: "smi_bp", dob: "1990-01-01", events: "2015-01-01,mh_cod\n2025-01-01,bp_cod", medications: ""),
        Case(field: "smi_glucose", dob: "1990-01-01", events: "2015-01-01,mh_cod\n2025-01-01,hba1c", medications: ""),
        Case(field: "smi_alcohol", dob: "1990-01-01", events: "2015-01-01,mh_cod\n2025-01-01,alcohol", medications: ""),
        Case(field: "smi_smoking", dob: "1990-01-01", events: "2015-01-01,mh_cod\n2025-01-01,smoking_status", medications: ""),
        Case(field: "copd_pneumo_gap", dob: "1950-01-01", events: "2015-01-01,copd_cod", medications: ""),
    ]

    @Test(arguments: cases)
    func firesFromItsCode(_ c: Case) throws {
        let events = c.events.split(separator: "\n").map { "a," + $0 }.joined(separator: "\n")
        let meds = c.medications.split(separator: "\n").map { "a," + $0 }.joined(separator: "\n")
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,\(c.dob),female\nb,\(c.dob),female",
                                    events: events, medications: meds)
        #expect(r["a", c.field] == "true")
        // Without any events, b is not on the register / has no flag (or it is empty off-register).
        #expect(r["b", c.field] != "true")
    }

    @Test func smiAllSixChecksCloseTheGap() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1990-01-01,male", events: """
            a,2015-01-01,mh_cod
            a,2025-01-01,bmi_value,24
            a,2025-01-01,bp_cod
            a,2025-01-01,cholesterol,4.5
            a,2025-01-01,hba1c,38
            a,2025-01-01,alcohol
            a,2025-01-01,smoking_status
            """)
        #expect(r["a", "smi_checks_done"] == "6")
        #expect(r["a", "smi_check_gap"] == "false")
    }

    @Test func homeOxygenMakesPriorityGroup1() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1950-01-01,male",
                                    events: "a,2015-01-01,copd_cod\na,2025-01-01,home_oxygen")
        #expect(r["a", "copd_priority"] == "PG1")
    }

    @Test func epilepsyNeedsAntiepilepticInLast6Months() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1980-01-01,male",
                                    events: "a,2015-01-01,epil_cod", medications: "a,2024-09-30,dmd/bnf_antiepileptics#0")
        #expect(r["a", "reg_ep"] == "false")
    }
}
