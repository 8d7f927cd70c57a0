import Foundation
import Testing

/// Bad input data (exit 65, reported before any row is read) and failed runs (exit 1).
@Suite("CLI: ingest failures")
struct IngestFailureTests {
    static let patientsHeader = "patient_id,nhs_number,date_of_birth,sex,date_of_death,practice_code,registration_start_date,lsoa_code,ethnic_category"
    static let eventsHeader = "patient_id,date,snomedct_code,numeric_value"
    /// Row values that must never be echoed back in an error.
    static let patientRow = "Q77,9990000018,1950-06-15,female,,E83003,2001-04-01,E01000001,A"
    static let eventRow = "Q77,2024-10-01,72313002,142"

    /// Writes a small valid extract into `dir/name`, with `patients` as the patients file's text.
    static func writeExtract(in dir: URL, name: String = "extract", patients: String? = nil) throws -> URL {
        let extract = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: extract, withIntermediateDirectories: true)
        try (patients ?? "\(patientsHeader)\n\(patientRow)\n").write(to: extract.appendingPathComponent("patients.csv"), atomically: false, encoding: .utf8)
        try "\(eventsHeader)\n\(eventRow)\n".write(to: extract.appendingPathComponent("clinical_events.csv"), atomically: false, encoding: .utf8)
        return extract
    }

    @Test("the small valid extract used below ingests cleanly (control)")
    func control() throws {
        try withTemporaryDirectory("ingest-ok") { dir in
            let extract = try Self.writeExtract(in: dir)
            let r = try stratify(["ingest", extract.path, "--as-of", "2025-03-31", "--out", "out"], in: dir)
            #expect(r.status == 0, "\(r)")
            let manifest = try readJSON(dir.appendingPathComponent("out/manifest.json"))
            #expect(int(manifest, "tables", "patients", "rows_accepted") == 1)
            #expect(int(manifest, "tables", "clinical_events", "rows_accepted") == 1)
            // medications.csv is optional: its absence is a warning, not an error.
            #expect((value(manifest, "warnings") as? [String])?.contains { $0.contains("medications.csv") } == true)
        }
    }

    @Test("a missing extract folder exits 65")
    func missingFolder() throws {
        try withTemporaryDirectory("ingest-missing") { dir in
            let r = try stratify(["ingest", "no-such-extract", "--as-of", "2025-03-31", "--out", "out"], in: dir)
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("Error: "), "\(r)")
            #expect(r.stderr.contains("no-such-extract"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        }
    }

    @Test("a missing clinical_events.csv exits 65 naming the file")
    func missingRequiredFile() throws {
        try withTemporaryDirectory("ingest-nofile") { dir in
            let extract = try Self.writeExtract(in: dir)
            try FileManager.default.removeItem(at: extract.appendingPathComponent("clinical_events.csv"))
            let r = try stratify(["ingest", extract.path, "--as-of", "2025-03-31", "--out", "out"], in: dir)
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("clinical_events.csv"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        }
    }

    @Test("patients.csv without a required column exits 65 naming file and column, before any row is read")
    func missingRequiredColumn() throws {
        try withTemporaryDirectory("ingest-nocol") { dir in
            let header = Self.patientsHeader.replacingOccurrences(of: ",practice_code", with: "")
            let row = "Q77,9990000018,1950-06-15,female,,2001-04-01,E01000001,A"
            let extract = try Self.writeExtract(in: dir, patients: "\(header)\n\(row)\n")
            let r = try stratify(["ingest", extract.path, "--as-of", "2025-03-31", "--out", "out"], in: dir)
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("patients.csv"), "\(r)")
            #expect(r.stderr.contains("practice_code"), "\(r)")
            // The columns that were found are listed, to help the analyst.
            #expect(r.stderr.contains("date_of_birth"), "\(r)")
            // No row was read: no output folder, no manifest, no quarantine, and no row value echoed.
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
            for v in ["Q77", "9990000018", "1950-06-15", "72313002"] {
                #expect(!r.output.contains(v), "output carries the value \(v)")
            }
        }
    }

    @Test("both patients.csv and patients.csv.gz exits 65 naming both")
    func plainAndGzip() throws {
        try withTemporaryDirectory("ingest-both") { dir in
            let extract = try Self.writeExtract(in: dir)
            // The .gz need not be valid gzip: the ambiguity is reported before either is opened.
            try Data([0x1F, 0x8B]).write(to: extract.appendingPathComponent("patients.csv.gz"))
            let r = try stratify(["ingest", extract.path, "--as-of", "2025-03-31", "--out", "out"], in: dir)
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("patients.csv'"), "\(r)")
            #expect(r.stderr.contains("patients.csv.gz"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
        }
    }

    @Test("a duplicated header column exits 65")
    func duplicateColumn() throws {
        try withTemporaryDirectory("ingest-dupcol") { dir in
            let extract = try Self.writeExtract(in: dir, patients: "\(Self.patientsHeader),sex\n\(Self.patientRow),female\n")
            let r = try stratify(["ingest", extract.path, "--as-of", "2025-03-31", "--out", "out"], in: dir)
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("sex"), "\(r)")
        }
    }

    @Test("an --out folder that cannot be created (under a regular file) exits 1")
    func outputUnderAFile() throws {
        try withTemporaryDirectory("ingest-nowrite") { dir in
            let extract = try Self.writeExtract(in: dir)
            try Data("not a folder".utf8).write(to: dir.appendingPathComponent("plain-file"))
            let r = try stratify(["ingest", extract.path, "--as-of", "2025-03-31", "--out", "plain-file/run"], in: dir)
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.hasPrefix("Error: "), "\(r)")
            #expect(r.stderr.contains("plain-file/run"), "\(r)")
        }
    }

    @Test("synth to an --out folder under a regular file exits 1")
    func synthOutputUnderAFile() throws {
        try withTemporaryDirectory("synth-nowrite") { dir in
            try Data("not a folder".utf8).write(to: dir.appendingPathComponent("plain-file"))
            let r = try stratify(["synth", "--patients", "5", "--out", "plain-file/x", "--reference", Paths.reference], in: dir)
            #expect(r.status == 1, "\(r)")
        }
    }

    /// extract-format.md: a run over the quarantine threshold "leaves the previous good outputs
    /// untouched", its own manifest and quarantine going "to its own unpublished folder". Today
    /// IngestRun writes the failed run's manifest.json and quarantine/ over the previous good run's
    /// in --out. Remove `withKnownIssue` once that is fixed.
    @Test("a run over the threshold leaves the previous good run's outputs in --out untouched")
    func failedRunKeepsPreviousOutputs() throws {
        try withTemporaryDirectory("ingest-republish") { dir in
            let extract = Paths.golden.appendingPathComponent("small-extract").path
            let out = dir.appendingPathComponent("run")
            let good = try stratify(["ingest", extract, "--as-of", "2025-03-31", "--out", out.path, "--max-quarantine", "1"])
            #expect(good.status == 0, "\(good)")
            let before = try Data(contentsOf: out.appendingPathComponent("manifest.json"))
            // The same extract with a 50% threshold: clinical_events (18 of 32 quarantined) is over.
            let bad = try stratify(["ingest", extract, "--as-of", "2025-03-31", "--out", out.path, "--max-quarantine", "0.5"])
            #expect(bad.status == 65, "\(bad)")
            let after = try Data(contentsOf: out.appendingPathComponent("manifest.json"))
            #expect(after == before, "the failed run replaced the good run's manifest.json")
            let failed = out.appendingPathComponent("failed/manifest.json").path
            #expect(FileManager.default.fileExists(atPath: failed), "the failed run's manifest is kept apart")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".staging") }
            #expect(leftovers.isEmpty, "no staging folder is left behind")
        }
    }

    @Test("a killed ingest's staging folder is removed by the next ingest into the same --out")
    func killedStagingFolderIsCleaned() throws {
        try withTemporaryDirectory("ingest-killed-staging") { dir in
            let extract = Paths.golden.appendingPathComponent("small-extract").path
            let out = dir.appendingPathComponent("run")
            // A pid that is not running (pid_max is far below this on Linux).
            let dead = out.appendingPathComponent(".staging-2147483000/quarantine")
            try FileManager.default.createDirectory(at: dead, withIntermediateDirectories: true)
            let r = try stratify(["ingest", extract, "--as-of", "2025-03-31", "--out", out.path, "--max-quarantine", "1"])
            #expect(r.status == 0, "\(r)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".staging") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }
}
