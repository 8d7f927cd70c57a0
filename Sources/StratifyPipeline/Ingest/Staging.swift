#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// A run's outputs are written to a hidden staging folder inside the output folder and only moved
/// into place when the run succeeds, so a failed run never replaces good outputs. A run that fails
/// on bad input is kept, unpublished, as `<out>/failed/` for the analyst to inspect.
///
/// `stratify run` stages the same way inside its own `runs/.partial-<id>/` folder, which
/// `OutputRoot` publishes as a whole.
struct Staging {
    let outputDirectory: String
    let path: String

    init(outputDirectory: String) throws(StratifyError) {
        self.outputDirectory = outputDirectory
        path = outputDirectory + "/.staging-\(getpid())"
        try FileSystem.makeDirectories(outputDirectory, mode: 0o700)
        // Staging folders of killed runs (their pid no longer exists) and our own stale one.
        for name in FileSystem.list(outputDirectory) where name.hasPrefix(".staging-") {
            guard let pid = Int32(name.dropFirst(".staging-".count)), pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) else { continue }
            try FileSystem.removeTree(outputDirectory + "/" + name)
        }
        try FileSystem.makeDirectories(path, mode: 0o700)
    }

    /// Moves every staged entry into the output folder, the manifest last, so `manifest.json`
    /// describing this run appears only when everything it describes is in place.
    func publish(manifest: String = "manifest.json") throws(StratifyError) {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("publish", seconds: MonotonicClock.seconds(since: t0)) }
        let names = FileSystem.list(path).filter { $0 != manifest }.sorted() + [manifest]
        for name in names where FileSystem.exists(path + "/" + name) {
            try FileSystem.replace(path + "/" + name, with: outputDirectory + "/" + name, scratch: path)
        }
        try FileSystem.removeTree(path)
    }

    /// Keeps a failed run's files as `<out>/failed/` (replacing an earlier failed run).
    func keepAsFailed() throws(StratifyError) -> String {
        let failed = outputDirectory + "/failed"
        if FileSystem.exists(failed) { try FileSystem.removeTree(failed) }
        try FileSystem.rename(path, failed)
        return failed
    }

    func discard() { try? FileSystem.removeTree(path) }
}

extension FileSystem {
    static func rename(_ from: String, _ to: String) throws(StratifyError) {
        if Glibc.rename(from, to) != 0 {
            throw StratifyError(.runFailed, "cannot move '\(from)' to '\(to)': \(String(cString: strerror(errno)))")
        }
    }

    /// Puts `source` at `target`. A file replaces a file atomically; a folder replacing a folder
    /// is swapped through `scratch` (the old one is removed after the new one is in place).
    static func replace(_ source: String, with target: String, scratch: String) throws(StratifyError) {
        if isDirectory(source) && isDirectory(target) {
            let old = scratch + "/.old-" + String(target.split(separator: "/").last ?? "x")
            try rename(target, old)
            try rename(source, target)
            try removeTree(old)
        } else {
            try rename(source, target)
        }
    }

    /// `rm -r`, without following symbolic links.
    public static func removeTree(_ path: String) throws(StratifyError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in list(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 {
                throw StratifyError(.runFailed, "cannot remove folder '\(path)': \(String(cString: strerror(errno)))")
            }
        } else if unlink(path) != 0 {
            throw StratifyError(.runFailed, "cannot remove '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
