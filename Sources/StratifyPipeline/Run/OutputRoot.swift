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
/// <root>/failed/<id>/          a run that failed on bad input: its manifest and quarantine files
/// ```
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
    static let partialPrefix = ".partial-"
    /// Failed runs kept for the analyst; older ones are removed.
    static let failedKept = 10

    func partial(_ runID: String) -> String { runs + "/" + OutputRoot.partialPrefix + runID }
    func run(_ runID: String) -> String { runs + "/" + runID }

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
                    try writeLatest(runID)
                    warnings.append("finished publishing run \(runID): its process stopped after recording it in the history")
                } else {
                    try FileSystem.removeTree(dir)
                    removed.append(runID)
                }
            } else if FileSystem.isDirectory(dir), !FileSystem.exists(dir + "/manifest.json") {
                // A run folder of an earlier version that published in place, never completed.
                try FileSystem.removeTree(dir)
                removed.append(name)
            }
        }
        if !removed.isEmpty {
            warnings.append("removed \(removed.count) unpublished run folder(s) left by a killed run: \(removed.joined(separator: ", "))")
        }
        // Killed between the rename and `latest`: the recorded newest run is not what latest names.
        if let newest = try history.lastRecorded(), FileSystem.isDirectory(run(newest)), readLatest() != newest {
            try writeLatest(newest)
            warnings.append("pointed latest at run \(newest), the last run recorded in the history")
        }
        // OutputFile's temporaries of a killed write (`.latest.tmp-<pid>`).
        for name in FileSystem.list(path) where name.hasPrefix(".latest.tmp-") { try FileSystem.removeTree(path + "/" + name) }
        return warnings
    }

    /// The commit sequence; `record` writes the history row (the commit point).
    func publish(_ runID: String, record: () throws(StratifyError) -> Void) throws(StratifyError) {
        try FileSystem.syncTree(partial(runID))
        try record()
        try FileSystem.durableRename(partial(runID), run(runID))
        try writeLatest(runID)
    }

    func readLatest() -> String? {
        guard let bytes = try? FileSystem.readAll(latest) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmed("\n ")
    }

    func writeLatest(_ runID: String) throws(StratifyError) {
        try OutputFile.write(Array((runID + "\n").utf8), to: latest, patientLevel: false)
        try FileSystem.syncDirectory(path)
    }

    /// Keeps a failed run's `failed/` folder (manifest and quarantine) as `<root>/failed/<id>/`,
    /// removes the partial folder, and returns where the files went.
    func keepFailed(_ runID: String) throws(StratifyError) -> String? {
        let kept = partial(runID) + "/failed"
        defer { try? FileSystem.removeTree(partial(runID)) }
        guard FileSystem.isDirectory(kept) else { return nil }
        try FileSystem.makeDirectories(path + "/failed", mode: 0o700)
        let target = path + "/failed/" + runID
        try FileSystem.durableRename(kept, target)
        for old in FileSystem.list(path + "/failed").sorted().dropLast(OutputRoot.failedKept) {
            try? FileSystem.removeTree(path + "/failed/" + old)
        }
        return target
    }
}
