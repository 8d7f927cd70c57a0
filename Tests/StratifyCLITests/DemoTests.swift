import Foundation
import Testing

@Suite("CLI: demo")
struct DemoTests {
    @Test("demo --patients 2000 writes the extract and a full pipeline run")
    func demo() throws {
        try withTemporaryDirectory("demo") { dir in
            let root = dir.appendingPathComponent("demo")
            let r = try stratify(["demo", "--patients", "2000", "--out", root.path, "--reference", Paths.reference,
                                  "--pipeline", Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path])
            #expect(r.status == 0, "\(r)")
            for t in extractTables {
                #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("extract/\(t).csv").path), "extract/\(t).csv")
            }
            let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let run = root.appendingPathComponent("runs/\(latest)")
            for f in ["patients.csv", "report.html", "prevalence/prevalence_shareable.csv", "cohorts/anticipatory-care.csv",
                      "cohorts/frailty-severe.csv"] {
                #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(f).path), "\(f)")
            }
            let manifest = try readJSON(run.appendingPathComponent("manifest.json"))
            #expect(string(manifest, "status") == "succeeded")
            let synth = try readJSON(root.appendingPathComponent("extract/synth_manifest.json"))
            #expect(int(synth, "patients") == 2000)
            // The demo injects a few defects; ingest must account for each one.
            for t in extractTables {
                #expect(intMap(manifest, "tables", t, "quarantined_by_reason") == intMap(synth, "expected_quarantine", t), "\(t)")
                #expect(int(manifest, "tables", t, "rows_read") == int(synth, "rows", t), "\(t)")
            }
        }
    }

    @Test("demo twice with a later as-of date shows continuing and leaving patients and a trend")
    func demoTwice() throws {
        try withTemporaryDirectory("demo-twice") { dir in
            let root = dir.appendingPathComponent("demo")
            let common = ["demo", "--patients", "2000", "--out", root.path, "--reference", Paths.reference,
                          "--pipeline", Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path]
            // Three months apart, as a quarterly review would be: the first run as of an earlier
            // date on the same extract, the second at the demo's own date.
            #expect(try stratify(common + ["--as-of", "2026-07-31"]).status == 0)
            sleep(1)
            let second = try stratify(common)
            #expect(second.status == 0, "\(second)")
            let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let manifest = try readJSON(root.appendingPathComponent("runs/\(latest)/manifest.json"))
            #expect((int(manifest, "cohorts", "hypertension-uncontrolled", "continuing") ?? 0) > 0)
            #expect((int(manifest, "cohorts", "hypertension-uncontrolled", "new") ?? 0) > 0)
            let cohorts = (manifest["cohorts"] as? [String: Any]).map { Array($0.keys) } ?? []
            #expect(cohorts.count >= 5)
            let leavers = cohorts.map { int(manifest, "cohorts", $0, "leavers") ?? 0 }.reduce(0, +)
            #expect(leavers > 0)
            let report = try String(contentsOf: root.appendingPathComponent("runs/\(latest)/report.html"), encoding: .utf8)
            #expect(report.contains("class=\"series\""), "a second run draws the trend lines")
        }
    }
}
