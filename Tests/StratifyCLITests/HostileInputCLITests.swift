import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The revised input contract end to end (issue 12): broken or hostile extracts give the right
/// exit code and message, and no patient value reaches stderr, the JSON log, `doctor` or a
/// manifest.
@Suite struct HostileInputCLITests {
    /// A copy of the fixture's extract, changed by `mutate`.
    static func variant(_ f: RunFixture, _ name: String, _ mutate: (URL) throws -> Void) throws -> URL {
        let v = f.dir.appendingPathComponent("variant-" + name)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: f.extract), to: v)
        try mutate(v)
        return v
    }

    static func lines(_ url: URL) throws -> [String] {
        try String(decoding: Data(contentsOf: url), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func write(_ lines: [String], _ url: URL) throws {
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
    }

    /// Every manifest under `folder`, as text.
    static func manifests(under folder: URL) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix("manifest.json") }
            .compactMap { try? String(contentsOfFile: folder.path + "/" + $0, encoding: .utf8) }
    }

    @Test func theBadInputCorpusLeaksNoPatientValueAndGivesTheContractsExitCodes() throws {
        try withTemporaryDirectory("hostile-corpus") { dir in
            let f = try RunFixture(dir, patients: 300)
            let events = { (v: URL) in v.appendingPathComponent("clinical_events.csv") }
            let patients = { (v: URL) in v.appendingPathComponent("patients.csv") }
            // (name, expected exit of `run` and `ingest` or nil, mutation)
            let corpus: [(String, Int32?, (URL) throws -> Void)] = [
                ("no-header", 65, { v in try Self.write(Array(try Self.lines(patients(v)).dropFirst()), patients(v)) }),
                // One line: a header with data cells, or over the line limit, by the file's size.
                ("cr-only-events", nil, { v in
                    try Data(try Data(contentsOf: events(v)).map { $0 == 0x0A ? 0x0D : $0 }).write(to: events(v))
                }),
                ("cr-only-patients", 65, { v in
                    try Data(try Data(contentsOf: patients(v)).map { $0 == 0x0A ? 0x0D : $0 }).write(to: patients(v))
                }),
                ("tab-separated", 65, { v in
                    try Data(try Data(contentsOf: patients(v)).map { $0 == 0x2C ? 0x09 : $0 }).write(to: patients(v))
                }),
                ("fifo-medications", 65, { v in
                    try FileManager.default.removeItem(at: v.appendingPathComponent("medications.csv"))
                    #expect(mkfifo(v.appendingPathComponent("medications.csv").path, 0o600) == 0)
                }),
                ("dev-zero-events", 65, { v in
                    try FileManager.default.removeItem(at: events(v))
                    #expect(symlink("/dev/zero", events(v).path) == 0)
                }),
                ("header-only-events", 0, { v in try Self.write([try Self.lines(events(v))[0], ""], events(v)) }),
                ("overlong-line", 0, { v in
                    var l = try Self.lines(events(v))
                    l[5] = l[5] + "," + String(repeating: "9", count: 2 << 20)
                    try Self.write(l, events(v))
                }),
            ]
            var texts: [String] = []
            for (k, (name, code, mutate)) in corpus.enumerated() {
                let v = try Self.variant(f, name, mutate)
                let log = dir.appendingPathComponent("\(name).jsonl").path
                let run = try f.run(["--log-json", log, "--extract", v.path])
                if let code { #expect(run.status == code, "\(name) run: \(run)") }
                let out = dir.appendingPathComponent("ingest-\(k)")
                let ingest = try stratify(["ingest", v.path, "--as-of", "2026-03-31", "--out", out.path])
                if let code { #expect(ingest.status == code, "\(name) ingest: \(ingest)") }
                let doctor = try stratify(["doctor", "--pipeline", f.file, "--extract", v.path])
                // Doctor reads headers, not rows: it sees every problem found before the first row.
                let beforeRows = ["no-header", "tab-separated", "fifo-medications", "dev-zero-events"]
                if beforeRows.contains(name) { #expect(doctor.status != 0, "\(name) doctor: \(doctor)") }
                texts += [run.output, ingest.output, doctor.output, (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""]
                texts += Self.manifests(under: out) + Self.manifests(under: f.root)
            }
            let all = texts.joined(separator: "\n")
            #expect(all.contains("no header line"), "the corpus was run")
            #expect(all.contains("tab-separated"))
            #expect(all.contains("a FIFO"))
            #expect(all.contains("a device"))
            #expect(all.contains("clinical_events.csv has a header and no rows"))
            let leaked = patientValuesIn(all, extract: URL(fileURLWithPath: f.extract), allowed: ["2026-03-31"])
            #expect(leaked.isEmpty, "patient values in logs, messages or manifests: \(leaked.prefix(5))")
        }
    }

    @Test func strayQuotesCostOneRowEachAndEveryLineIsCounted() throws {
        try withTemporaryDirectory("hostile-quotes") { dir in
            let f = try RunFixture(dir, patients: 300)
            let v = try Self.variant(f, "quotes") { v in
                let url = v.appendingPathComponent("clinical_events.csv")
                var l = try Self.lines(url)
                // A quote after the first comma of data line 11, and before the first comma of line 501.
                l[11] = l[11].replacingOccurrences(of: ",", with: ",\"", options: [], range: l[11].range(of: ","))
                l[501] = l[501].replacingOccurrences(of: ",", with: "\",", options: [], range: l[501].range(of: ","))
                try Self.write(l, url)
            }
            let physical = try Self.lines(v.appendingPathComponent("clinical_events.csv")).dropFirst().filter { !$0.isEmpty }.count
            let r = try stratify(["ingest", v.path, "--as-of", "2026-03-31", "--out", dir.appendingPathComponent("out").path])
            #expect(r.status == 0, "\(r)")
            let m = try readJSON(dir.appendingPathComponent("out/manifest.json"))
            #expect(int(m, "tables", "clinical_events", "rows_read") == physical)
            #expect(int(m, "tables", "clinical_events", "rows_quarantined") == 2)
            #expect(intMap(m, "tables", "clinical_events", "quarantined_by_reason")?["field_count"] == 2)
        }
    }

    @Test func theThresholdMessageNamesTableShareReasonAndColumn() throws {
        try withTemporaryDirectory("hostile-threshold") { dir in
            let extract = try IngestFailureTests.writeExtract(in: dir)
            try "\(IngestFailureTests.eventsHeader)\nQ77,2024-13-01,72313002,142\n"
                .write(to: extract.appendingPathComponent("clinical_events.csv"), atomically: false, encoding: .utf8)
            let r = try stratify(["ingest", extract.path, "--as-of", "2025-03-31", "--out", "out"], in: dir)
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("Error: clinical_events: 100% of rows quarantined (1 of 1), mostly invalid_value in date: expected a real date as YYYY-MM-DD (more than the 1% allowed)"), "\(r)")
        }
    }

    @Test func warningsReachStderrTheJSONLogAndTheManifest() throws {
        try withTemporaryDirectory("hostile-warnings") { dir in
            let f = try RunFixture(dir)
            let v = try Self.variant(f, "no-meds") { v in try FileManager.default.removeItem(at: v.appendingPathComponent("medications.csv")) }
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log, "--extract", v.path])
            #expect(r.status == 0, "\(r)")
            #expect(r.stderr.contains("warning: medications.csv is absent"), "\(r)")
            let events = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            #expect(events.contains { $0.contains("\"warning\"") && $0.contains("medications.csv is absent") }, "\(events)")
            let ingest = try stratify(["ingest", v.path, "--as-of", "2026-03-31", "--out", dir.appendingPathComponent("out").path])
            #expect(ingest.stderr.contains("warning: medications.csv is absent"), "\(ingest)")
        }
    }

    @Test func requireMedicationsMakesAMissingTableExit65() throws {
        try withTemporaryDirectory("hostile-require-meds") { dir in
            let f = try RunFixture(dir, settings: ["require_medications": true])
            let v = try Self.variant(f, "no-meds") { v in try FileManager.default.removeItem(at: v.appendingPathComponent("medications.csv")) }
            let r = try f.run(["--extract", v.path])
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("medications.csv is absent"), "\(r)")
            #expect(try f.runs().filter { !$0.hasPrefix(".") }.isEmpty, "nothing published")
        }
    }

    @Test func failOnEmptyTableMakesAHeaderOnlyTableExit65() throws {
        try withTemporaryDirectory("hostile-empty-fatal") { dir in
            let f = try RunFixture(dir, settings: ["fail_on_empty_table": true])
            let v = try Self.variant(f, "empty") { v in
                let url = v.appendingPathComponent("medications.csv")
                try Self.write([try Self.lines(url)[0], ""], url)
            }
            let r = try f.run(["--extract", v.path])
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("medications.csv has a header and no rows"), "\(r)")
            // Without the setting it is a warning and the run succeeds.
            let plainDir = dir.appendingPathComponent("plain")
            try FileManager.default.createDirectory(at: plainDir, withIntermediateDirectories: true)
            let plain = try RunFixture(plainDir)
            let ok = try plain.run(["--extract", v.path])
            #expect(ok.status == 0, "\(ok)")
            #expect(ok.stderr.contains("warning: medications.csv has a header and no rows"), "\(ok)")
        }
    }
}
