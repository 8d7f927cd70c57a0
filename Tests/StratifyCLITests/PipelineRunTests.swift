import Foundation
import Testing

/// `stratify run PIPELINE` (part of issue 5): definitions, errors with JSON paths, run folders,
/// cohorts across runs.
@Suite struct PipelineRunTests {
    func pipeline(_ dir: URL, _ body: [String: Any]) throws -> String {
        var p: [String: Any] = [
            "name": "t", "extract": Paths.golden.appendingPathComponent("small-extract").path, "as_of": "2025-03-31",
            "reference": Paths.reference, "output_root": dir.appendingPathComponent("root").path, "identifiers": "nhs_number",
            "cohorts": [["name": "hypertension", "where": "reg_hyp",
                         "reasons": [["label": "on the hypertension register", "where": "reg_hyp"]],
                         "order_by": [["expr": "age", "descending": true]], "key_values": ["bp_sys", "ltc_count"]]],
        ]
        for (k, v) in body { p[k] = v }
        let path = dir.appendingPathComponent("p.json").path
        try JSONSerialization.data(withJSONObject: p, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `order_by` with `"descending": true`: values from highest down, unknown values last
    /// (docs/pipelines.md), so an INT lead meets the known highest first.
    @Test func descendingOrderPutsUnknownValuesLast() throws {
        try withTemporaryDirectory("pipeline-desc") { dir in
            let extract = dir.appendingPathComponent("extract").path
            _ = try stratify(["synth", "--patients", "200", "--seed", "5", "--out", extract, "--reference", Paths.reference])
            let file = try pipeline(dir, ["extract": extract,
                                          "cohorts": [["name": "everyone", "where": "age >= 0",
                                                       "order_by": [["expr": "bp_sys", "descending": true]],
                                                       "key_values": ["bp_sys"]]]])
            let r = try stratify(["run", file, "--as-of", "2026-03-31"])
            #expect(r.status == 0, "\(r)")
            let root = dir.appendingPathComponent("root")
            let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let text = try String(contentsOf: root.appendingPathComponent("runs/\(latest)/cohorts/everyone.csv"), encoding: .utf8)
            let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            // No cell of this synthetic cohort holds a quoted comma, so a plain split finds columns.
            let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let column = try #require(header.firstIndex(of: "bp_sys"))
            let values = lines.dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[column]) }
            let known = values.prefix { !$0.isEmpty }.compactMap(Double.init)
            #expect(known.count >= 2 && known.count < values.count, "needs known and unknown values: \(values)")
            let unknownLast = values.dropFirst(known.count).allSatisfy { $0.isEmpty }
            #expect(unknownLast, "unknown values last: \(values)")
            #expect(known == known.sorted(by: >), "known values from highest down: \(known)")
        }
    }

    @Test func demoPipelineTwiceMarksNewContinuingAndLeavers() throws {
        try withTemporaryDirectory("pipeline-demo") { dir in
            let extract = dir.appendingPathComponent("extract").path
            let synth = try stratify(["synth", "--patients", "3000", "--seed", "5", "--out", extract, "--reference", Paths.reference])
            #expect(synth.status == 0, "\(synth)")
            let file = try pipeline(dir, ["extract": extract])
            let first = try stratify(["run", file, "--as-of", "2026-03-31"])
            #expect(first.status == 0, "\(first)")
            let root = dir.appendingPathComponent("root")
            let latest1 = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let run1 = root.appendingPathComponent("runs/\(latest1)")
            for f in ["manifest.json", "patients.csv", "prevalence/prevalence_shareable.csv", "cohorts/hypertension.csv",
                      "cohorts/hypertension_leavers.csv"] {
                #expect(FileManager.default.fileExists(atPath: run1.appendingPathComponent(f).path), "\(f)")
            }
            let cohort1 = try String(contentsOf: run1.appendingPathComponent("cohorts/hypertension.csv"), encoding: .utf8)
            #expect(cohort1.contains(",new\r\n") && !cohort1.contains(",continuing\r\n"))
            #expect(try mode(run1.appendingPathComponent("cohorts/hypertension.csv").path) == 0o600)
            sleep(1)  // run ids have one-second resolution plus the pid; keep them distinct and ordered
            let second = try stratify(["run", file, "--as-of", "2026-06-30"])
            #expect(second.status == 0, "\(second)")
            let latest2 = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(latest2 != latest1)
            let cohort2 = try String(contentsOf: root.appendingPathComponent("runs/\(latest2)/cohorts/hypertension.csv"), encoding: .utf8)
            #expect(cohort2.contains(",continuing\r\n"))
            let manifest = try readJSON(root.appendingPathComponent("runs/\(latest2)/manifest.json"))
            #expect((int(manifest, "cohorts", "hypertension", "continuing") ?? 0) > 0)

            // report.html: self-contained, aggregates only, with every section and a trend.
            let report = try String(contentsOf: root.appendingPathComponent("runs/\(latest2)/report.html"), encoding: .utf8)
            for heading in ["Input and data quality", "Cohort sizes by neighbourhood", "funnel plots", "Prevalence by IMD quintile",
                            "Frailty and multimorbidity", "Trends across runs (cohort sizes)"] {
                #expect(report.contains(heading), "missing section \(heading)")
            }
            #expect(report.contains("class=\"series\""), "two runs give a trend line")
            #expect(!report.contains("<script") && !report.contains(" src=") && !report.contains(" href="))
            let patients = try String(contentsOf: root.appendingPathComponent("runs/\(latest2)/patients.csv"), encoding: .utf8)
            let ids = patients.split(separator: "\n").dropFirst().prefix(300).map { String($0.split(separator: ",")[0]) }
            #expect(!ids.isEmpty && !ids.contains { report.contains($0) }, "the report must hold no patient identifiers")
        }
    }

    @Test(arguments: [
        ("output_root", nil, "$.output_root: expected a string"),
        ("as_of", "31/03/2025", "$.as_of: expected \"today\" or a date as YYYY-MM-DD"),
        ("identifiers", "names", "$.identifiers: expected \"nhs_number\" or \"pseudonym\""),
        ("colour", "blue", "$.colour: unknown setting"),
    ] as [(String, String?, String)])
    func badDefinitionsNameTheJSONPath(key: String, value: String?, message: String) throws {
        try withTemporaryDirectory("pipeline-bad") { dir in
            let change: [String: Any] = [key: value.map { $0 as Any } ?? NSNull()]
            let r = try stratify(["run", try pipeline(dir, change)])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains(message), "\(r)")
        }
    }

    @Test func badCohortConditionPointsAtTheToken() throws {
        try withTemporaryDirectory("pipeline-cohort") { dir in
            let extract = dir.appendingPathComponent("extract").path
            _ = try stratify(["synth", "--patients", "200", "--seed", "5", "--out", extract, "--reference", Paths.reference])
            let file = try pipeline(dir, ["extract": extract, "cohorts": [["name": "x", "where": "age >= 65 and efi_categry == 'severe'"]]])
            let r = try stratify(["run", file, "--as-of", "2026-03-31"])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("$.cohorts[0].where, line 1, column 15: unknown field 'efi_categry'"), "\(r)")
        }
    }

    @Test func pseudonymsNeedAKey() throws {
        try withTemporaryDirectory("pipeline-key") { dir in
            let r = try stratify(["run", try pipeline(dir, ["identifiers": "pseudonym", "pseudonym_key_env": "STRATIFY_TEST_UNSET_KEY"])])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("$STRATIFY_TEST_UNSET_KEY is unset"), "\(r)")
        }
    }

    /// The shipped definitions parse: pointed at a missing extract, they get as far as reading it
    /// (exit 65, bad input), not a definition error (64).
    @Test(arguments: ["nightly", "demo"])
    func shippedPipelinesParse(name: String) throws {
        try withTemporaryDirectory("pipeline-shipped") { dir in
            let r = try stratify(["run", Paths.packageRoot.appendingPathComponent("pipelines/\(name).json").path,
                                  "--extract", dir.appendingPathComponent("none").path,
                                  "--output-root", dir.appendingPathComponent("root").path],
                                 in: Paths.packageRoot, environment: ["STRATIFY_PSEUDONYM_KEY": "a-test-key-of-some-length-at-least-32-bytes"])
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("does not exist"), "\(r)")
        }
    }
}

@Suite struct PipelineOutputsTests {
    @Test func outputsSettingChoosesWhatIsWritten() throws {
        try withTemporaryDirectory("pipeline-outputs") { dir in
            let extract = dir.appendingPathComponent("extract").path
            _ = try stratify(["synth", "--patients", "300", "--seed", "5", "--out", extract, "--reference", Paths.reference])
            let p: [String: Any] = [
                "name": "t", "extract": extract, "as_of": "2026-03-31", "reference": Paths.reference,
                "output_root": dir.appendingPathComponent("root").path, "outputs": ["prevalence"],
                "cohorts": [["name": "frail", "where": "efi_category == 'severe'"]],
            ]
            let file = dir.appendingPathComponent("p.json")
            try JSONSerialization.data(withJSONObject: p).write(to: file)
            let r = try stratify(["run", file.path])
            #expect(r.status == 0, "\(r)")
            let root = dir.appendingPathComponent("root")
            let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let run = root.appendingPathComponent("runs/\(latest)")
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("prevalence/prevalence_shareable.csv").path))
            for absent in ["patients.csv", "report.html", "cohorts"] {
                #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent(absent).path), "\(absent) should not be written")
            }
        }
    }

    @Test func unknownOutputIsAnError() throws {
        try withTemporaryDirectory("pipeline-outputs-bad") { dir in
            let p: [String: Any] = ["name": "t", "extract": "x", "output_root": "y", "cohorts": [], "outputs": ["pdf"]]
            let file = dir.appendingPathComponent("p.json")
            try JSONSerialization.data(withJSONObject: p).write(to: file)
            let r = try stratify(["run", file.path])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("$.outputs[0]: expected one of patients, cohorts, prevalence, report"), "\(r)")
        }
    }
}
