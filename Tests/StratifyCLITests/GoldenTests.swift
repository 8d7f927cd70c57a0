import Foundation
import Testing

/// End-to-end ingest of a small hand-written extract (Golden/small-extract, described in its
/// README.md) against recorded outputs in Golden/small-extract/expected/.
///
/// To re-record after an intended change: `RECORD_GOLDEN=1 swift test --filter GoldenTests`, then
/// read the diff of expected/ line by line against the README before committing. Recording always
/// fails the test, so it can never pass silently.
@Suite("CLI: golden ingest")
struct GoldenTests {
    static let extract = Paths.golden.appendingPathComponent("small-extract")
    static let expected = extract.appendingPathComponent("expected")
    static let recording = ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1"

    /// Manifest keys whose values depend on the machine, the run or the checkout location. They
    /// must be present; their values are replaced by this marker. Input checksums stay: the input
    /// files are fixed, so a changed checksum means the fixture was edited.
    static let volatileMarker = "<volatile>"
    static let volatileTopLevel = ["extract_directory", "timings", "stratify_version"]
    static let volatilePerTable = ["file", "seconds"]

    static func normalisedManifest(_ data: Data) throws -> String {
        var json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        for key in volatileTopLevel {
            #expect(json[key] != nil, "manifest lost the key \(key)")
            json[key] = volatileMarker
        }
        if var tables = json["tables"] as? [String: Any] {
            for (name, table) in tables {
                guard var t = table as? [String: Any] else { continue }
                for key in volatilePerTable {
                    #expect(t[key] != nil, "manifest lost tables.\(name).\(key)")
                    t[key] = volatileMarker
                }
                tables[name] = t
            }
            json["tables"] = tables
        }
        let out = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: out, as: UTF8.self) + "\n"
    }

    @Test("the fixture still has the properties it exists to test")
    func fixtureIsIntact() throws {
        let patients = try Data(contentsOf: Self.extract.appendingPathComponent("patients.csv"))
        let events = try Data(contentsOf: Self.extract.appendingPathComponent("clinical_events.csv"))
        let medications = try Data(contentsOf: Self.extract.appendingPathComponent("medications.csv"))
        #expect(patients.starts(with: [0xEF, 0xBB, 0xBF]), "patients.csv lost its byte-order mark")
        #expect(events.range(of: Data("\r\n".utf8)) != nil, "clinical_events.csv lost its CRLF line ends")
        #expect(patients.range(of: Data([0xC3, 0x28])) != nil, "patients.csv lost its invalid UTF-8 row")
        #expect(medications.last != 0x0A, "medications.csv should end without a final newline")
    }

    @Test("ingest of Golden/small-extract matches the recorded quarantine files and manifest")
    func smallExtract() throws {
        try withTemporaryDirectory("golden") { dir in
            let out = dir.appendingPathComponent("run")
            let r = try stratify(["ingest", Self.extract.path, "--as-of", "2025-03-31", "--out", out.path,
                                  "--max-quarantine", "1", "--threads", "2"])
            #expect(r.status == 0, "\(r)")
            guard r.status == 0 else { return }

            var files: [(name: String, actual: Data)] = []
            for t in extractTables {
                files.append(("quarantine/\(t).csv", try Data(contentsOf: out.appendingPathComponent("quarantine/\(t).csv"))))
            }
            let manifest = try Self.normalisedManifest(Data(contentsOf: out.appendingPathComponent("manifest.json")))
            files.append(("manifest.json", Data(manifest.utf8)))

            if Self.recording {
                for f in files {
                    let url = Self.expected.appendingPathComponent(f.name)
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try f.actual.write(to: url)
                }
                Issue.record("RECORD_GOLDEN=1: rewrote \(files.count) files in \(Self.expected.path); check them against README.md, then run again without RECORD_GOLDEN")
                return
            }
            for f in files {
                let url = Self.expected.appendingPathComponent(f.name)
                guard let expected = try? Data(contentsOf: url) else {
                    Issue.record("missing \(url.path): record with RECORD_GOLDEN=1")
                    continue
                }
                if f.name == "manifest.json" {
                    let want = try Self.normalisedManifest(expected)
                    #expect(manifest == want, "manifest.json differs from the recording:\n\(lineDiff(want, manifest))")
                } else {
                    #expect(f.actual == expected,
                            "\(f.name) differs from the recording:\n\(lineDiff(String(decoding: expected, as: UTF8.self), String(decoding: f.actual, as: UTF8.self)))")
                }
            }
        }
    }

    /// The counts the contract gives for this fixture, stated independently of the recording (see
    /// README.md), so a wrong recording cannot pass.
    @Test("the fixture's counts are what the contract says")
    func contractCounts() throws {
        try withTemporaryDirectory("golden-counts") { dir in
            let out = dir.appendingPathComponent("run")
            let r = try stratify(["ingest", Self.extract.path, "--as-of", "2025-03-31", "--out", out.path, "--max-quarantine", "1"])
            #expect(r.status == 0, "\(r)")
            let m = try readJSON(out.appendingPathComponent("manifest.json"))
            func reasons(_ pairs: [String: Int]) -> [String: Int] {
                var all = Dictionary(uniqueKeysWithValues: ["field_count", "invalid_utf8", "missing_required", "invalid_value",
                                                           "invalid_nhs_number", "invalid_snomed_check_digit",
                                                           "duplicate_patient_id", "unknown_patient_id"].map { ($0, 0) })
                for (k, v) in pairs { all[k] = v }
                return all
            }
            let expected: [String: (read: Int, accepted: Int, reasons: [String: Int])] = [
                "patients": (15, 9, reasons(["field_count": 1, "invalid_utf8": 1, "missing_required": 1, "invalid_value": 1,
                                             "invalid_nhs_number": 1, "duplicate_patient_id": 1])),
                "clinical_events": (33, 14, reasons(["field_count": 6, "invalid_utf8": 1, "missing_required": 2, "invalid_value": 6,
                                                     "invalid_snomed_check_digit": 2, "unknown_patient_id": 2])),
                "medications": (12, 6, reasons(["field_count": 1, "missing_required": 1, "invalid_value": 2, "unknown_patient_id": 2])),
            ]
            for (t, e) in expected {
                #expect(int(m, "tables", t, "rows_read") == e.read, "\(t) rows_read")
                #expect(int(m, "tables", t, "rows_accepted") == e.accepted, "\(t) rows_accepted")
                #expect(int(m, "tables", t, "rows_quarantined") == e.read - e.accepted, "\(t) rows_quarantined")
                #expect(intMap(m, "tables", t, "quarantined_by_reason") == e.reasons, "\(t) quarantined_by_reason")
            }
            #expect(value(m, "tables", "patients", "unknown_columns") as? [String] == ["legacy_notes"])
            #expect(value(m, "tables", "clinical_events", "unknown_columns") as? [String] == ["source_system"])
            #expect(value(m, "tables", "medications", "unknown_columns") as? [String] == [])
            #expect(intMap(m, "data_quality") == [
                "events_after_as_of": 2, "events_before_birth": 1,
                "medications_after_as_of": 1, "medications_before_birth": 1,
                "patients_died_on_or_before_as_of": 1, "patients_registered_after_as_of": 1,
                "patients_born_after_as_of": 1,
            ])
            // Every physical line is one record: line 18 opens a quote it does not close, and
            // line 19 is a row of its own.
            let events = try String(decoding: Data(contentsOf: out.appendingPathComponent("quarantine/clinical_events.csv")), as: UTF8.self)
            let lines = events.split(separator: "\n").compactMap { l -> Int? in l.split(separator: ",").first.flatMap { Int($0) } }
            #expect(lines == [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33])
        }
    }
}

/// The first differing lines of two texts, for failure messages.
func lineDiff(_ expected: String, _ actual: String, limit: Int = 8) -> String {
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = []
    for i in 0..<max(e.count, a.count) where out.count < limit * 2 {
        let x = i < e.count ? String(e[i]) : "<none>", y = i < a.count ? String(a[i]) : "<none>"
        if x != y { out.append("line \(i + 1) expected: \(x)"); out.append("line \(i + 1) actual:   \(y)") }
    }
    return out.joined(separator: "\n")
}
