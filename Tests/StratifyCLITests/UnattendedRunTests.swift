import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A small pipeline on a 200-patient synthetic extract, for the unattended-operation tests
/// (issue 6): a lock, recovery after a kill, refusals, logs.
struct RunFixture {
    let dir: URL
    let file: String
    let root: URL
    let extract: String

    init(_ dir: URL, patients: Int = 200, settings: [String: Any] = [:], synthFlags: [String] = []) throws {
        self.dir = dir
        extract = dir.appendingPathComponent("extract").path
        let s = try stratify(["synth", "--patients", String(patients), "--seed", "5", "--out", extract, "--reference", Paths.reference] + synthFlags)
        guard s.status == 0 else { throw CLIError(description: "synth failed: \(s)") }
        root = dir.appendingPathComponent("root")
        var p: [String: Any] = ["name": "t", "extract": extract, "as_of": "2026-03-31", "reference": Paths.reference,
                                "output_root": root.path, "cohorts": [["name": "frail", "where": "efi_category == 'severe'"]]]
        for (k, v) in settings { p[k] = v }
        let url = dir.appendingPathComponent("p.json")
        try JSONSerialization.data(withJSONObject: p).write(to: url)
        file = url.path
        try FileManager.default.createDirectory(at: root.appendingPathComponent("runs"), withIntermediateDirectories: true)
    }

    func run(_ extra: [String] = [], environment: [String: String] = [:]) throws -> CLIResult {
        try stratify(["run", file] + extra, environment: environment)
    }

    var latest: String? {
        (try? String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func runs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("runs").path).sorted()
    }

    /// Every file under the output root but the lock, with its bytes, for before/after checks.
    func snapshot() throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = root.path
        guard let e = FileManager.default.enumerator(atPath: base) else { return out }
        for case let rel as String in e where rel != ".lock" {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try Data(contentsOf: URL(fileURLWithPath: base + "/" + rel))
            }
        }
        return out
    }
}

/// One run per output root; a dead run's lock and leftovers are handled.
@Suite struct RunLockTests {
    @Test func aLiveLockStopsASecondRun() throws {
        try withTemporaryDirectory("lock-live") { dir in
            let f = try RunFixture(dir); let (file, root) = (f.file, f.root)
            // This test process holds the flock, as a running `stratify run` would.
            let fd = open(root.appendingPathComponent(".lock").path, O_RDWR | O_CREAT, 0o600)
            defer { close(fd) }
            #expect(flock(fd, LOCK_EX) == 0)
            let r = try stratify(["run", file])
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("holds the lock"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("latest").path))
        }
    }

    @Test func aStaleLockIsTakenOverAndLeftoversAreCleaned() throws {
        try withTemporaryDirectory("lock-stale") { dir in
            let f = try RunFixture(dir); let (file, root) = (f.file, f.root)
            // A pid left in the file with nobody holding the flock: its writer died.
            try "2147483000\n".write(to: root.appendingPathComponent(".lock"), atomically: true, encoding: .utf8)
            let partial = root.appendingPathComponent("runs/.partial-20200101-000000-1/quarantine")
            try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
            let r = try stratify(["run", file])
            #expect(r.status == 0, "\(r)")
            #expect(r.stderr.contains("took over a stale lock left by process 2147483000"), "\(r)")
            #expect(r.stderr.contains("removed 1 unpublished run folder"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("runs/.partial-20200101-000000-1").path))
            let lock = try String(contentsOf: root.appendingPathComponent(".lock"), encoding: .utf8)
            #expect(lock.isEmpty, "a clean release empties the lock file")
        }
    }
}


/// Publishing: what a killed run leaves is completed or removed by the next run, and the
/// published runs are never changed (issue 6, atomic publishing).
@Suite struct PublishingTests {
    @Test func aRunRecordedButNotRenamedIsFinishedByTheNextRun() throws {
        try withTemporaryDirectory("publish-roll-forward") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let id = try #require(f.latest)
            // As if killed after the history commit, before the rename and `latest`.
            try FileManager.default.moveItem(at: f.root.appendingPathComponent("runs/\(id)"),
                                             to: f.root.appendingPathComponent("runs/.partial-\(id)"))
            try FileManager.default.removeItem(at: f.root.appendingPathComponent("latest"))
            sleep(1)
            let r = try f.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stderr.contains("finished publishing run \(id)"), "\(r)")
            #expect(FileManager.default.fileExists(atPath: f.root.appendingPathComponent("runs/\(id)/manifest.json").path))
            #expect(try f.runs().filter { $0.hasPrefix(".partial-") }.isEmpty)
        }
    }

    @Test func latestIsRepairedWhenAKillLeftItBehindTheHistory() throws {
        try withTemporaryDirectory("publish-latest") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let id = try #require(f.latest)
            try "19990101-000000-1\n".write(to: f.root.appendingPathComponent("latest"), atomically: true, encoding: .utf8)
            sleep(1)
            let r = try f.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stderr.contains("pointed latest at run \(id)"), "\(r)")
        }
    }

    @Test func aFailedRunLeavesPublishedRunsAndHistoryUntouched() throws {
        try withTemporaryDirectory("publish-failed") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let before = try f.snapshot()
            // Every patient row of the next extract is quarantined (no header change, bad dates).
            let patients = f.extract + "/patients.csv"
            let lines = try String(contentsOfFile: patients, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let broken = [String(lines[0])] + lines.dropFirst().filter { !$0.isEmpty }.map { line -> String in
                var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                cells[1] = "not-a-date"
                return cells.joined(separator: ",")
            }
            try (broken.joined(separator: "\n") + "\n").write(toFile: patients, atomically: true, encoding: .utf8)
            sleep(1)
            let r = try f.run()
            #expect(r.status == 65, "\(r)")
            #expect(r.stderr.contains("/failed/"), "the error says where the failed run's files are: \(r)")
            var after = try f.snapshot()
            for key in after.keys where key.hasPrefix("failed/") { after.removeValue(forKey: key) }
            #expect(after == before, "published runs, latest and the history are byte-for-byte unchanged")
            let failed = try FileManager.default.contentsOfDirectory(atPath: f.root.appendingPathComponent("failed").path)
            #expect(failed.count == 1)
            #expect(FileManager.default.fileExists(atPath: f.root.appendingPathComponent("failed/\(failed[0])/manifest.json").path))
        }
    }

    @Test func aCorruptHistoryStopsTheRunBeforeAnyOutputAndIsLeftAsFound() throws {
        try withTemporaryDirectory("publish-corrupt-history") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let history = f.root.appendingPathComponent("history.sqlite")
            try Data(repeating: 0x5A, count: 8192).write(to: history)
            let before = try f.snapshot()
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("run history"), "\(r)")
            #expect(r.stderr.contains("help:"), "the error says the fix: \(r)")
            #expect(try f.snapshot() == before)
        }
    }

    @Test func publishedFilesAreFlushedFoldersAreNotWorldReadableAndHistoryIs0600() throws {
        try withTemporaryDirectory("publish-modes") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let id = try #require(f.latest)
            #expect(try mode(f.root.appendingPathComponent("history.sqlite").path) == 0o600)
            #expect(try mode(f.root.appendingPathComponent("runs/\(id)").path) == 0o700)
            // Every file of the run is patient-level (0600) but the aggregate-only ones.
            let shareable: Set<String> = ["manifest.json", "report.html", "prevalence/prevalence_shareable.csv", "measures/measures_shareable.csv"]
            let run = f.root.appendingPathComponent("runs/\(id)").path
            let files = try #require(FileManager.default.subpaths(atPath: run)).filter { rel in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: run + "/" + rel, isDirectory: &isDir) && !isDir.boolValue
            }
            #expect(files.contains("patients.csv") && files.contains("cohorts/frail.csv") && files.count > 6, "\(files)")
            for file in files where !shareable.contains(file) {
                #expect(try mode(run + "/" + file) == 0o600, "\(file)")
            }        }
    }
}

/// Refusals that protect a run nobody watches (issue 6, privacy and security).
@Suite struct RunSafetyTests {
    @Test func aWorldWritableOutputRootIsRefused() throws {
        try withTemporaryDirectory("safety-output") { dir in
            let f = try RunFixture(dir)
            #expect(chmod(f.root.path, 0o777) == 0)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("writable by other users") && r.stderr.contains("chmod go-w"), "\(r)")
            #expect(f.latest == nil)
        }
    }

    @Test func aWorldWritableReferenceFolderIsRefused() throws {
        try withTemporaryDirectory("safety-reference") { dir in
            let reference = try copyReference(to: dir)
            let f = try RunFixture(dir, settings: ["reference": reference.path])
            #expect(chmod(reference.path, 0o777) == 0)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("reference folder") && r.stderr.contains("writable by other users"), "\(r)")
        }
    }

    @Test func anAlteredReferenceFileFailsItsChecksum() throws {
        try withTemporaryDirectory("safety-checksum") { dir in
            let reference = try copyReference(to: dir)
            let f = try RunFixture(dir, settings: ["reference": reference.path])
            let list = reference.appendingPathComponent("codelists/hyp_cod.csv")
            var text = try String(contentsOf: list, encoding: .utf8)
            text += "\n"
            try text.write(to: list, atomically: true, encoding: .utf8)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("hyp_cod.csv' is changed"), "\(r)")
            #expect(r.stderr.contains("git checkout -- reference"), "\(r)")
            #expect(f.latest == nil)
        }
    }

    @Test func aMissingReferenceFileIsNamed() throws {
        try withTemporaryDirectory("safety-missing") { dir in
            let reference = try copyReference(to: dir)
            let f = try RunFixture(dir, settings: ["reference": reference.path])
            try FileManager.default.removeItem(at: reference.appendingPathComponent("scores/cms-weights.csv"))
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("cms-weights.csv' is missing"), "\(r)")
        }
    }

    @Test(arguments: ["../escape", "a/b", "..", ".hidden", "x y"])
    func cohortNamesCannotLeaveTheRunFolder(name: String) throws {
        try withTemporaryDirectory("safety-paths") { dir in
            let f = try RunFixture(dir, settings: ["cohorts": [["name": name, "where": "reg_hyp"]]])
            let r = try f.run()
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("$.cohorts[0].name"), "\(r)")
            let outside = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            #expect(outside == ["extract", "p.json", "root"], "nothing written beside the output root")
        }
    }

    @Test func pseudonymsFromAKeyFileNeverShowTheKey() throws {
        try withTemporaryDirectory("safety-keyfile") { dir in
            let key = "k3y-" + UUID().uuidString
            let keyFile = dir.appendingPathComponent("pseudonym.key")
            try (key + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
            #expect(chmod(keyFile.path, 0o600) == 0)
            let f = try RunFixture(dir, settings: ["identifiers": "pseudonym", "pseudonym_key_file": keyFile.path])
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log])
            #expect(r.status == 0, "\(r)")
            let id = try #require(f.latest)
            let cohort = try String(contentsOf: f.root.appendingPathComponent("runs/\(id)/cohorts/frail.csv"), encoding: .utf8)
            #expect(cohort.contains("pseudonym"), "the cohort file carries pseudonyms")
            var texts = [r.output, try String(contentsOfFile: log, encoding: .utf8)]
            for (_, data) in try f.snapshot() { texts.append(String(decoding: data, as: UTF8.self)) }
            #expect(!texts.contains { $0.contains(key) }, "the key appears in no output, log or message")
        }
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        try withTemporaryDirectory("safety-keymode") { dir in
            let keyFile = dir.appendingPathComponent("pseudonym.key")
            try "0123456789abcdef0123".write(to: keyFile, atomically: true, encoding: .utf8)
            #expect(chmod(keyFile.path, 0o644) == 0)
            let f = try RunFixture(dir, settings: ["identifiers": "pseudonym", "pseudonym_key_file": keyFile.path])
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("can be read by other users") && r.stderr.contains("chmod 600"), "\(r)")
            #expect(!r.output.contains("0123456789abcdef0123"))
        }
    }
}

/// `--log-json`: one JSON object per line, stages with counts and seconds, the outcome.
@Suite struct JSONLogTests {
    func events(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func aSucceededRunLogsEveryStageWithCountsAndSeconds() throws {
        try withTemporaryDirectory("log-ok") { dir in
            let f = try RunFixture(dir)
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log, "--quiet"])
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.isEmpty, "--quiet prints nothing but errors")
            let e = try events(log)
            #expect(e.first?["event"] as? String == "run_started")
            #expect(e.last?["event"] as? String == "run_finished" && e.last?["status"] as? String == "succeeded")
            let stages = e.filter { $0["event"] as? String == "stage_finished" }.compactMap { $0["stage"] as? String }
            #expect(stages == ["prepare", "ingest", "ingest", "ingest", "flags", "scores", "outputs", "publish"])
            let events = e.first { $0["table"] as? String == "clinical_events" }
            #expect((events?["rows_read"] as? Int ?? 0) > 0 && events?["seconds"] is Double)
            #expect(e.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
        }
    }

    @Test func aFailedRunLogsItsExitCodeAndHelp() throws {
        try withTemporaryDirectory("log-fail") { dir in
            let f = try RunFixture(dir)
            try FileManager.default.removeItem(atPath: f.extract + "/patients.csv")
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log])
            #expect(r.status == 65, "\(r)")
            let last = try #require(try events(log).last)
            #expect(last["event"] as? String == "run_finished" && last["status"] as? String == "failed")
            #expect(last["exit_code"] as? Int == 65 && last["level"] as? String == "error")
            #expect((last["message"] as? String)?.contains("patients.csv") == true)
        }
    }
}

/// A private copy of reference/ to break on purpose.
func copyReference(to dir: URL) throws -> URL {
    let target = dir.appendingPathComponent("reference")
    try FileManager.default.copyItem(atPath: Paths.reference, toPath: target.path)
    #expect(chmod(target.path, 0o755) == 0)
    return target
}

/// Every log line and message of pipeline runs on an extract with defects, succeeded and failed,
/// and of `doctor`, is free of patient values (issue 6, privacy).
@Suite struct RunPrivacyTests {
    @Test func logsAndErrorsOfRunsWithDefectsHoldNoPatientValues() throws {
        try withTemporaryDirectory("privacy-run") { dir in
            let f = try RunFixture(dir, patients: 3000, synthFlags: ["--defects", "0.004"])
            let log = dir.appendingPathComponent("run.jsonl").path
            var texts: [String] = []
            let ok = try f.run(["--log-json", log])
            #expect(ok.status == 0, "\(ok)")
            texts.append(ok.output)
            // A rerun that fails on bad input: over the quarantine threshold.
            let bad = dir.appendingPathComponent("bad")
            let synth = try stratify(["synth", "--patients", "3000", "--seed", "5", "--defects", "0.05", "--out", bad.path,
                                      "--reference", Paths.reference])
            #expect(synth.status == 0)
            sleep(1)
            let failed = try f.run(["--log-json", log, "--extract", bad.path])
            #expect(failed.status == 65, "\(failed)")
            texts.append(failed.output)
            let doctor = try stratify(["doctor", "--pipeline", f.file])
            texts.append(doctor.output)
            texts.append(try String(contentsOfFile: log, encoding: .utf8))
            let all = texts.joined(separator: "\n")
            #expect(all.contains("rows_quarantined"), "the log was read")
            for extract in [URL(fileURLWithPath: f.extract), bad] {
                let leaked = patientValuesIn(all, extract: extract, allowed: ["2026-03-31"])
                #expect(leaked.isEmpty, "patient values in logs or messages: \(leaked.prefix(5))")
            }
        }
    }
}

/// `stratify doctor`: reports problems with fixes, exit 1 when a run would fail.
@Suite struct DoctorTests {
    @Test func aHealthySetupHasNoProblems() throws {
        try withTemporaryDirectory("doctor-ok") { dir in
            let f = try RunFixture(dir)
            let r = try stratify(["doctor", "--pipeline", f.file])
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains("files match the SHA-256"), "\(r)")
            #expect(r.stdout.contains("MB free"), "\(r)")
            #expect(r.stdout.contains("headers valid"), "\(r)")
            #expect(r.stdout.contains("no problems found"), "\(r)")
        }
    }

    @Test func problemsAreListedEachWithAFix() throws {
        try withTemporaryDirectory("doctor-problems") { dir in
            let reference = try copyReference(to: dir)
            let f = try RunFixture(dir, settings: ["reference": reference.path])
            #expect(try f.run().status == 0)
            try "changed\n".write(to: reference.appendingPathComponent("codelists/copd_cod.csv"), atomically: true, encoding: .utf8)
            #expect(chmod(f.root.path, 0o777) == 0)
            try Data(repeating: 0x41, count: 4096).write(to: f.root.appendingPathComponent("history.sqlite"))
            let r = try stratify(["doctor", "--pipeline", f.file])
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("copd_cod.csv' is changed"), "\(r)")
            #expect(r.stderr.contains("writable by other users") && r.stderr.contains("chmod go-w"), "\(r)")
            #expect(r.stderr.contains("run history"), "\(r)")
            #expect(r.stderr.contains("3 problem(s) would stop a run"), "\(r)")
            let problems = r.stderr.split(separator: "\n").filter { $0.hasPrefix("problem") }.count
            let fixes = r.stderr.split(separator: "\n").filter { $0.contains("fix:") }.count
            #expect(problems == 3 && fixes >= problems, "\(r)")
        }
    }

    @Test func aBrokenPipelineFileIsAProblem() throws {
        try withTemporaryDirectory("doctor-pipeline") { dir in
            let file = dir.appendingPathComponent("p.json")
            try "{\"name\": \"x\"".write(to: file, atomically: true, encoding: .utf8)
            let r = try stratify(["doctor", "--pipeline", file.path])
            #expect(r.status == 64, "a bad definition exits as `run` exits for it: \(r)")
            #expect(r.stderr.contains("not valid JSON"), "\(r)")
        }
    }
}

/// Every event names its run, and ingest is logged when it ends (issue 13).
@Suite struct JSONLogRunIDTests {
    func events(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func everyEventOfASucceededRunCarriesItsRunID() throws {
        try withTemporaryDirectory("log-id") { dir in
            let f = try RunFixture(dir)
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log, "--quiet"])
            #expect(r.status == 0, "\(r)")
            let e = try events(log)
            let id = try #require(e.first?["run_id"] as? String)
            #expect(f.latest == id)
            #expect(e.count > 2)
            #expect(e.allSatisfy { $0["run_id"] as? String == id }, "\(e)")
        }
    }

    @Test func aRunRefusedBeforeItStartsLogsItsRunID() throws {
        try withTemporaryDirectory("log-id-refused") { dir in
            let f = try RunFixture(dir)
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log, "--as-of", "2999-01-01"])
            #expect(r.status == 64, "\(r)")
            let e = try events(log)
            #expect(e.count == 1)
            #expect(e.first?["event"] as? String == "run_finished" && e.first?["status"] as? String == "failed")
            #expect((e.first?["run_id"] as? String)?.isEmpty == false, "\(e)")
        }
    }

    @Test func aFailedRunFinishedCarriesTheRunIDOfItsStart() throws {
        try withTemporaryDirectory("log-id-failed") { dir in
            let f = try RunFixture(dir)
            try FileManager.default.removeItem(atPath: f.extract + "/patients.csv")
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log])
            #expect(r.status == 65, "\(r)")
            let e = try events(log)
            let started = try #require(e.first { $0["event"] as? String == "run_started" })
            #expect(e.last?["run_id"] as? String == started["run_id"] as? String)
        }
    }

    /// Logged when ingest ends, the tables reach the log even when the run stops right after.
    @Test func aRunOverTheQuarantineThresholdLogsItsIngestedTables() throws {
        try withTemporaryDirectory("log-ingest") { dir in
            let f = try RunFixture(dir, synthFlags: ["--defects", "0.05"])
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log])
            #expect(r.status == 65, "\(r)")
            let e = try events(log)
            let tables = e.filter { $0["event"] as? String == "stage_finished" && $0["stage"] as? String == "ingest" }
            #expect(tables.count == 3, "\(e)")
            #expect(tables.allSatisfy { ($0["rows_quarantined"] as? Int ?? 0) > 0 }, "\(tables)")
        }
    }

    @Test func anIngestWarningIsLoggedWithTheRunID() throws {
        try withTemporaryDirectory("log-warning") { dir in
            let f = try RunFixture(dir)
            try FileManager.default.removeItem(atPath: f.extract + "/medications.csv")
            let log = dir.appendingPathComponent("run.jsonl").path
            let r = try f.run(["--log-json", log, "--quiet"])
            #expect(r.status == 0, "\(r)")
            let e = try events(log)
            let warning = try #require(e.first { $0["event"] as? String == "warning" }, "\(e)")
            #expect((warning["message"] as? String)?.contains("medications") == true, "\(warning)")
            #expect(warning["run_id"] as? String == f.latest)
        }
    }
}
