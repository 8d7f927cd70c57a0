import Foundation
import Testing
import CSQLite

/// Monthly intervals and history seeding through `stratify run` (docs/measures.md, "Month by
/// month"; docs/history.md, "Seeding").
@Suite struct MeasureIntervalCLITests {
    let support = MeasureCLITests()

    static let measure = #"{"name": "%@", "label": "women among people aged 65+", "numerator": "sex == 'female' and reg_hyp", "denominator": "age >= 65", "groupings": ["practice"], %@ "source": {"rules": "test"}}"#

    /// A reference copy with the test measure twice: monthly for `months` intervals, and as of
    /// the run's date only.
    func reference(_ dir: URL, months: Int) throws -> String {
        let reference = try support.referenceCopy(dir)
        let monthly = String(format: Self.measure, "htn_women_monthly", #""intervals": {"every": "month", "count": \#(months)},"#)
        let point = String(format: Self.measure, "htn_women_point", "")
        try #"{"measures": [\#(monthly), \#(point)]}"#.write(toFile: reference + "/measures/zz_local.json", atomically: true, encoding: .utf8)
        return reference
    }

    func icbRows(_ run: URL, _ name: String) throws -> [[String: String]] {
        try MeasureCLITests.table(run.appendingPathComponent("measures/measures_internal.csv"))
            .filter { $0["measure"] == name && $0["grouping"] == "icb" }
    }

    @Test func eachIntervalIsTheWholeRuleSetAsOfItsEnd() throws {
        try withTemporaryDirectory("intervals") { dir in
            let reference = try reference(dir, months: 3)
            let r = try stratify(["run", try support.pipeline(dir, reference: reference)])
            #expect(r.status == 0, "\(r)")
            let rows = try icbRows(try support.runFolder(dir), "htn_women_monthly")
            #expect(rows.map { $0["interval_end"]! } == ["2026-03-31", "2026-02-28", "2026-01-31"])
            #expect(rows.map { $0["interval_start"]! } == ["2026-03-01", "2026-02-01", "2026-01-01"])
            // Independently: a separate single-date run as of each interval end gives the same
            // counts for the point-in-time twin of the measure.
            for row in rows {
                try withTemporaryDirectory("intervals-single") { single in
                    let p = try support.pipeline(single, reference: reference)
                    let s = try stratify(["run", p, "--as-of", row["interval_end"]!])
                    #expect(s.status == 0, "\(s)")
                    let point = try #require(try icbRows(try support.runFolder(single), "htn_women_point").first)
                    #expect(point["interval_end"] == row["interval_end"])
                    #expect(point["numerator"] == row["numerator"] && point["denominator"] == row["denominator"],
                            "interval ending \(row["interval_end"]!)")
                }
            }
        }
    }

    @Test func intervalsThatWouldNotFitInMemoryAreDroppedWithAWarning() throws {
        try withTemporaryDirectory("intervals-memory") { dir in
            let reference = try reference(dir, months: 3)
            let r = try stratify(["run", try support.pipeline(dir, reference: reference)],
                                 environment: ["STRATIFY_MEMORY_LIMIT_BYTES": "1000"])
            #expect(r.status == 0, "\(r)")
            #expect(r.stderr.contains("monthly intervals: the 2 earlier interval ends would need about"), "\(r.stderr)")
            let run = try support.runFolder(dir)
            #expect(try icbRows(run, "htn_women_monthly").map { $0["interval_end"]! } == ["2026-03-31"])
            let manifest = try String(contentsOf: run.appendingPathComponent("manifest.json"), encoding: .utf8)
            #expect(manifest.contains("\"monthly_intervals_computed\": 1"))
        }
    }

    @Test func aMeasureWithoutIntervalsIsAsOfTheRunDateOnly() throws {
        try withTemporaryDirectory("intervals-point") { dir in
            let r = try stratify(["run", try support.pipeline(dir, reference: try reference(dir, months: 2))])
            #expect(r.status == 0, "\(r)")
            let rows = try icbRows(try support.runFolder(dir), "htn_women_point")
            #expect(rows.count == 1)
            #expect(rows.first?["interval_start"] == "2026-03-31" && rows.first?["interval_end"] == "2026-03-31")
        }
    }

    @Test func theFirstRunsHistoryHoldsEveryIntervalsRows() throws {
        try withTemporaryDirectory("intervals-history") { dir in
            let r = try stratify(["run", try support.pipeline(dir, reference: try reference(dir, months: 4))])
            #expect(r.status == 0, "\(r)")
            let ends = try sqlite(dir.appendingPathComponent("root/history.sqlite").path,
                                  "SELECT interval_end FROM measures WHERE measure = 'htn_women_monthly' AND grouping = 'icb' ORDER BY interval_end")
            #expect(ends == ["2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31"])
        }
    }

    @Test(arguments: [
        (#""intervals": {"every": "month", "count": 0},"#, "$.measures[0].intervals.count"),
        (#""intervals": {"every": "month", "count": 61},"#, "$.measures[0].intervals.count"),
        (#""intervals": {"every": "week", "count": 3},"#, "$.measures[0].intervals.every"),
        (#""intervals": {"every": "month"},"#, "$.measures[0].intervals.count"),
        (#""intervals": {"every": "month", "count": 3, "step": 2},"#, "$.measures[0].intervals"),
    ])
    func aBadIntervalsSettingIsRefusedWithItsPath(setting: String, path: String) throws {
        try withTemporaryDirectory("intervals-bad") { dir in
            let reference = try support.referenceCopy(dir)
            try #"{"measures": [\#(String(format: Self.measure, "bad", setting))]}"#
                .write(toFile: reference + "/measures/zz_local.json", atomically: true, encoding: .utf8)
            let r = try stratify(["run", try support.pipeline(dir, reference: reference)])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("zz_local.json, \(path)"), "\(r.stderr)")
        }
    }

    @Test func seedMonthsRunsEachMissingMonthEndFirstOldestFirst() throws {
        try withTemporaryDirectory("seed") { dir in
            let p = try support.pipeline(dir, reference: Paths.reference)
            let r = try stratify(["run", p, "--seed-months", "2"])
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains("seeded the history with 2 earlier run(s)"))
            let db = dir.appendingPathComponent("root/history.sqlite").path
            #expect(try sqlite(db, "SELECT as_of FROM runs ORDER BY rowid") == ["2026-01-31", "2026-02-28", "2026-03-31"])
            // latest is the run of the as-of date asked for, not a seed.
            let latest = try String(contentsOfFile: dir.appendingPathComponent("root/latest").path, encoding: .utf8)
            #expect(try sqlite(db, "SELECT as_of FROM runs WHERE run_id = '\(latest.trimmingCharacters(in: .whitespacesAndNewlines))'") == ["2026-03-31"])
            // Seeding again adds only what is missing: one more month back.
            let again = try stratify(["run", p, "--seed-months", "3", "--as-of", "2026-03-31"])
            #expect(again.status == 0, "\(again)")
            #expect(try sqlite(db, "SELECT count(*) FROM runs WHERE as_of = '2025-12-31'") == ["1"])
            #expect(try sqlite(db, "SELECT count(*) FROM runs") == ["5"])
        }
    }

    @Test(arguments: ["-1", "61", "x"])
    func aBadSeedMonthsIsABadInvocation(value: String) throws {
        try withTemporaryDirectory("seed-bad") { dir in
            let r = try stratify(["run", try support.pipeline(dir, reference: Paths.reference), "--seed-months", value])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("--seed-months"))
        }
    }
}

/// Each row's first column as text, read with the system SQLite (read-only).
func sqlite(_ path: String, _ sql: String) throws -> [String] {
    var db: OpaquePointer?
    guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { throw CocoaError(.fileReadUnknown) }
    defer { sqlite3_close(db) }
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw CocoaError(.fileReadCorruptFile) }
    defer { sqlite3_finalize(statement) }
    var out: [String] = []
    while sqlite3_step(statement) == SQLITE_ROW {
        out.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "")
    }
    return out
}
