import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 12, item 7: SIGTERM, SIGINT and SIGHUP end a run cleanly, with exit 128 + the signal.
@Suite struct InterruptionTests {
    /// Starts `stratify run` without waiting for it.
    func start(_ f: RunFixture, _ extra: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Paths.binary)
        p.arguments = ["run", f.file, "--quiet"] + extra
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Polls until `condition` holds or the process ended (no timing is asserted).
    func wait(for p: Process, until condition: () -> Bool) {
        while p.isRunning && !condition() { usleep(20_000) }
    }

    func events(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    func lockIsFree(_ f: RunFixture) -> Bool {
        let fd = open(f.root.appendingPathComponent(".lock").path, O_RDWR)
        defer { close(fd) }
        return fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0
    }

    /// Exit 143, 130 and 129: 128 + the signal.
    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func aSignalMidRunRemovesStagingReleasesTheLockAndLogs(signal: Int32) throws {
        let code = [SIGTERM: Int32(143), SIGINT: 130, SIGHUP: 129][signal]!
        try withTemporaryDirectory("signal-\(signal)") { dir in
            let f = try RunFixture(dir, patients: 20_000)
            #expect(try f.run().status == 0)
            let before = try f.snapshot()
            sleep(1)
            let log = dir.appendingPathComponent("run.jsonl").path
            let p = try start(f, ["--log-json", log])
            // Mid-run: its staging folder exists and ingest has begun.
            wait(for: p) { (try? f.runs().contains { $0.hasPrefix(".partial-") }) == true }
            #expect(p.isRunning, "the run was still going when signalled")
            kill(p.processIdentifier, signal)
            p.waitUntilExit()
            #expect(p.terminationReason == .exit && p.terminationStatus == code)
            #expect(try f.runs().filter { $0.hasPrefix(".partial-") }.isEmpty, "staging removed")
            #expect(lockIsFree(f))
            var after = try f.snapshot()
            for k in after.keys where k.hasPrefix("history.sqlite") { after.removeValue(forKey: k) }
            var kept = before
            for k in kept.keys where k.hasPrefix("history.sqlite") { kept.removeValue(forKey: k) }
            #expect(after == kept, "the previous published run and latest are intact")
            let last = try #require(try events(log).last)
            #expect(last["event"] as? String == "run_finished" && last["status"] as? String == "interrupted", "\(last)")
            #expect(last["exit_code"] as? Int == Int(code))
        }
    }

    @Test func aSignalWhileWaitingForALockedHistoryEndsTheRunCleanly() throws {
        try withTemporaryDirectory("signal-wait") { dir in
            let f = try RunFixture(dir)
            #expect(try f.run().status == 0)
            let p = try f.withHistoryHeldExclusively {
                sleep(1)
                let p = try start(f, [])
                // The run writes its pid into the lock once it holds it; then it opens the history and waits.
                let lock = f.root.appendingPathComponent(".lock")
                wait(for: p) { (try? String(contentsOf: lock, encoding: .utf8))?.hasPrefix("\(p.processIdentifier)") == true }
                #expect(p.isRunning, "the run was waiting when signalled")
                kill(p.processIdentifier, SIGTERM)
                p.waitUntilExit()
                return p
            }
            #expect(p.terminationStatus == 143)
            #expect(lockIsFree(f))
            #expect(try f.runs().count == 1)
        }
    }
}
