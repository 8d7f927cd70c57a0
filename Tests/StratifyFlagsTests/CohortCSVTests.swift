import Foundation
import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference
import Testing

/// Cohort files as INT leads receive them.
@Suite struct CohortCSVTests {
    static let practices: [String: PracticeTable.Practice] = {
        let t = try! PracticeTable(path: FlagFixture.root + "/reference/practices/north_central_london.csv")
        return Dictionary(t.practices.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
    }()

    func run() throws -> (FlagFixture.Result, CohortCondition, [CohortCSV.Reason]) {
        // The fixture puts everyone at practice A81001 (not in the NCL table → neighbourhood "unknown").
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "-p1,1950-01-01,female\np2,1950-01-01,male\np3,2000-01-01,male",
                                    events: "-p1,2015-01-01,hyp_cod\np2,2015-01-01,hyp_cod\np2,2015-01-01,chd_cod")
        let cohort = try CohortCondition("reg_hyp", file: "t", ruleSet: r.flags.ruleSet, externals: r.scores)
        let reasons = [
            CohortCSV.Reason(label: "hypertension register", condition: try CohortCondition("reg_hyp", file: "t", ruleSet: r.flags.ruleSet, externals: r.scores)),
            CohortCSV.Reason(label: "CHD register", condition: try CohortCondition("reg_chd", file: "t", ruleSet: r.flags.ruleSet, externals: r.scores)),
        ]
        return (r, cohort, reasons)
    }

    @Test func fileHasBOMCRLFReasonsAndStatus() throws {
        let (r, cohort, reasons) = try run()
        let members = cohort.members(r.flags, externals: r.scores)
        let csv = CohortCSV(identifier: .nhsNumber, practices: Self.practices, keyValues: ["ltc_count", "bp_date"])
        let files = try csv.render(members: members, flags: r.flags, scores: r.scores, reasons: reasons, previous: ["p2"])
        #expect(Array(files.all.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: files.all.dropFirst(3), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines[0] == "nhs_number,patient_id,practice_code,practice_name,pcn,neighbourhood,age,sex,core20,priority,reasons,details,ltc_count,bp_date,status")
        #expect(lines.count == 3)
        // A patient_id starting with '-' is neutralised so Excel cannot run it as a formula.
        #expect(lines.contains { $0.hasPrefix(",'-p1,A81001,,unknown,unknown,75,female,,") && $0.hasSuffix(",hypertension register,,1,,new") })
        #expect(lines.contains { $0.contains(",p2,") && $0.hasSuffix(",hypertension register; CHD register,,2,,continuing") })
        #expect(files.byNeighbourhood.keys.sorted() == ["unknown"])
    }

    @Test func pseudonymReplacesTheNHSNumberAndKeyNeverAppears() throws {
        let (r, cohort, reasons) = try run()
        let key = Array("secret-key-material".utf8)
        let csv = CohortCSV(identifier: .pseudonym(HMACSHA256(key: key)), practices: Self.practices, keyValues: [])
        let files = try csv.render(members: cohort.members(r.flags, externals: r.scores), flags: r.flags, scores: r.scores,
                                   reasons: reasons, previous: [])
        let text = String(decoding: files.all, as: UTF8.self)
        #expect(text.contains(HMACSHA256(key: key).pseudonym(Array("p2".utf8))))
        #expect(!text.contains("secret-key-material"))
    }

    /// The extract's patient_id identifies a patient as surely as the NHS number, so pseudonym
    /// mode writes neither: not as a column, not as a cell.
    @Test func pseudonymFilesCarryNoPatientID() throws {
        let (r, cohort, reasons) = try run()
        let csv = CohortCSV(identifier: .pseudonym(HMACSHA256(key: Array("secret-key-material".utf8))), practices: Self.practices, keyValues: [])
        let files = try csv.render(members: cohort.members(r.flags, externals: r.scores), flags: r.flags, scores: r.scores,
                                   reasons: reasons, previous: [])
        let rows = String(decoding: files.all.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows[0].hasPrefix("pseudonym,practice_code,"))
        #expect(!rows[0].contains("patient_id"))
        let cells = rows.dropFirst().flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(!cells.contains { $0 == "p2" || $0 == "'-p1" || $0 == "-p1" })
    }

    static func leaver(_ id: String, _ team: String, because: String = CohortLeaver.leftPractice) -> CohortLeaver {
        CohortLeaver(patientID: id, nhsNumber: "999 136 4315", practiceCode: "E83003", neighbourhood: team, leftBecause: because,
                     reasonsBefore: "hypertension register", reasonsNow: "", detailsNow: "")
    }

    @Test func leaversSayWhoWhereAndWhySortedByPatientID() {
        let csv = CohortCSV(identifier: .nhsNumber, practices: Self.practices, keyValues: [])
        let files = csv.leavers([Self.leaver("c", "Barnet 2 PCN", because: CohortLeaver.died), Self.leaver("a", "Barnet 2 PCN")])
        #expect(String(decoding: files.all.dropFirst(3), as: UTF8.self) == """
            nhs_number,patient_id,practice_code,practice_name,pcn,neighbourhood,left_because,reasons_before,reasons_now,details_now,status\r
            999 136 4315,a,E83003,Oakleigh Road Health Centre,Barnet 2 PCN,Barnet 2 PCN,left the practice (no longer in the extract),hypertension register,,,left\r
            999 136 4315,c,E83003,Oakleigh Road Health Centre,Barnet 2 PCN,Barnet 2 PCN,died,hypertension register,,,left\r

            """)
    }

    @Test func leaversAreSplitByTheNeighbourhoodWhoseListTheyWereOn() {
        let csv = CohortCSV(identifier: .nhsNumber, practices: Self.practices, keyValues: [])
        let files = csv.leavers([Self.leaver("a", "North"), Self.leaver("b", "South"), Self.leaver("c", "North")])
        #expect(files.byNeighbourhood.keys.sorted() == ["North", "South"])
        let north = String(decoding: files.byNeighbourhood["North"]!.dropFirst(3), as: UTF8.self)
        #expect(north.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3)
    }

    @Test func pseudonymLeaversArePseudonymsNotPatientIDsOrNHSNumbers() {
        let mac = HMACSHA256(key: Array("secret-key-material".utf8))
        let csv = CohortCSV(identifier: .pseudonym(mac), practices: Self.practices, keyValues: [])
        let text = String(decoding: csv.leavers([Self.leaver("a", "X"), Self.leaver("c", "X")]).all.dropFirst(3), as: UTF8.self)
        let want = [mac.pseudonym(Array("a".utf8)), mac.pseudonym(Array("c".utf8))].sorted()
        let rows = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows[0].hasPrefix("pseudonym,practice_code,"))
        #expect(rows[1].hasPrefix(want[0] + ",") && rows[2].hasPrefix(want[1] + ","))
        #expect(!text.contains("999 136 4315") && !rows.dropFirst().contains { $0.contains(",a,") || $0.contains(",c,") })
    }

    func prepared(_ identifier: CohortCSV.Identifier = .nhsNumber) throws -> CohortCSV.Prepared {
        let (r, _, reasons) = try run()
        return try CohortCSV(identifier: identifier, practices: Self.practices, keyValues: []).prepare(flags: r.flags, scores: r.scores, reasons: reasons)
    }

    @Test func aLeaverNoLongerInTheExtractLeftThePracticeAndKeepsWhatTheHistorySaid() throws {
        let before = CohortMember(patientID: "gone", nhsNumber: "999 136 4315", practiceCode: "E83003", neighbourhood: "Barnet 2 PCN",
                                  reasons: "hypertension register")
        let l = CohortLeaver.explain(before, in: try prepared())
        #expect(l == CohortLeaver(patientID: "gone", nhsNumber: "999 136 4315", practiceCode: "E83003", neighbourhood: "Barnet 2 PCN",
                                  leftBecause: CohortLeaver.leftPractice, reasonsBefore: "hypertension register", reasonsNow: "", detailsNow: ""))
    }

    /// A history from before the member columns knows only the patient_id: where they were
    /// registered comes from the extract while the patient is in it.
    @Test func aLeaverFromAnOlderHistoryGetsThePracticeFromTheExtract() throws {
        let l = CohortLeaver.explain(CohortMember(patientID: "p3"), in: try prepared())
        #expect(l.practiceCode == "A81001" && l.neighbourhood == "unknown")
        #expect(l.leftBecause == CohortLeaver.noLongerMeets && l.reasonsNow == "")
    }

    @Test func aLeaverStillRegisteredSaysWhichReasonsHoldNow() throws {
        // p2 is on the hypertension and CHD registers: a cohort that dropped them still sees both.
        let l = CohortLeaver.explain(CohortMember(patientID: "p2", reasons: "hypertension register"), in: try prepared())
        #expect(l.leftBecause == CohortLeaver.noLongerMeets)
        #expect(l.reasonsBefore == "hypertension register" && l.reasonsNow == "hypertension register; CHD register")
    }

    @Test func detailsSayCodedValuesInWords() throws {
        let (r, cohort, reasons) = try run()
        let labels = CohortLabels(values: [(field: "sex", labels: [(value: "male", text: "a man aged {age}")])],
                                  lists: [CohortLabels.List(prefix: "missing: ", when: "", fields: [(field: "bp_date", label: "blood pressure")])])
        let csv = CohortCSV(identifier: .nhsNumber, practices: Self.practices, keyValues: ["bp_date"], labels: labels)
        let prepared = try csv.prepare(flags: r.flags, scores: r.scores, reasons: reasons)
        let p2 = cohort.members(r.flags, externals: r.scores).first { prepared.patientID($0) == "p2" }!
        #expect(prepared.details(p2) == "missing: blood pressure")
        let withSex = CohortCSV(identifier: .nhsNumber, practices: Self.practices, keyValues: ["sex", "bp_date"], labels: labels)
        #expect(try withSex.prepare(flags: r.flags, scores: r.scores, reasons: reasons).details(p2) == "a man aged 75; missing: blood pressure")
    }

    @Test func filesAreWrittenWithMode0600AndSafeFolderNames() throws {
        let (r, cohort, reasons) = try run()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cohorts-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = CohortCSV(identifier: .nhsNumber, practices: Self.practices, keyValues: [])
        let files = try csv.render(members: cohort.members(r.flags, externals: r.scores), flags: r.flags, scores: r.scores,
                                   reasons: reasons, previous: [])
        try CohortCSV.write(cohort: "hypertension", directory: dir, files: files, leavers: csv.leavers([]))
        for path in ["hypertension.csv", "unknown/hypertension.csv", "hypertension_leavers.csv", "unknown/hypertension_leavers.csv"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/" + path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path)")
        }
        #expect(CohortCSV.safeName("../../etc") == "______etc")
        #expect(CohortCSV.safeName("Barnet 2 PCN") == "Barnet 2 PCN")
        #expect(CohortCSV.safeName("..") == "unknown")
    }
}
