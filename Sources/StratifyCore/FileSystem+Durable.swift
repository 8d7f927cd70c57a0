#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Durability for publishing. `OutputFile` fsyncs each file's bytes, but a file's *name* lives in
/// its folder: after a power cut a renamed or new entry can vanish unless the folder itself is
/// fsynced. A run fsyncs its whole folder tree before the rename that publishes it, and the
/// parent folder after that rename.
extension FileSystem {
    /// fsyncs one folder's entries.
    public static func syncDirectory(_ path: String) throws(StratifyError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StratifyError(.runFailed, "cannot open folder '\(path)' to flush it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        if fsync(fd) != 0 {
            throw StratifyError(.runFailed, "cannot flush folder '\(path)' to disk: \(String(cString: strerror(errno)))",
                                help: "check the file system's health and free space")
        }
    }

    /// fsyncs a folder and every folder below it (files were fsynced as they were written).
    public static func syncTree(_ path: String) throws(StratifyError) {
        for name in list(path) where isDirectory(path + "/" + name) && !isSymbolicLink(path + "/" + name) {
            try syncTree(path + "/" + name)
        }
        try syncDirectory(path)
    }

    public static func isSymbolicLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    /// Renames and makes the rename durable (fsync of the destination's folder).
    public static func durableRename(_ from: String, _ to: String) throws(StratifyError) {
        if rename(from, to) != 0 {
            throw StratifyError(.runFailed, "cannot move '\(from)' to '\(to)': \(String(cString: strerror(errno)))")
        }
        let parent = OutputFile.directory(of: to)
        try syncDirectory(parent.isEmpty ? "." : parent)
    }

    /// Free bytes for an unprivileged writer on the file system holding `path`.
    public static func availableBytes(_ path: String) -> Int64? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        return Int64(s.f_bavail) * Int64(s.f_frsize)
    }
}

extension FileSystem {
    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }
}
