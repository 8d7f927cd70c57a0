import Foundation
import Testing

/// report.html's two variants (issue 13): the shareable one shows no count of people below the
/// pipeline's threshold, the internal one is 0600 and says it holds small numbers. Both run
/// pipelines/demo.json on the 150-patient golden extract, where most practice counts are small.
@Suite struct ReportVariantTests {
    /// Runs the demo pipeline, optionally with `"report": variant`; returns the report's text and mode.
    func report(_ dir: URL, variant: String?, asOf: [String] = ["2026-03-31"]) throws -> (html: String, mode: Int) {
        var file = Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path
        if let variant {
            var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            json["report"] = variant
            json["reference"] = Paths.reference
            json["labels"] = Paths.packageRoot.appendingPathComponent("pipelines/cohort-labels.json").path
            json["rules"] = Paths.packageRoot.appendingPathComponent("reference/rules/stratify-v2.rules").path
            file = dir.appendingPathComponent("p.json").path
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: file))
        }
        let root = dir.appendingPathComponent("root")
        for (k, day) in asOf.enumerated() {
            if k > 0 { sleep(1) }  // run ids have one-second resolution
            let r = try stratify(["run", file, "--extract", PipelineGoldenTests.extract.path, "--output-root", root.path, "--as-of", day],
                                 in: Paths.packageRoot)
            #expect(r.status == 0, "\(r)")
        }
        let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let path = root.appendingPathComponent("runs/\(latest)/report.html").path
        return (try String(contentsOfFile: path, encoding: .utf8), try mode(path))
    }

    /// Every count of people the page shows: the `class="count"` cells and the counts named in
    /// hover texts ("count 12, denominator 1,234", "count 5 of 80").
    func counts(_ html: String) throws -> [String] {
        var out: [String] = []
        for pattern in [#"class="count">([^<]*)<"#, #"(?:count|denominator) ([0-9][0-9,]*|\*)"#, #"count (?:[0-9][0-9,]*|\*) of ([0-9][0-9,]*|\*)"#] {
            let re = try NSRegularExpression(pattern: pattern)
            for m in re.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
                out.append(String(html[Range(m.range(at: 1), in: html)!]))
            }
        }
        return out
    }

    /// Two runs, so the trend chart's counts (this run's and the history's) are checked too.
    @Test func shareableReportShowsNoCountBelowTheThreshold() throws {
        try withTemporaryDirectory("report-shareable") { dir in
            let (html, fileMode) = try report(dir, variant: nil, asOf: ["2026-03-31", "2026-06-30"])
            #expect(html.contains("id=\"trend\""))
            let shown = try counts(html)
            #expect(shown.count > 200, "the checker must see the page's counts: \(shown.count)")
            let bad = shown.filter { s in
                guard s != "*" else { return false }
                guard let v = Int(s.replacingOccurrences(of: ",", with: "")) else { return true }
                return !(v == 0 || (v > 7 && v % 5 == 0))
            }
            #expect(bad.isEmpty, "counts shown exactly or below the threshold: \(Array(Set(bad)).sorted())")
            #expect(shown.contains("*"), "the small counts are there, suppressed")
            #expect(fileMode == 0o644)
            #expect(html.contains("<meta name=\"stratify-report\" content=\"shareable\">"))
        }
    }

    @Test func internalReportIsOwnerOnlyLabelledAndExact() throws {
        try withTemporaryDirectory("report-internal") { dir in
            let (html, fileMode) = try report(dir, variant: "internal")
            #expect(fileMode == 0o600)
            #expect(html.contains("Internal: contains small numbers"))
            let small = try counts(html).compactMap { Int($0) }.filter { (1...7).contains($0) }
            #expect(!small.isEmpty, "exact counts, small ones included (so the shareable check above can fail)")
        }
    }

    /// A rerun for the same as-of date supersedes the earlier one in the trend: no chart of one
    /// date drawn twice.
    @Test func rerunForTheSameDateIsOnePointOfTheTrend() throws {
        try withTemporaryDirectory("report-rerun") { dir in
            let (html, _) = try report(dir, variant: "internal", asOf: ["2026-03-31", "2026-03-31"])
            #expect(!html.contains("id=\"trend\""))
            #expect(html.contains("trends appear from the second"))
        }
    }

    @Test func unknownReportVariantNamesTheJSONPath() throws {
        try withTemporaryDirectory("report-bad") { dir in
            var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: Paths.packageRoot.appendingPathComponent("pipelines/demo.json"))) as? [String: Any])
            json["report"] = "public"
            let file = dir.appendingPathComponent("p.json")
            try JSONSerialization.data(withJSONObject: json).write(to: file)
            let r = try stratify(["run", file.path, "--extract", PipelineGoldenTests.extract.path, "--output-root", dir.appendingPathComponent("root").path],
                                 in: Paths.packageRoot)
            #expect(r.status != 0)
            #expect(r.stderr.contains("$.report: expected \"shareable\" or \"internal\""), "\(r)")
        }
    }

    /// What a QIF reviewer needs is on the page: a funnel per measure with a legend and axis
    /// titles, the outlier table, measure names in words, the gradient with its crude-rate note.
    /// (The internal variant: on 150 patients the shareable one suppresses most practice counts.)
    @Test func reportHoldsTheChartsAndTablesAReviewerNeeds() throws {
        try withTemporaryDirectory("report-structure") { dir in
            let (html, _) = try report(dir, variant: "internal")
            for id in ["funnel-reg_hyp", "funnel-reg_dm", "gradient-reg_hyp", "efi-deficits", "cms-score", "outliers", "funnel-legend",
                       "gradient-table", "quality-table", "input-table", "crude-statement"] {
                #expect(html.contains("id=\"\(id)\""), "missing #\(id)")
            }
            #expect(html.contains("Hypertension register") && html.contains("Prevalence (%)") && html.contains("Denominator ("))
            let svgs = html.components(separatedBy: "<svg").count - 1
            let labelled = html.components(separatedBy: "role=\"img\" aria-label=\"").count - 1
            #expect(labelled > 20 && labelled == html.components(separatedBy: "class=\"chart\"").count - 1, "every chart has an aria-label (\(labelled) of \(svgs) svgs)")
            #expect(!html.contains(">reg_hyp<"), "measure names in words")
        }
    }
}

/// The v2 segment chart and achievement against target (docs/report.md), on the golden extract.
@Suite struct ReportMeasureSectionTests {
    /// The text of the element with this id up to its closing tag name (e.g. the svg or table).
    static func element(_ id: String, _ tag: String, in html: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
        guard let end = html.range(of: "</\(tag)>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    @Test func aV2ReportHasTheSegmentChartWithItsLegendAndTable() throws {
        try withTemporaryDirectory("report-segments") { dir in
            let (html, _) = try ReportVariantTests().report(dir, variant: "internal")
            let svg = try #require(Self.element("segment8-chart", "svg", in: html))
            #expect(svg.contains("class=\"axis-title x-title\"") && svg.contains("class=\"axis-title y-title\""))
            let legend = try #require(Self.element("segment8-legend", "div", in: html))
            #expect(legend.components(separatedBy: "role=\"listitem\"").count - 1 == 8)
            for words in ["1 Child, no long-term condition", "7 Adult, complex needs", "8 End of life (palliative care)"] {
                #expect(legend.contains(words))
            }
            #expect(!legend.contains("8-end-of-life"), "segments in words")
            #expect(html.contains("id=\"segment8-table\""))
        }
    }

    @Test func aV1ReportHasNoSegmentChart() throws {
        try withTemporaryDirectory("report-segments-v1") { dir in
            let r = try stratify(["run", PipelineGoldenTests.extract.appendingPathComponent("demo-v1.json").path,
                                  "--extract", PipelineGoldenTests.extract.path, "--output-root", dir.appendingPathComponent("root").path,
                                  "--as-of", "2026-03-31"], in: Paths.packageRoot)
            #expect(r.status == 0, "\(r)")
            let root = dir.appendingPathComponent("root")
            let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let html = try String(contentsOf: root.appendingPathComponent("runs/\(latest)/report.html"), encoding: .utf8)
            #expect(!html.contains("id=\"segments\""))
            #expect(html.contains("id=\"achievement\""), "v1 measures with a target are still shown")
        }
    }

    /// In the shareable variant a segment count from 1 to 7 is a * in the table and has no bar part.
    @Test func theShareableSegmentChartSuppressesSmallCounts() throws {
        try withTemporaryDirectory("report-segments-shareable") { dir in
            let (html, _) = try ReportVariantTests().report(dir, variant: nil)
            let table = try #require(Self.element("segment8-table", "table", in: html))
            #expect(table.contains("<span class=\"count\">*</span>"))
            let svg = try #require(Self.element("segment8-chart", "svg", in: html))
            #expect(svg.contains("count * (suppressed)"))
            let shown = try ReportVariantTests().counts(svg + table).compactMap { Int($0.replacingOccurrences(of: ",", with: "")) }
            #expect(!shown.isEmpty && shown.allSatisfy { $0 == 0 || ($0 > 7 && $0 % 5 == 0) }, "\(shown)")
        }
    }

    /// Each measure with a target (smi_health_check 60%, htn_to_target 80%) has a row and a trend
    /// chart; after two runs the chart has two points.
    @Test func achievementShowsEachTargetedMeasureAndItsTrend() throws {
        try withTemporaryDirectory("report-achievement") { dir in
            let (html, _) = try ReportVariantTests().report(dir, variant: "internal", asOf: ["2026-03-31", "2026-06-30"])
            let table = try #require(Self.element("achievement-table", "table", in: html))
            #expect(table.contains("smi_health_check") && table.contains("htn_to_target"))
            #expect(table.contains("<td>60%</td>") && table.contains("<td>80%</td>"))
            for name in ["smi_health_check", "htn_to_target"] {
                let svg = try #require(Self.element("achievement-\(name)", "svg", in: html))
                #expect(svg.components(separatedBy: "<circle class=\"pt\"").count - 1 == 2, "two runs, two points: \(name)")
                #expect(svg.contains("class=\"target\"") && svg.contains("31 Mar 2026") && svg.contains("30 Jun 2026"))
            }
            #expect(html.contains("id=\"achievement-legend\""))
        }
    }

    /// Measures without a target have a row each, with the ICB rate at each run in words.
    @Test func measuresWithoutATargetAreListedWithTheirTrend() throws {
        try withTemporaryDirectory("report-measures-untargeted") { dir in
            let (html, _) = try ReportVariantTests().report(dir, variant: "internal", asOf: ["2026-03-31", "2026-06-30"])
            let table = try #require(Self.element("measures-table", "table", in: html))
            #expect(table.contains("bowel_screening") && table.contains("copd_flu"))
            #expect(!table.contains("smi_health_check"), "a measure with a target is in the achievement table")
            let row = try #require(table.components(separatedBy: "<tr>").first { $0.contains("bowel_screening") })
            #expect(row.components(separatedBy: " → ").count == 2, "two runs, two rates: \(row)")
            #expect(html.contains("id=\"achievement-smi_health_check\"") && !html.contains("id=\"achievement-bowel_screening\""),
                    "trend charts for measures with a target only")
        }
    }

    /// prevalence.csv's recorded prevalences are measures too, but have their own section: when
    /// every measure file is for another rule set, the report has no achievement section rather
    /// than an empty one. (A reference copy with both files limited to stratify-v1 and its
    /// manifest rebuilt, run with stratify-v2.)
    @Test(.enabled(if: Paths.hasPython3, "python3 is not on PATH, so the reference manifest cannot be rebuilt"))
    func recordedPrevalencesAloneMakeNoAchievementSection() throws {
        try withTemporaryDirectory("report-no-achievement") { dir in
            let support = MeasureCLITests()
            let reference = try support.referenceCopy(dir)
            for (file, from, to) in [("achievement.json", "{\n", "{\n  \"rule_sets\": [\"stratify-v1\"],\n"),
                                     ("achievement-v2.json", "\"rule_sets\": [\"stratify-v2\"]", "\"rule_sets\": [\"stratify-v1\"]")] {
                let path = reference + "/measures/" + file
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let range = try #require(text.range(of: from), "\(file) starts as expected")
                try text.replacingCharacters(in: range, with: to).write(toFile: path, atomically: true, encoding: .utf8)
            }
            let manifest = Process()
            manifest.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            manifest.arguments = ["python3", reference + "/scripts/build_manifest.py"]
            manifest.standardOutput = Pipe()
            try manifest.run()
            manifest.waitUntilExit()
            try #require(manifest.terminationStatus == 0, "build_manifest.py on the copy")
            let r = try stratify(["run", try support.pipeline(dir, reference: reference, rules: "stratify-v2.rules")])
            #expect(r.status == 0, "\(r)")
            let html = try String(contentsOf: try support.runFolder(dir).appendingPathComponent("report.html"), encoding: .utf8)
            #expect(html.contains("Hypertension register"), "the prevalence sections are there")
            #expect(!html.contains("id=\"achievement\""))
        }
    }

    /// The shareable ICB rate is the rounded numerator over the rounded denominator.
    @Test func shareableAchievementRatesComeFromTheRoundedCounts() throws {
        try withTemporaryDirectory("report-achievement-shareable") { dir in
            let (html, _) = try ReportVariantTests().report(dir, variant: nil)
            let table = try #require(Self.element("achievement-table", "table", in: html))
            let row = try #require(table.components(separatedBy: "<tr>").first { $0.contains("htn_to_target") })
            let counts = try ReportVariantTests().counts(row).compactMap { Int($0.replacingOccurrences(of: ",", with: "")) }
            try #require(counts.count >= 2)
            let (num, den) = (counts[0], counts[1])
            #expect(num % 5 == 0 && den % 5 == 0)
            #expect(row.contains(String(format: "%.1f%%", 100 * Double(num) / Double(den))), "\(row)")
        }
    }
}
