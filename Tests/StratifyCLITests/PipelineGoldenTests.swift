import Foundation
import Testing

/// Cohort and prevalence files of a small fixed extract, byte for byte (issue 5).
@Suite struct PipelineGoldenTests {
    static let extract = Paths.golden.appendingPathComponent("pipeline-extract")
    static let expected = extract.appendingPathComponent("expected")
    static let recording = ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1"
    static let cohorts = ["anticipatory-care", "hypertension-case-finding", "hypertension-uncontrolled", "smi-health-check-due",
                          "copd-proactive", "cancer-screening-core20", "frailty-severe"]

    @Test func cohortAndPrevalenceFilesMatchTheRecording() throws {
        try withTemporaryDirectory("pipeline-golden") { dir in
            let root = dir.appendingPathComponent("root")
            let r = try stratify(["run", Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path,
                                  "--extract", Self.extract.path, "--output-root", root.path, "--as-of", "2026-03-31"],
                                 in: Paths.packageRoot)
            #expect(r.status == 0, "\(r)")
            let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let run = root.appendingPathComponent("runs/\(latest)")
            var files = ["prevalence/prevalence_internal.csv", "prevalence/prevalence_shareable.csv"]
            for c in Self.cohorts { files += ["cohorts/\(c).csv", "cohorts/\(c)_leavers.csv"] }
            var differences: [String] = []
            for f in files {
                let actual = try Data(contentsOf: run.appendingPathComponent(f))
                let want = Self.expected.appendingPathComponent(f.replacingOccurrences(of: "/", with: "__"))
                if Self.recording {
                    try actual.write(to: want)
                } else if (try? Data(contentsOf: want)) != actual {
                    differences.append(f)
                }
            }
            #expect(differences.isEmpty, "differs from the recording: \(differences)")
            #expect(!Self.recording, "RECORD_GOLDEN=1 rewrote \(Self.expected.path); unset it and review the diff")
        }
    }
}
