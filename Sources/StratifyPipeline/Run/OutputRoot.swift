import StratifyCore
import StratifyExport

/// An output root's layout and the steps that publish a run into it (docs/scheduling.md,
/// "What a killed run leaves"):
///
/// ```
/// <root>/.lock                 flock + pid of the running run
/// <root>/runs/.partial-<id>/   a run in progress: nothing outside reads it
/// <root>/runs/<id>/            published runs, never changed after publishing
/// <root>/history.sqlite        the run history; recording a run there is the commit point
/// <root>/latest                the newest published run's id
/// <root>/failed/seq<n>-<id>/   a run that failed on bad input: its manifest and quarantine files
/// ```
///
/// Nothing planted in the root is followed: its entries are checked with `lstat` before a run
/// uses them and a link is refused by name (`refuseLinks`); the lock and the history are opened
/// with O_NOFOLLOW; new files are created O_EXCL | O_NOFOLLOW and renamed over their targets,
/// which replaces a link instead of writing through it. The root must not be writable by the
/// group or others, so only its owner could plant anything between the check and the use.
///
/// Publishing: fsync the partial folder tree → record the run in the history (one SQLite
/// transaction: the commit point) → rename the partial folder to `runs/<id>` → rewrite `latest`.
/// A run killed before the commit point leaves a partial folder that the next run removes; one
/// killed after it leaves a recorded run whose rename or `latest` the next run completes. Either
/// way the published runs and the history are never half-changed.
struct OutputRoot {
    let path: String

    var runs: String { path + "/runs" }
    var latest: String { path + "/latest" }
    var history: String { path + "/history.sqlite" }
    var failed: String { path + "/failed" }
    var lock: String { path + "/.lock" }
    static let partialPrefix = ".partial-"
    /// Failed runs kept for the analyst; older ones are removed.
    static let failedKept = 10

    func partial(_ runID: String) -> String { runs + "/" + OutputRoot.partialPrefix + runID }
    func run(_ runID: String) -> String { runs + "/" + runID }

    static func plantedLink(_ entry: String) -> StratifyError {
        StratifyError(.runFailed, "'\(entry)' is a symbolic link: a run never follows links in its output root",
                      help: "find out who made it, then replace it with what stratify expects there (remove the link; a folder or file is created by the next run) and check the link's target for planted data")
    }

    /// Refuses a root whose entries are links (or the wrong kind of entry), naming the entry.
    func refuseLinks() throws(StratifyError) {
        let files = [lock, history, history + "-journal", history + "-wal", history + "-shm", latest]
        for f in files {
            switch FileSystem.entryKind(f) {
            case .symbolicLink: throw OutputRoot.plantedLink(f)
            case .missing, .file: continue
            case .directory, .other:
                throw StratifyError(.runFailed, "'\(f)' is not a regular file", help: "move it out of the output root; stratify creates it")
            }
        }
        for folder in [runs, failed] {
            switch FileSystem.entryKind(folder) {
            case .symbolicLink: throw OutputRoot.plantedLink(folder)
            case .missing: continue
            case .directory:
                for name in FileSystem.list(folder) where FileSystem.entryKind(folder + "/" + name) == .symbolicLink {
                    throw OutputRoot.plantedLink(folder + "/" + name)
                }
            case .file, .other:
                throw StratifyError(.runFailed, "'\(folder)' is not a folder", help: "move it out of the output root; stratify creates it")
            }
        }
    }

    /// Published runs exist beside the history: an entry in runs/ that is not hidden (partial
    /// folders are `.partial-*`), or a `latest` file. An empty or missing history then means it was lost, not that this is the
    /// first run.
    var hasPublishedRuns: Bool {
        FileSystem.entryKind(latest) != .missing
            || FileSystem.list(runs).contains { !$0.hasPrefix(".") }
    }

    /// Under the lock, before a new run: completes or removes what a killed run left. Returns
    /// warnings for the analyst.
    func recover(history: RunHistory) throws(StratifyError) -> [String] {
        var warnings: [String] = []
        var removed: [String] = []
        for name in FileSystem.list(runs).sorted() {
            let dir = runs + "/" + name
            if name.hasPrefix(OutputRoot.partialPrefix) {
                let runID = String(name.dropFirst(OutputRoot.partialPrefix.count))
                if try history.contains(run: runID) {
                    // Killed between the commit point and the rename: finish publishing.
                    try FileSystem.durableRename(dir, run(runID))
                    if try history.latestRun() == runID { try writeLatest(runID) }
                    warnings.append("finished publishing run \(runID): its process stopped after recording it in the history")
                } else {
                    try FileSystem.removeTree(dir)
                    removed.append(runID)
                }
            } else if FileSystem.entryKind(dir) == .directory, FileSystem.entryKind(dir + "/manifest.json") == .missing {
                // Only partial folders are ever removed: a published folder that lost its manifest
                // is evidence of something else (a person, a disk) and is left for the analyst.
                warnings.append("published run folder \(dir) has no manifest.json; it is left in place: restore the manifest or move the folder aside")
            }
        }
        if !removed.isEmpty {
            warnings.append("removed \(removed.count) unpublished run folder(s) left by a killed run: \(removed.joined(separator: ", "))")
        }
        // Killed between the rename and `latest`: the newest recorded as-of date's run is not
        // what latest names. (A backfilled run never moves latest, so it is not the one looked for.)
        if let newest = try history.latestRun(), FileSystem.isDirectory(run(newest)), readLatest() != newest {
            try writeLatest(newest)
            warnings.append("pointed latest at run \(newest), the run of the latest as-of date recorded in the history")
        }
        // OutputFile's temporaries of a killed write (`.latest.tmp-<pid>`).
        for name in FileSystem.list(path) where name.hasPrefix(".latest.tmp-") { try FileSystem.removeTree(path + "/" + name) }
        return warnings
    }

    /// The commit sequence; `record` writes the history row (the commit point). A backfilled run
    /// is published without moving `latest`.
    func publish(_ runID: String, movesLatest: Bool = true, record: () throws(StratifyError) -> Void) throws(StratifyError) {
        try FileSystem.syncTree(partial(runID))
        do { try record() } catch {
            // Not committed: the run is not published, and nothing of it is left behind.
            try? FileSystem.removeTree(partial(runID))
            throw error
        }
        try FileSystem.durableRename(partial(runID), run(runID))
        if movesLatest { try writeLatest(runID) }
    }

    func readLatest() -> String? {
        guard let bytes = try? FileSystem.readRegularFile(latest) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmed("\n ")
    }

    func writeLatest(_ runID: String) throws(StratifyError) {
        try OutputFile.write(Array((runID + "\n").utf8), to: latest, patientLevel: false)
        try FileSystem.syncDirectory(path)
    }

    /// Keeps the folder of a run that failed on its input (its manifest and quarantine files,
    /// nothing else has been written yet) as `<root>/failed/seq<n>-<id>/` (n: 8 digits), and
    /// returns where it went. Retention sorts by the sequence, one more than the highest kept,
    /// never by the run id: run ids are local clock time, and a clock set back made the newest
    /// failure sort first and be deleted at once.
    func keepFailed(_ runID: String) throws(StratifyError) -> String {
        try FileSystem.makeDirectories(failed, mode: 0o700)
        try refuseLinks()
        let existing = FileSystem.list(failed)
        let next = (existing.map(OutputRoot.failedSequence).max() ?? 0) + 1
        let target = failed + "/" + OutputRoot.sequenceText(next) + "-" + runID
        try FileSystem.durableRename(partial(runID), target)
        let byAge = (existing + [target.split(separator: "/").last.map(String.init)!])
            .sorted { (OutputRoot.failedSequence($0), $0) < (OutputRoot.failedSequence($1), $1) }
        for old in byAge.dropLast(OutputRoot.failedKept) {
            try? FileSystem.removeTree(failed + "/" + old)
        }
        return target
    }

    static func sequenceText(_ n: Int) -> String {
        let s = String(n)
        return "seq" + String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    /// The sequence of `failed/seq<n>-<id>`; 0 for a folder named by an earlier version
    /// (`failed/<id>`), which therefore counts as older than any numbered one.
    static func failedSequence(_ name: String) -> Int {
        let parts = name.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].hasPrefix("seq"), let n = Int(parts[0].dropFirst(3)) else { return 0 }
        return n
    }
}
