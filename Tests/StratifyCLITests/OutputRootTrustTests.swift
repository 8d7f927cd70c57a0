import CSQLite
import Foundation
import StratifyCore
import StratifyPipeline
import StratifyReference
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 12, item 4: nothing planted in the output root is followed, and nobody but the owner
/// may write the root or the reference data.
@Suite struct PlantedLinkTests {
    @Test func aLockThatIsALinkIsRefusedAndItsTargetIsNotTruncated() throws {
        try withTemporaryDirectory("link-lock") { dir in
            let f = try RunFixture(dir)
            let victim = dir.appendingPathComponent("victim.txt")
            try "precious\n".write(to: victim, atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: f.root.appendingPathComponent(".lock").path, withDestinationPath: victim.path)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains(".lock' is a symbolic link"), "\(r)")
            #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
            #expect(f.latest == nil)
        }
    }

    @Test func aHistoryThatIsALinkIsRefusedAndItsTargetKeepsItsModeAndBytes() throws {
        try withTemporaryDirectory("link-history") { dir in
            let f = try RunFixture(dir)
            let victim = dir.appendingPathComponent("victim.db")
            try Data("not yours".utf8).write(to: victim)
            #expect(chmod(victim.path, 0o644) == 0)
            try FileManager.default.createSymbolicLink(atPath: f.root.appendingPathComponent("history.sqlite").path,
                                                       withDestinationPath: victim.path)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("history.sqlite' is a symbolic link"), "\(r)")
            #expect(try mode(victim.path) == 0o644)
            #expect(try Data(contentsOf: victim) == Data("not yours".utf8))
        }
    }

    @Test(arguments: ["runs", "failed"])
    func aRunsOrFailedFolderThatIsALinkIsRefusedAndNothingIsWrittenThere(folder: String) throws {
        try withTemporaryDirectory("link-\(folder)") { dir in
            let f = try RunFixture(dir)
            let elsewhere = dir.appendingPathComponent("elsewhere")
            try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
            #expect(chmod(elsewhere.path, 0o777) == 0)
            let entry = f.root.appendingPathComponent(folder)
            try? FileManager.default.removeItem(at: entry)
            try FileManager.default.createSymbolicLink(atPath: entry.path, withDestinationPath: elsewhere.path)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("/\(folder)' is a symbolic link"), "\(r)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        }
    }

    @Test func aLinkAmongPublishedRunsIsRefused() throws {
        try withTemporaryDirectory("link-run") { dir in
            let f = try RunFixture(dir)
            try FileManager.default.createSymbolicLink(atPath: f.root.appendingPathComponent("runs/20200101-000000-1").path,
                                                       withDestinationPath: dir.path)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("runs/20200101-000000-1' is a symbolic link"), "\(r)")
        }
    }

    @Test func doctorReportsALinkInTheOutputRoot() throws {
        try withTemporaryDirectory("link-doctor") { dir in
            let f = try RunFixture(dir)
            try FileManager.default.createSymbolicLink(atPath: f.root.appendingPathComponent("latest").path, withDestinationPath: "/etc/hostname")
            let r = try stratify(["doctor", "--pipeline", f.file])
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("latest' is a symbolic link"), "\(r)")
        }
    }
}

@Suite struct WritableByOthersTests {
    @Test(arguments: [0o770, 0o1777])
    func anOutputRootTheGroupOrOthersMayWriteIsRefused(permissions: Int) throws {
        try withTemporaryDirectory("writable-root") { dir in
            let f = try RunFixture(dir)
            #expect(chmod(f.root.path, mode_t(permissions)) == 0)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("writable by other users") && r.stderr.contains("chmod go-w"), "\(r)")
            #expect(f.latest == nil)
        }
    }

    @Test func aGroupWritableFileUnderReferenceIsRefusedByRunAndNamed() throws {
        try withTemporaryDirectory("writable-reference") { dir in
            let reference = try copyReference(to: dir)
            let f = try RunFixture(dir, settings: ["reference": reference.path])
            let list = reference.appendingPathComponent("codelists/hyp_cod.csv").path
            #expect(chmod(list, 0o664) == 0)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("'\(list)' is writable by other users"), "\(r)")
        }
    }

    @Test func aWorldWritableFolderUnderReferenceIsRefusedByDoctor() throws {
        try withTemporaryDirectory("writable-reference-doctor") { dir in
            let reference = try copyReference(to: dir)
            let f = try RunFixture(dir, settings: ["reference": reference.path])
            #expect(chmod(reference.appendingPathComponent("codelists").path, 0o777) == 0)
            let r = try stratify(["doctor", "--pipeline", f.file])
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("codelists' is writable by other users"), "\(r)")
        }
    }

    @Test func aGroupWritableReferenceIsRefusedByFlags() throws {
        try withTemporaryDirectory("writable-reference-flags") { dir in
            let reference = try copyReference(to: dir)
            #expect(chmod(reference.appendingPathComponent("rules").path, 0o775) == 0)
            let r = try stratify(["flags", Paths.golden.appendingPathComponent("small-extract").path, "--as-of", "2025-03-31",
                                  "--out", dir.appendingPathComponent("out").path, "--reference", reference.path])
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("rules' is writable by other users"), "\(r)")
        }
    }

    @Test func aWorldWritableOutFolderIsRefusedByFlags() throws {
        try withTemporaryDirectory("writable-out-flags") { dir in
            let out = dir.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            #expect(chmod(out.path, 0o1777) == 0)
            let r = try stratify(["flags", Paths.golden.appendingPathComponent("small-extract").path, "--as-of", "2025-03-31",
                                  "--out", out.path, "--max-quarantine", "1", "--reference", Paths.reference])
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("writable by other users"), "\(r)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
        }
    }

    @Test(arguments: ["", "  "])
    func anEmptyOutputRootIsRejectedAtValidation(root: String) throws {
        try withTemporaryDirectory("empty-root") { dir in
            let f = try RunFixture(dir, settings: ["output_root": root])
            let r = try f.run()
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("$.output_root"), "\(r)")
        }
    }
}

@Suite struct VerifiedReferenceTests {
    /// A code list swapped after its checksum was verified: the load uses the verified bytes.
    @Test func aCodeListSwappedAfterVerificationIsLoadedAsVerified() throws {
        try withTemporaryDirectory("verified-bytes") { dir in
            let root = try copyReference(to: dir)
            let reference = try ReferenceData(root: root.path)
            #expect(try ReferenceIntegrity(reference: reference).verify() > 10)
            let before = try reference.codeList("hyp_cod")
            try "code,term\n".write(to: root.appendingPathComponent("codelists/hyp_cod.csv"), atomically: true, encoding: .utf8)
            let after = try reference.codeList("hyp_cod")
            #expect(!before.codes.isEmpty)
            #expect(after.codes == before.codes)
            #expect(after.sha256 == before.sha256)
        }
    }
}

/// Issue 12, item 5: the history is never reset or corrupted silently.
@Suite struct HistoryTrustTests {
    func removeJournals(_ f: RunFixture) {
        for s in ["-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(at: f.root.appendingPathComponent("history.sqlite" + s)) }
    }

    @Test func aHistoryTruncatedToZeroBesidePublishedRunsIsRefused() throws {
        try withTemporaryDirectory("history-truncated") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            #expect(truncate(f.root.appendingPathComponent("history.sqlite").path, 0) == 0)
            removeJournals(f)
            let before = try f.snapshot()
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("is empty") && r.stderr.contains("--new-history"), "\(r)")
            #expect(try f.snapshot() == before)
        }
    }

    @Test func aMissingHistoryBesidePublishedRunsIsRefused() throws {
        try withTemporaryDirectory("history-missing") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            try FileManager.default.removeItem(at: f.root.appendingPathComponent("history.sqlite"))
            removeJournals(f)
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("is missing"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: f.root.appendingPathComponent("history.sqlite").path))
        }
    }

    @Test func doctorReportsAMissingHistoryBesidePublishedRuns() throws {
        try withTemporaryDirectory("history-missing-doctor") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            try FileManager.default.removeItem(at: f.root.appendingPathComponent("history.sqlite"))
            removeJournals(f)
            let r = try stratify(["doctor", "--pipeline", f.file])
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("missing or empty but the output root has published runs"), "\(r)")
        }
    }

    @Test func newHistoryStartsAHistoryOnPurpose() throws {
        try withTemporaryDirectory("history-new") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            try FileManager.default.removeItem(at: f.root.appendingPathComponent("history.sqlite"))
            removeJournals(f)
            sleep(1)
            let r = try f.run(["--new-history"])
            #expect(r.status == 0, "\(r)")
            #expect(try f.runs().count == 2)
        }
    }

    @Test func randomBytesInTheHistorysPagesAreRefused() throws {
        try withTemporaryDirectory("history-pages") { dir in
            let f = try RunFixture(dir, settings: ["cohorts": [["name": "hyp", "where": "reg_hyp"]]])
            #expect(try f.run().status == 0)
            let path = f.root.appendingPathComponent("history.sqlite").path
            checkpoint(path)
            var rng = SystemRandomNumberGenerator()
            // One whole page in the middle of the file, header included, replaced by noise.
            let pages = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue / 4096
            #expect(pages > 2)
            let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let h = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try h.seek(toOffset: UInt64(pages / 2 * 4096))
            try h.write(contentsOf: noise)
            try h.close()
            let r = try f.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("run history"), "\(r)")
        }
    }

    @Test func aLockedHistoryGivesAClearMessageAndNeverSuggestsRemovingIt() throws {
        try withTemporaryDirectory("history-locked") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let r = try f.withHistoryHeldExclusively { try f.run() }
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("locked by another process"), "\(r)")
            for word in ["move it aside", "delete", "remove", "rm "] { #expect(!r.stderr.contains(word), "\(r)") }
            #expect(try f.runs().count == 1)
        }
    }

    @Test func recoveryNeverDeletesAPublishedRunWhoseManifestIsMissing() throws {
        try withTemporaryDirectory("history-no-manifest") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let id = try #require(f.latest)
            try FileManager.default.removeItem(at: f.root.appendingPathComponent("runs/\(id)/manifest.json"))
            sleep(1)
            let r = try f.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stderr.contains("has no manifest.json"), "\(r)")
            #expect(FileManager.default.fileExists(atPath: f.root.appendingPathComponent("runs/\(id)/patients.csv").path))
        }
    }
}

/// Folds the write-ahead log into the main file, so bytes written into the file hit live pages.
func checkpoint(_ path: String) {
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK else { return }
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nil, nil, nil)
    sqlite3_close(db)
}

/// Issue 12, item 6: time goes forwards.
@Suite struct AsOfOrderTests {
    let hyp: [String: Any] = ["cohorts": [["name": "hyp", "where": "reg_hyp"]]]

    @Test func anEarlierAsOfThanTheLatestIsRefusedWithoutBackfill() throws {
        try withTemporaryDirectory("asof-refused") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let latest = f.latest
            let r = try f.run(["--as-of", "2025-11-24"])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("earlier than the latest") && r.stderr.contains("--backfill"), "\(r)")
            #expect(f.latest == latest)
            #expect(try f.runs().count == 1)
        }
    }

    @Test func aBackfillIsPublishedWithoutMovingLatest() throws {
        try withTemporaryDirectory("asof-backfill") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let latest = f.latest
            sleep(1)
            let r = try f.run(["--as-of", "2025-11-24", "--backfill"])
            #expect(r.status == 0, "\(r)")
            #expect(f.latest == latest)
            #expect(try f.runs().count == 2)
        }
    }

    @Test func aRunIsComparedWithTheGreatestEarlierAsOfNotALaterOne() throws {
        try withTemporaryDirectory("asof-compare") { dir in
            let f = try RunFixture(dir, settings: hyp)
            #expect(try f.run().status == 0)
            sleep(1)
            #expect(try f.run(["--as-of", "2025-11-24", "--backfill"]).status == 0)
            let backfill = try #require(try f.runs().first { $0 != f.latest })
            let m = try readJSON(f.root.appendingPathComponent("runs/\(backfill)/manifest.json"))
            let members = try #require(int(m, "cohorts", "hyp", "members"))
            #expect(members > 0)
            #expect(int(m, "cohorts", "hyp", "new") == members, "nothing earlier: every member is new")
            #expect(int(m, "cohorts", "hyp", "leavers") == 0)
        }
    }

    @Test func anAsOfAfterTodayIsRefusedUnlessAskedFor() throws {
        try withTemporaryDirectory("asof-future") { dir in
            let f = try RunFixture(dir)
            let r = try f.run(["--as-of", "2999-01-01"])
            #expect(r.status == 64, "\(r)")
            #expect(r.stderr.contains("after today") && r.stderr.contains("--allow-future-as-of"), "\(r)")
            #expect(try f.runs().isEmpty)
            #expect(try f.run(["--as-of", "2999-01-01", "--allow-future-as-of"]).status == 0)
        }
    }

    @Test func failedRunRetentionKeepsTheNewestBySequenceNotByClock() throws {
        try withTemporaryDirectory("failed-sequence") { dir in
            let f = try RunFixture(dir)
            let failed = f.root.appendingPathComponent("failed")
            // Ten earlier failures whose run ids (local clock time) sort after any run today's.
            for n in 1...10 {
                let d = failed.appendingPathComponent(String(format: "seq%08d-29990101-0000%02d-1", n, n))
                try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            }
            // Every patient row quarantined (bad dates): a bad-input failure that keeps its files.
            let patients = f.extract + "/patients.csv"
            let lines = try String(contentsOfFile: patients, encoding: .utf8).split(separator: "\n")
            let broken = [String(lines[0])] + lines.dropFirst().map { line -> String in
                var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                cells[1] = "not-a-date"
                return cells.joined(separator: ",")
            }
            try (broken.joined(separator: "\n") + "\n").write(toFile: patients, atomically: true, encoding: .utf8)
            let r = try f.run()
            #expect(r.status == 65, "\(r)")
            let kept = try FileManager.default.contentsOfDirectory(atPath: failed.path).sorted()
            #expect(kept.count == 10, "\(kept)")
            #expect(kept.last?.hasPrefix("seq00000011-") == true, "the new failure is kept: \(kept)")
            #expect(!kept.contains { $0.hasPrefix("seq00000001-") }, "the oldest is removed: \(kept)")
        }
    }
}

extension RunFixture {
    /// Runs `body` while another connection holds the history in an exclusive transaction, as a
    /// reader or a backup tool might.
    func withHistoryHeldExclusively<T>(_ body: () throws -> T) throws -> T {
        var db: OpaquePointer?
        #expect(sqlite3_open(root.appendingPathComponent("history.sqlite").path, &db) == SQLITE_OK)
        defer { sqlite3_close(db) }
        #expect(sqlite3_exec(db, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK)
        defer { sqlite3_exec(db, "ROLLBACK", nil, nil, nil) }
        return try body()
    }
}
