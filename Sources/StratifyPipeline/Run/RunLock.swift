#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// One run at a time per output root: `<root>/.lock` holds the running process's pid. A lock
/// left by a process that no longer exists is stale and is taken over (the caller reports it).
public final class RunLock {
    public let path: String
    /// The pid of a dead process whose lock was taken over, if any.
    public private(set) var tookOverFrom: Int32?

    public init(root: String) throws(StratifyError) {
        path = root + "/.lock"
        for _ in 0..<2 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 {
                let text = "\(getpid())\n"
                _ = text.withCString { write(fd, $0, strlen($0)) }
                fsync(fd)
                close(fd)
                return
            }
            guard errno == EEXIST else {
                throw StratifyError(.runFailed, "cannot create lock '\(path)': \(String(cString: strerror(errno)))")
            }
            let holder = (try? FileSystem.readAll(path)).flatMap { Int32(String(decoding: $0, as: UTF8.self).trimmed("\n ")) }
            if let pid = holder, pid > 0, kill(pid, 0) == 0 || errno == EPERM {
                throw StratifyError(.runFailed, "another run (pid \(pid)) holds the lock on '\(root)'",
                                    help: "wait for it to finish; if that process is not a Stratify run, remove \(path)")
            }
            // Stale: the holder is gone (or the file is unreadable). Take it over.
            tookOverFrom = holder ?? -1
            unlink(path)
        }
        throw StratifyError(.runFailed, "cannot take over the stale lock '\(path)'")
    }

    private var released = false

    /// Idempotent: a second call must not remove a lock another run has taken since.
    public func release() {
        if released { return }
        released = true
        unlink(path)
    }

    deinit { release() }
}

extension PipelineRun {
    /// Takes `<root>/.lock` and cleans what a killed run left in `<root>/runs/`, for any command
    /// that publishes a run folder there (`run`, `merge`); returns the lock and what to tell the
    /// analyst about it.
    static func claim(root: String, runID: String) throws(StratifyError) -> (lock: RunLock, warnings: [String]) {
        try FileSystem.makeDirectories(root + "/runs", mode: 0o700)
        let lock = try RunLock(root: root)
        var warnings: [String] = []
        if let pid = lock.tookOverFrom {
            warnings.append("took over a stale lock left by process \(pid), which is no longer running")
        }
        let leftovers = cleanLeftovers(root + "/runs", except: runID)
        if !leftovers.isEmpty {
            warnings.append("removed \(leftovers.count) unpublished run folder(s) left by a killed run: \(leftovers.joined(separator: ", "))")
        }
        return (lock, warnings)
    }

    /// Removes run folders a killed run left behind (no manifest.json: never published), and
    /// returns their names for the report to the analyst.
    static func cleanLeftovers(_ runsDirectory: String, except current: String) -> [String] {
        var removed: [String] = []
        for name in FileSystem.list(runsDirectory).sorted() where name != current {
            let dir = runsDirectory + "/" + name
            guard FileSystem.isDirectory(dir), !FileSystem.exists(dir + "/manifest.json") else { continue }
            if (try? FileSystem.removeTree(dir)) != nil { removed.append(name) }
        }
        return removed
    }
}
