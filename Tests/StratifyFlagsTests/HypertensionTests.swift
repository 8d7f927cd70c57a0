import Foundation
import StratifyCore
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
        // Written from the recorded decimal, never widened from a narrower float (176.100006).
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

    @Test func rangeLimitsAreInclusiveAndExact() throws {
        // 40–300 systolic and 20–200 diastolic are kept; a hair outside is ignored and counted.
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1960-01-01,male\nb,1960-01-01,male", events: """
            a,2025-01-10,sysbp,300
            a,2025-01-10,diasbp,20
            b,2024-06-01,sysbp,130
            b,2024-06-01,diasbp,80
            b,2025-01-10,sysbp,300.00001
            b,2025-01-10,diasbp,19.99999
            """)
        #expect(r["a", "bp_date"] == "2025-01-10")
        #expect(r["b", "bp_date"] == "2024-06-01")
        #expect(r.flags.quality.bpValuesOutOfRange == 2)
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

    // Every reading up to D counts, however many one-sided readings came later (rules.md §3,
    // revised 2026-12-06). D = 2025-03-31; the pair is on D−400, systolic-only readings on D−300,
    // D−250, D−200 and D−150.
    static let pairBehindOneSidedReadings = [
        "a,2024-02-25,sysbp,150", "a,2024-02-25,diasbp,95",
        "a,2024-06-04,sysbp,141", "a,2024-07-24,sysbp,142", "a,2024-09-12,sysbp,143", "a,2024-11-01,sysbp,144",
    ]

    @Test func pairBehindFourSystolicOnlyDatesIsTheLatestBP() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,male",
                                    events: Self.pairBehindOneSidedReadings.joined(separator: "\n"))
        #expect(r["a", "bp_date"] == "2024-02-25")
        #expect(r["a", "bp_sys"] == "150")
        #expect(r["a", "bp_dia"] == "95")
        #expect(r["a", "htn_case_finding"] == "true")
        #expect(r["a", "htn_case_finding_tier"] == "stage1")
        #expect(r["a", "bp_check_gap"] == "false")
    }

    @Test func pairBehindOneSidedDatesIsFoundInAnyArrivalOrder() throws {
        for seed in 0..<8 as Range<UInt64> {
            var g = SeededRandom(seed: seed)
            let events = Self.pairBehindOneSidedReadings.shuffled(using: &g)
            let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,male", events: events.joined(separator: "\n"))
            #expect(r["a", "bp_date"] == "2024-02-25", "order \(events)")
            #expect(r["a", "bp_sys"] == "150", "order \(events)")
        }
    }

    @Test func pairOnAnOlderDateThanEveryOneSidedDateOfBothSides() throws {
        // Newest first, alternating sides, none paired: every date stays open until the pair.
        var lines: [String] = []
        for i in 0..<12 { lines.append("a,2025-03-\(String(format: "%02d", 28 - i)),\(i % 2 == 0 ? "sysbp,130" : "diasbp,80")") }
        lines += ["a,2025-01-02,diasbp,84", "a,2025-01-02,sysbp,136"]
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,male", events: lines.joined(separator: "\n"))
        #expect(r["a", "bp_date"] == "2025-01-02")
        #expect(r["a", "bp_sys"] == "136")
        #expect(r["a", "bp_dia"] == "84")
    }

    // Thresholds compare the recorded decimal exactly (rules.md §3, revised 2026-12-06).
    @Test func systolicJustBelow140IsNotCaseFinding() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,male", events: """
            a,2025-01-10,sysbp,139.99999
            a,2025-01-10,diasbp,80
            """)
        #expect(r["a", "bp_sys"] == "139.99999")
        #expect(r["a", "htn_case_finding"] == "false")
    }

    @Test func systolicOf140IsCaseFinding() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,male", events: """
            a,2025-01-10,sysbp,140
            a,2025-01-10,diasbp,80
            """)
        #expect(r["a", "htn_case_finding"] == "true")
        #expect(r["a", "htn_case_finding_tier"] == "stage1")
    }

    @Test func systolicJustAbove140IsNotControlled() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,male", events: """
            a,2010-01-01,hyp_cod
            a,2025-01-10,sysbp,140.00001
            a,2025-01-10,diasbp,80
            """)
        #expect(r["a", "htn_controlled"] == "false")
        #expect(r["a", "htn_uncontrolled"] == "true")
    }

    @Test func bpOf140Over90IsControlled() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,male", events: """
            a,2010-01-01,hyp_cod
            a,2025-01-10,sysbp,140
            a,2025-01-10,diasbp,90
            """)
        #expect(r["a", "htn_controlled"] == "true")
    }

    @Test func diastolicJustAbove90IsNotControlled() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1965-01-01,male", events: """
            a,2010-01-01,hyp_cod
            a,2025-01-10,sysbp,130
            a,2025-01-10,diasbp,90.00001
            """)
        #expect(r["a", "htn_controlled"] == "false")
        #expect(r["a", "htn_uncontrolled"] == "true")
    }

    @Test func systolicJustBelow150At80IsNotCaseFinding() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "a,1945-03-31,female", events: """
            a,2025-01-10,sysbp,149.99999
            a,2025-01-10,diasbp,85
            """)
        #expect(r["a", "age"] == "80")
        #expect(r["a", "htn_case_finding"] == "false")
    }

    @Test func tiersCompareExactly() throws {
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "s,1965-01-01,male\nt,1965-01-01,male", events: """
            s,2025-01-10,sysbp,179.99999
            s,2025-01-10,diasbp,119.99999
            t,2025-01-10,sysbp,159.99999
            t,2025-01-10,diasbp,99.99999
            """)
        #expect(r["s", "htn_case_finding_tier"] == "stage2")
        #expect(r["t", "htn_case_finding_tier"] == "stage1")
    }

    @Test func readingsWithOneOrTwoDecimalsAreWrittenAsRecorded() {
        // patients.csv writes bp_sys/bp_dia with JSON.format; the engine now keeps the decoder's
        // Double, so these come out as written in the extract, as before.
        var wrong: [Int] = []
        for k in 0...40_000 {
            let text = k % 100 == 0 ? "\(k / 100)" : k % 10 == 0 ? "\(k / 100).\(k / 10 % 10)"
                : "\(k / 100).\(String(format: "%02d", k % 100))"
            if JSON.format(Double(k) / 100) != text { wrong.append(k) }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }
}
