import Foundation
import Testing

/// Measures through `stratify run`, `doctor` and `rules check` (docs/measures.md).
@Suite struct MeasureCLITests {
    static let extract = Paths.golden.appendingPathComponent("pipeline-extract").path

    /// A copy of reference/ that a test may add files to.
    func referenceCopy(_ dir: URL) throws -> String {
        let copy = dir.appendingPathComponent("reference")
        try FileManager.default.copyItem(atPath: Paths.reference, toPath: copy.path)
        return copy.path
    }

    func pipeline(_ dir: URL, reference: String, secondary: Bool = false, rules: String? = nil) throws -> String {
        var p: [String: Any] = [
            "name": "t", "extract": Self.extract, "as_of": "2026-03-31", "reference": reference,
            "output_root": dir.appendingPathComponent("root").path, "cohorts": [] as [Any],
            "suppression": ["threshold": 7, "multiple": 5, "secondary": secondary],
        ]
        if let rules { p["rules"] = reference + "/rules/" + rules }
        let path = dir.appendingPathComponent("p.json").path
        try JSONSerialization.data(withJSONObject: p, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    func runFolder(_ dir: URL) throws -> URL {
        let root = dir.appendingPathComponent("root")
        let latest = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return root.appendingPathComponent("runs/\(latest)")
    }

    /// RFC 4180 rows as dictionaries by header (practice names may hold commas).
    static func table(_ url: URL) throws -> [[String: String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = text.makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else {
                            quoted = false
                            if next == "," { row.append(field); field = "" } else if next == "\n" { row.append(field); rows.append(row); row = []; field = "" }
                        }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(field); field = "" }
            else if c == "\n" { row.append(field); rows.append(row); row = []; field = "" }
            else { field.append(c) }
        }
        return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0)) }
    }

    @Test func aNewMeasureFileAppearsInTheOutputWithoutARebuild() throws {
        try withTemporaryDirectory("measures-new") { dir in
            let reference = try referenceCopy(dir)
            try #"{"measures": [{"name": "women_65_plus", "label": "women among people aged 65+", "numerator": "sex == 'female'", "denominator": "age >= 65", "source": {"rules": "test"}}]}"#
                .write(toFile: reference + "/measures/zz_local.json", atomically: true, encoding: .utf8)
            let r = try stratify(["run", try pipeline(dir, reference: reference)])
            #expect(r.status == 0, "\(r)")
            let run = try runFolder(dir)
            let icb = try #require(try Self.table(run.appendingPathComponent("measures/measures_internal.csv"))
                .first { $0["measure"] == "women_65_plus" && $0["grouping"] == "icb" })
            // Independently: the same count from patients.csv (one row per population member).
            let patients = try Self.table(run.appendingPathComponent("patients.csv"))
            let older = patients.filter { Int($0["age"]!)! >= 65 }
            #expect(icb["denominator"] == String(older.count))
            #expect(icb["numerator"] == String(older.filter { $0["sex"] == "female" }.count))
        }
    }

    @Test func prevalenceCountsAgreeWithTheMeasuresFile() throws {
        try withTemporaryDirectory("measures-prevalence") { dir in
            let r = try stratify(["run", try pipeline(dir, reference: Paths.reference)])
            #expect(r.status == 0, "\(r)")
            let run = try runFolder(dir)
            let prevalence = try Self.table(run.appendingPathComponent("prevalence/prevalence_internal.csv"))
            let measures = try Self.table(run.appendingPathComponent("measures/measures_internal.csv"))
            var compared = 0
            for p in prevalence where !(p["practice"] ?? "").isEmpty {
                let m = try #require(measures.first { $0["measure"] == p["measure"] && $0["grouping"] == "practice" && $0["practice"] == p["practice"] })
                #expect(m["numerator"] == p["numerator"] && m["denominator"] == p["denominator"], "\(p["measure"]!) \(p["practice"]!)")
                compared += 1
            }
            #expect(compared > 22)
        }
    }

    @Test func filesHaveTheirModesAndTheManifestSection() throws {
        try withTemporaryDirectory("measures-files") { dir in
            let r = try stratify(["run", try pipeline(dir, reference: Paths.reference, secondary: true)])
            #expect(r.status == 0, "\(r)")
            let run = try runFolder(dir)
            #expect(try mode(run.appendingPathComponent("measures/measures_internal.csv").path) == 0o600)
            #expect(try mode(run.appendingPathComponent("measures/measures_shareable.csv").path) != 0o600)
            let manifest = try readJSON(run.appendingPathComponent("manifest.json"))
            #expect(value(manifest, "measures", "secondary_suppression") as? Bool == true)
            #expect(int(manifest, "measures", "measures") == 22 + 18)
        }
    }

    @Test func shareableFilePassesDisclosureControl() throws {
        try withTemporaryDirectory("measures-disclosure") { dir in
            let r = try stratify(["run", try pipeline(dir, reference: Paths.reference, secondary: true)])
            #expect(r.status == 0, "\(r)")
            let rows = try Self.table(try runFolder(dir).appendingPathComponent("measures/measures_shareable.csv"))
            for row in rows {
                for column in ["numerator", "denominator"] {
                    guard let v = Int(row[column]!) else { #expect(row["suppressed"] == "true"); continue }
                    #expect(v == 0 || (v > 7 && v % 5 == 0), "\(row["measure"]!) \(column) \(v)")
                }
                #expect(row["dsr_per_100000"] == "")
            }
        }
    }

    @Test func withSecondarySuppressionNoGroupingHidesARecoverableSum() throws {
        try withTemporaryDirectory("measures-secondary") { dir in
            let r = try stratify(["run", try pipeline(dir, reference: Paths.reference, secondary: true)])
            #expect(r.status == 0, "\(r)")
            let run = try runFolder(dir)
            let exact = try Self.table(run.appendingPathComponent("measures/measures_internal.csv"))
            let shared = try Self.table(run.appendingPathComponent("measures/measures_shareable.csv"))
            #expect(exact.count == shared.count)
            // Per measure and single-dimension grouping, the exact counts of the rows the shareable
            // file hides must not be recoverable as a small number from the published ICB total.
            var hidden: [String: (num: Int, den: Int)] = [:], totalShown: [String: Bool] = [:]
            for (e, s) in zip(exact, shared) {
                if s["grouping"] == "icb" { totalShown[e["measure"]!] = s["suppressed"] == "false"; continue }
                guard !e["grouping"]!.contains("+"), s["suppressed"] == "true" else { continue }
                let key = e["measure"]! + "/" + e["grouping"]!
                let h = hidden[key] ?? (0, 0)
                hidden[key] = (h.num + Int(e["numerator"]!)!, h.den + Int(e["denominator"]!)!)
            }
            #expect(!hidden.isEmpty, "the small extract has suppressed rows")
            for (key, h) in hidden where totalShown[String(key.split(separator: "/")[0])] == true {
                #expect(h.num == 0 || h.num > 7, "\(key) numerator \(h.num)")
                #expect(h.den == 0 || h.den > 7, "\(key) denominator \(h.den)")
            }
        }
    }

    @Test func doctorNamesABadMeasureFileAndItsPath() throws {
        try withTemporaryDirectory("measures-doctor") { dir in
            let reference = try referenceCopy(dir)
            try #"{"measures": [{"name": "bad", "label": "l", "numerator": "reg_hyp and", "denominator": "true", "source": {"rules": "t"}}]}"#
                .write(toFile: reference + "/measures/bad.json", atomically: true, encoding: .utf8)
            let r = try stratify(["doctor", "--pipeline", try pipeline(dir, reference: reference), "--extract", Self.extract,
                                  "--output-root", dir.appendingPathComponent("root").path])
            #expect(r.status != 0)
            #expect(r.stderr.contains("measures: ") && r.stderr.contains("bad.json, $.measures[0].numerator"), "\(r)")
        }
    }

    @Test func doctorWarnsAboutAMeasureFileTheManifestDoesNotList() throws {
        try withTemporaryDirectory("measures-unlisted") { dir in
            let reference = try referenceCopy(dir)
            try #"{"measures": [{"name": "local", "label": "l", "numerator": "reg_hyp", "denominator": "true", "source": {"rules": "t"}}]}"#
                .write(toFile: reference + "/measures/local.json", atomically: true, encoding: .utf8)
            let r = try stratify(["doctor", "--pipeline", try pipeline(dir, reference: reference), "--extract", Self.extract,
                                  "--output-root", dir.appendingPathComponent("root").path])
            #expect(r.status == 0, "\(r)")
            #expect(r.stderr.contains("local.json' is not listed in"), "\(r)")
            #expect(r.stdout.contains("measures: 41 measures (2 files"), "\(r)")
        }
    }

    @Test func rulesCheckValidatesTheMeasureFiles() throws {
        try withTemporaryDirectory("measures-rules-check") { dir in
            let reference = try referenceCopy(dir)
            try #"{"measures": [{"name": "bad", "label": "l", "numerator": "true", "denominator": "true", "source": {"rules": "t"}, "grouping": ["practice"]}]}"#
                .write(toFile: reference + "/measures/bad.json", atomically: true, encoding: .utf8)
            let r = try stratify(["rules", "check", reference + "/rules/stratify-v1.rules", "--reference", reference])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("bad.json, $.measures[0].grouping: unknown field"), "\(r)")
        }
    }

    static let v2Measures = ["af_anticoag", "cvd_llt", "dm_hba1c_58", "flu_65", "pneumo_65", "shingles_70_79", "covid", "frailty_mod_sev",
                             "care_home", "housebound"]

    @Test func aV1RunSkipsTheV2FileAndListsItInTheManifest() throws {
        try withTemporaryDirectory("measures-v1-skips") { dir in
            let r = try stratify(["run", try pipeline(dir, reference: Paths.reference, rules: "stratify-v1.rules")])
            #expect(r.status == 0, "\(r)")
            let run = try runFolder(dir)
            let names = Set(try Self.table(run.appendingPathComponent("measures/measures_internal.csv")).map { $0["measure"]! })
            #expect(names.isDisjoint(with: Self.v2Measures))
            let manifest = try readJSON(run.appendingPathComponent("manifest.json"))
            let skipped = value(manifest, "measures", "skipped_files") as? [[String: Any]] ?? []
            #expect(skipped.count == 1 && (skipped.first?["file"] as? String)?.hasSuffix("/measures/achievement-v2.json") == true, "\(skipped)")
            #expect(skipped.first?["rule_sets"] as? [String] == ["stratify-v2"])
        }
    }

    /// The fixture's as-of date (2026-03-31) has no COVID campaign open: covid has no row.
    @Test func aV2RunWritesTheV2Measures() throws {
        try withTemporaryDirectory("measures-v2-writes") { dir in
            let r = try stratify(["run", try pipeline(dir, reference: Paths.reference, rules: "stratify-v2.rules")])
            #expect(r.status == 0, "\(r)")
            let run = try runFolder(dir)
            let rows = try Self.table(run.appendingPathComponent("measures/measures_internal.csv"))
            let names = Set(rows.map { $0["measure"]! })
            #expect(Set(Self.v2Measures).subtracting(["covid"]).isSubset(of: names), "\(names)")
            #expect(names.contains("smi_health_check"), "the v1 file applies to every rule set")
            let manifest = try readJSON(run.appendingPathComponent("manifest.json"))
            #expect((value(manifest, "measures", "skipped_files") as? [Any])?.isEmpty == true)
            #expect(int(manifest, "measures", "measures") == 22 + 18 + 10)
        }
    }

    @Test func rulesCheckSaysWhichFilesARuleSetSkips() throws {
        let v1 = try stratify(["rules", "check", Paths.reference + "/rules/stratify-v1.rules", "--reference", Paths.reference])
        #expect(v1.status == 0, "\(v1)")
        #expect(v1.stdout.contains("40 measures check against 'stratify-v1'; skipped achievement-v2.json (for stratify-v2)"), "\(v1)")
        let v2 = try stratify(["rules", "check", Paths.reference + "/rules/stratify-v2.rules", "--reference", Paths.reference])
        #expect(v2.status == 0, "\(v2)")
        #expect(v2.stdout.contains("50 measures check against 'stratify-v2'\n"), "\(v2)")
    }

    @Test func rulesCheckAndDoctorRefuseAnUnknownRuleSetName() throws {
        try withTemporaryDirectory("measures-unknown-rule-set") { dir in
            let reference = try referenceCopy(dir)
            try #"{"rule_sets": ["stratify-v9"], "measures": [{"name": "local", "label": "l", "numerator": "true", "denominator": "true", "source": {"rules": "t"}}]}"#
                .write(toFile: reference + "/measures/local.json", atomically: true, encoding: .utf8)
            let check = try stratify(["rules", "check", reference + "/rules/stratify-v1.rules", "--reference", reference])
            #expect(check.status == 64, "\(check)")
            #expect(check.stderr.contains("local.json, $.rule_sets[0]: unknown rule set 'stratify-v9'"), "\(check)")
            let doctor = try stratify(["doctor", "--pipeline", try pipeline(dir, reference: reference), "--extract", Self.extract,
                                       "--output-root", dir.appendingPathComponent("root").path])
            #expect(doctor.status != 0)
            #expect(doctor.stderr.contains("local.json, $.rule_sets[0]: unknown rule set 'stratify-v9'"), "\(doctor)")
        }
    }

    @Test func doctorChecksAV2FileAgainstAV2Pipeline() throws {
        try withTemporaryDirectory("measures-doctor-v2") { dir in
            let reference = try referenceCopy(dir)
            try #"{"rule_sets": ["stratify-v2"], "measures": [{"name": "bad", "label": "l", "numerator": "no_such_field", "denominator": "true", "source": {"rules": "t"}}]}"#
                .write(toFile: reference + "/measures/bad.json", atomically: true, encoding: .utf8)
            let args = { (p: String) in ["doctor", "--pipeline", p, "--extract", Self.extract, "--output-root", dir.appendingPathComponent("root").path] }
            let v1 = try stratify(args(try pipeline(dir, reference: reference, rules: "stratify-v1.rules")))
            #expect(!v1.stderr.contains("bad.json, $.measures[0].numerator"), "a v1 pipeline skips the file: \(v1)")
            let v2 = try stratify(args(try pipeline(dir, reference: reference, rules: "stratify-v2.rules")))
            #expect(v2.status != 0)
            #expect(v2.stderr.contains("bad.json, $.measures[0].numerator"), "\(v2)")
        }
    }
}
