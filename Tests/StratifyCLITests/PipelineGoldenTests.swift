import Foundation
import Testing

/// `patients.csv`, cohort, prevalence and measures files of a small fixed extract, byte for byte
/// (issue 5; patients.csv and the measures since the fourth session of 2026-12-07). The v1 recording
/// runs a copy of the v1 demo pipeline (Golden/pipeline-extract/demo-v1.json, rule set
/// stratify-v1) so that v1 outputs stay pinned now that pipelines/demo.json uses stratify-v2
/// (issue 15); the v2 recording runs pipelines/demo.json itself.
@Suite struct PipelineGoldenTests {
    static let extract = Paths.golden.appendingPathComponent("pipeline-extract")
    static let recording = ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1"
    static let cohortsV1 = ["anticipatory-care", "hypertension-case-finding", "hypertension-uncontrolled", "smi-health-check-due",
                            "copd-proactive", "cancer-screening-core20", "frailty-severe"]
    static let cohortsV2 = cohortsV1 + ["system-p-complex-lives", "system-p-frailty-dementia", "protect-now", "foundry-red-vulnerable"]

    @Test func v1OutputFilesMatchTheRecording() throws {
        try check(pipeline: Self.extract.appendingPathComponent("demo-v1.json"), expected: "expected", cohorts: Self.cohortsV1)
    }

    @Test func v2OutputFilesMatchTheRecording() throws {
        try check(pipeline: Paths.packageRoot.appendingPathComponent("pipelines/demo.json"), expected: "expected-v2",
                  cohorts: Self.cohortsV2)
    }

    func check(pipeline: URL, expected: String, cohorts: [String]) throws {
        let expectedDir = Self.extract.appendingPathComponent(expected)
        try withTemporaryDirectory("pipeline-golden") { dir in
            let root = dir.appendingPathComponent("root")
            let r = try stratify(["run", pipeline.path,
                                  "--extract", Self.extract.path, "--output-root", root.path, "--as-of", "2026-03-31"],
                                 in: Paths.packageRoot)
            #expect(r.status == 0, "\(r)")
            let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let run = root.appendingPathComponent("runs/\(latest)")
            // patients.csv pins every field of the rule set, the measures files every measure
            // (rates, intervals, funnel limits, gaps, suppression) for all groupings.
            var files = ["patients.csv", "prevalence/prevalence_internal.csv", "prevalence/prevalence_shareable.csv",
                         "measures/measures_internal.csv", "measures/measures_shareable.csv"]
            for c in cohorts { files += ["cohorts/\(c).csv", "cohorts/\(c)_leavers.csv"] }
            var differences: [String] = []
            if Self.recording { try FileManager.default.createDirectory(at: expectedDir, withIntermediateDirectories: true) }
            for f in files {
                let actual = try Data(contentsOf: run.appendingPathComponent(f))
                let want = expectedDir.appendingPathComponent(f.replacingOccurrences(of: "/", with: "__"))
                if Self.recording {
                    try actual.write(to: want)
                } else if (try? Data(contentsOf: want)) != actual {
                    differences.append(f)
                }
            }
            #expect(differences.isEmpty, "differs from the recording \(expected): \(differences)")
            #expect(!Self.recording, "RECORD_GOLDEN=1 rewrote \(expectedDir.path); unset it and review the diff")
        }
    }
}
