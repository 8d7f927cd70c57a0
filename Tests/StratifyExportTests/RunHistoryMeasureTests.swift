import Foundation
import StratifyCore
import StratifyExport
import Testing

/// Measure rows in the run history (docs/measures.md, "Trends").
@Suite struct RunHistoryMeasureTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/measures.md")

    static let definitions = try! MeasureSet.parse(Array("""
        {"measures": [{"name": "smi_health_check", "label": "t", "numerator": "true", "denominator": "true",
          "groupings": ["practice", ["practice", "imd_quintile"]], "source": {"rules": "t"}}]}
        """.utf8), path: "t.json")

    /// One as-of date's rows: the ICB, practices E83003 and E83005, and E83003 × quintile 1.
    static func result(_ asOf: String, _ numerator: Int, _ denominator: Int) -> MeasureResult {
        let day = Day(iso: asOf)!
        return MeasureResult(intervalStart: day, intervalEnd: day, definitions: definitions, rows: [
            .init(measure: 0, grouping: 0, groups: ["ICB"], numerator: numerator + 50, denominator: denominator + 100),
            .init(measure: 0, grouping: 1, groups: ["E83003"], numerator: numerator, denominator: denominator),
            .init(measure: 0, grouping: 1, groups: ["E83005"], numerator: 50, denominator: 100),
            .init(measure: 0, grouping: 2, groups: ["E83003", "1"], numerator: 1, denominator: 2),
        ], deciles: [], quintiles: [], practices: [:])
    }

    static func temp() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString).sqlite").path
    }

    /// The SQL block after `<!-- trend-query -->` in docs/measures.md, verbatim.
    static func documentedQuery() throws -> String {
        let text = try String(contentsOf: docs, encoding: .utf8)
        let after = try #require(text.range(of: "<!-- trend-query -->\n```sql\n"))
        let end = try #require(text.range(of: "\n```", range: after.upperBound..<text.endIndex))
        return String(text[after.upperBound..<end.lowerBound])
    }

    @Test func theDocumentedTrendQueryGivesOneRowPerDate() throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try RunHistory(path: path)
        // Three runs: January, February, and February again (a re-run, which replaces it).
        for (run, asOf, num, den) in [("20260131-010000-1", "2026-01-31", 10, 20), ("20260228-010000-1", "2026-02-28", 11, 20),
                                      ("20260228-020000-1", "2026-02-28", 12, 20)] {
            try h.record(runID: run, pipeline: "t", asOf: Day(iso: asOf)!, manifest: "{}", prevalence: nil, cohorts: [],
                         measures: [Self.result(asOf, num, den)])
        }
        let rows = try h.select(try Self.documentedQuery())
        #expect(rows == [["2026-01-31", "10", "20", "0.5"], ["2026-02-28", "12", "20", "0.6"]])
    }

    @Test func groupColumnsOutsideTheGroupingAreNull() throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try RunHistory(path: path)
        try h.record(runID: "r1", pipeline: "t", asOf: Day(iso: "2026-01-31")!, manifest: "{}", prevalence: nil, cohorts: [],
                     measures: [Self.result("2026-01-31", 10, 20)])
        let rows = try h.select("SELECT grouping, practice, imd_quintile, pcn FROM measures WHERE grouping = 'practice+imd_quintile'")
        #expect(rows == [["practice+imd_quintile", "E83003", "1", nil]])
    }

    @Test func aHistoryFromBeforeMeasuresOpensAndGainsTheTable() throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            // A version-0 history: today's schema without the measures table, with one run.
            let old = try RunHistory(path: path)
            _ = try old.select("DROP TABLE measures")
            _ = try old.select("PRAGMA user_version = 0")
            try old.record(runID: "old", pipeline: "t", asOf: Day(iso: "2025-12-31")!, manifest: "{}", prevalence: nil, cohorts: [("c", ["a"])])
        }
        let h = try RunHistory(path: path)
        #expect(try h.schemaVersion() == 2)
        #expect(try h.members(run: "old", cohort: "c") == ["a"])
        try h.record(runID: "new", pipeline: "t", asOf: Day(iso: "2026-01-31")!, manifest: "{}", prevalence: nil, cohorts: [],
                     measures: [Self.result("2026-01-31", 10, 20)])
        #expect(try h.select("SELECT count(*) FROM measures") == [["4"]])
    }

    @Test func aFailedRecordLeavesNoMeasureRows() throws {
        let path = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let h = try RunHistory(path: path)
        try h.record(runID: "r1", pipeline: "t", asOf: Day(iso: "2026-01-31")!, manifest: "{}", prevalence: nil, cohorts: [])
        // The same run id again fails on the runs table; its measure rows roll back with it.
        #expect(throws: StratifyError.self) {
            try h.record(runID: "r1", pipeline: "t", asOf: Day(iso: "2026-01-31")!, manifest: "{}", prevalence: nil, cohorts: [],
                         measures: [Self.result("2026-01-31", 10, 20)])
        }
        #expect(try h.select("SELECT count(*) FROM measures") == [["0"]])
    }
}
