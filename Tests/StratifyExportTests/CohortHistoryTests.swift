import Foundation
import StratifyCore
import StratifyExport
import Testing

/// What the run history keeps of cohort members for the next run's leavers, the per-neighbourhood
/// summary, the in-place upgrade of an older history, and the queries docs/history.md documents.
@Suite(.enabled(if: WorkbookFixture.which("sqlite3") != nil, "the sqlite3 shell is not on PATH"))
struct CohortHistoryTests {
    func temp() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString).sqlite").path
    }

    func sqlite(_ path: String, _ sql: String) throws -> (status: Int32, out: String, err: String) {
        let r = try WorkbookFixture.run(WorkbookFixture.which("sqlite3")!, ["-csv", path, sql])
        return (r.status, String(decoding: r.stdout, as: UTF8.self), r.stderr)
    }

    static let member = CohortMember(patientID: "a", nhsNumber: "999 136 4315", practiceCode: "E83003",
                                     neighbourhood: "Barnet 2 PCN", reasons: "severe frailty (eFI)")

    /// The first schema, as histories written before issue 13 have it.
    static let oldSchema = """
        CREATE TABLE runs (run_id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, as_of TEXT NOT NULL, manifest TEXT NOT NULL);
        CREATE TABLE prevalence (run_id TEXT NOT NULL REFERENCES runs(run_id), measure TEXT NOT NULL, grouping TEXT NOT NULL,
            grp TEXT NOT NULL, numerator INTEGER NOT NULL, denominator INTEGER NOT NULL);
        CREATE TABLE cohort_members (run_id TEXT NOT NULL REFERENCES runs(run_id), cohort TEXT NOT NULL, patient_id TEXT NOT NULL,
            PRIMARY KEY (run_id, cohort, patient_id)) WITHOUT ROWID;
        INSERT INTO runs VALUES ('r1', 't', '2025-03-31', '{}');
        INSERT INTO cohort_members VALUES ('r1', 'frail', 'a');
        """

    @Test func anOlderHistoryIsUpgradedInPlaceAndKeepsItsMembers() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try sqlite(path, Self.oldSchema).status == 0)
        let h = try RunHistory(path: path)
        #expect(try h.memberDetails(run: "r1", cohort: "frail") == [CohortMember(patientID: "a")])
        try h.record(runID: "r2", pipeline: "t", asOf: Day(iso: "2025-06-30")!, manifest: "{}", prevalence: nil,
                     cohorts: [("frail", ["a"])], members: ["frail": [Self.member]])
        #expect(try h.memberDetails(run: "r2", cohort: "frail") == [Self.member])
        #expect(try h.members(run: "r1", cohort: "frail") == ["a"])
    }

    @Test func pseudonymModeKeepsNoNHSNumber() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try RunHistory(path: path)
        var m = Self.member
        m.nhsNumber = ""
        try h.record(runID: "r1", pipeline: "t", asOf: Day(iso: "2025-03-31")!, manifest: "{}", prevalence: nil,
                     cohorts: [("frail", ["a"])], members: ["frail": [m]])
        #expect(try sqlite(path, "SELECT count(*) FROM cohort_members WHERE nhs_number IS NULL").out == "1\n")
    }

    @Test func summaryCountsMembersNewContinuingAndLeaversPerNeighbourhood() {
        let rows = CohortSummary.rows(cohort: "c", members: [("North", true), ("North", false), ("South", false)],
                                      leavers: ["North", "West"])
        #expect(rows == [
            CohortSummary(cohort: "c", neighbourhood: "North", members: 2, new: 1, continuing: 1, leavers: 1),
            CohortSummary(cohort: "c", neighbourhood: "South", members: 1, new: 1, continuing: 0, leavers: 0),
            CohortSummary(cohort: "c", neighbourhood: "West", members: 0, new: 0, continuing: 0, leavers: 1),
        ])
    }

    /// Every SELECT line of docs/history.md's tested block runs, and the first gives the latest
    /// run's summary.
    @Test func documentedQueriesRunAsWritten() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try RunHistory(path: path)
        try h.record(runID: "r1", pipeline: "nightly", asOf: Day(iso: "2025-03-31")!, manifest: #"{"run_id":"r1"}"#, prevalence: nil,
                     cohorts: [("frailty-severe", ["a", "b"])],
                     summary: [CohortSummary(cohort: "frailty-severe", neighbourhood: "North", members: 2, new: 2, continuing: 0, leavers: 0)])
        try h.record(runID: "r2", pipeline: "nightly", asOf: Day(iso: "2025-04-30")!, manifest: #"{"run_id":"r2"}"#, prevalence: nil,
                     cohorts: [("frailty-severe", ["b"])],
                     summary: [CohortSummary(cohort: "frailty-severe", neighbourhood: "North", members: 1, new: 0, continuing: 1, leavers: 1)])
        let doc = try String(contentsOfFile: WorkbookFixture.repositoryRoot + "/docs/history.md", encoding: .utf8)
        let block = try #require(doc.components(separatedBy: "<!-- tested queries").dropFirst().first)
        let sql = block.components(separatedBy: "```").dropFirst().first ?? ""
        let queries = sql.components(separatedBy: "\n").filter { $0.hasPrefix("SELECT") }
        #expect(queries.count == 4)
        var outputs: [String] = []
        for q in queries {
            let r = try sqlite(path, q)
            #expect(r.status == 0 && r.err.isEmpty, "\(q): \(r.err)")
            outputs.append(r.out)
        }
        #expect(outputs.first == "frailty-severe,North,1,0,1,1\n")
        #expect(outputs.last == "r1,nightly,2025-03-31,r1\nr2,nightly,2025-04-30,r2\n")
    }
}
