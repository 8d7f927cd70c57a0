import Foundation
import StratifyCore
import StratifyExport
import Testing

/// The SQLite run history: recording, previous members, sizes, and a clear error when corrupt.
@Suite struct RunHistoryTests {
    func temp() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString).sqlite").path
    }

    @Test func recordsRunsAndReturnsTheLatestMembers() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try RunHistory(path: path)
        #expect(try h.latestRun() == nil)
        try h.record(runID: "r1", pipeline: "t", asOf: Day(iso: "2025-03-31")!, manifest: "{}", prevalence: nil,
                     cohorts: [("frail", ["a", "b"])])
        try h.record(runID: "r2", pipeline: "t", asOf: Day(iso: "2025-06-30")!, manifest: "{}", prevalence: nil,
                     cohorts: [("frail", ["b", "c", "d"])])
        #expect(try h.latestRun() == "r2")
        #expect(try h.members(run: "r1", cohort: "frail") == ["a", "b"])
        let sizes = try h.cohortSizes()
        #expect(sizes.map(\.runID) == ["r1", "r2"])
        #expect(sizes.map { $0.cohorts["frail"] ?? 0 } == [2, 3])
    }

    @Test func thePreviousRunIsTheGreatestEarlierAsOfNeverALaterOne() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try RunHistory(path: path)
        for (id, day) in [("a", "2027-06-01"), ("b", "2026-01-31"), ("c", "2026-06-30"), ("d", "2026-06-30")] {
            try h.record(runID: id, pipeline: "t", asOf: Day(iso: day)!, manifest: "{}", prevalence: nil, cohorts: [])
        }
        #expect(try h.previousRun(before: Day(iso: "2026-11-24")!) == "d", "the later of two runs of that date, by insertion")
        #expect(try h.previousRun(before: Day(iso: "2026-06-30")!) == "b", "a run of the same date is not previous")
        #expect(try h.previousRun(before: Day(iso: "2026-01-31")!) == nil)
        #expect(try h.latestAsOf() == Day(iso: "2027-06-01"))
        #expect(try h.latestRun() == "a")
    }

    @Test func aHistoryWithNoRunsBesidePublishedRunsIsRefusedUnlessNewIsAllowed() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try RunHistory(path: path)
        #expect(throws: StratifyError.self) { try RunHistory(path: path, publishedRunsExist: true) }
        #expect(try RunHistory(path: path, publishedRunsExist: true, allowNew: true).runCount() == 0)
    }

    @Test func aFailedRecordLeavesTheHistoryAsItWas() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try RunHistory(path: path)
        try h.record(runID: "r1", pipeline: "t", asOf: Day(iso: "2025-03-31")!, manifest: "{}", prevalence: nil, cohorts: [("c", ["a"])])
        // The same run id again violates the primary key: the whole transaction rolls back.
        #expect(throws: StratifyError.self) {
            try h.record(runID: "r1", pipeline: "t", asOf: Day(iso: "2025-04-30")!, manifest: "{}", prevalence: nil, cohorts: [("c", ["z"])])
        }
        #expect(try h.members(run: "r1", cohort: "c") == ["a"])
        #expect(try h.cohortSizes().count == 1)
    }

    @Test func corruptFileGivesAClearError() throws {
        let path = temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        do {
            _ = try RunHistory(path: path)
            Issue.record("a corrupt history opened")
        } catch {
            #expect(error.message.contains("unreadable") || error.message.contains("cannot open"))
            #expect(error.help?.contains("restore history.sqlite from a backup") == true || error.message.contains("cannot open"))
        }
    }
}
