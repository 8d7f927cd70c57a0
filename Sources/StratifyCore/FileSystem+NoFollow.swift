#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an output root and a reference folder may be. Anyone who can write into either can
/// redirect a nightly run: plant a link where a file is expected (the run then truncates, chmods
/// or publishes into whatever it points at), or swap a code list between checks. So entries are
/// looked at with `lstat` (a link is reported as a link, never as its target) and write bits for
/// the group or others are refused whether or not the sticky bit is set (docs/reliability.md).
extension FileSystem {
    public enum EntryKind: Sendable, Equatable { case missing, file, directory, symbolicLink, other }

    /// The entry itself, links not followed.
    public static func entryKind(_ path: String) -> EntryKind {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Group or others may write (sticky or not: a sticky folder still lets others create new
    /// entries, which is all a planted link needs).
    public static func isWritableByOthers(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return st.st_mode & (S_IWGRP | S_IWOTH) != 0
    }

    /// The first folder or file at or under `root` that the group or others may write, or nil.
    /// Links are judged by their target and not descended into.
    public static func firstWritableByOthers(under root: String) -> String? {
        if isWritableByOthers(root) { return root }
        guard entryKind(root) == .directory else { return nil }
        for name in list(root).sorted() {
            if let found = firstWritableByOthers(under: root + "/" + name) { return found }
        }
        return nil
    }

    /// Reads a whole regular file, refusing a link or anything else that is not a plain file
    /// (a FIFO would block, a device would never end).
    public static func readRegularFile(_ path: String) throws(StratifyError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw StratifyError(.runFailed, "cannot read '\(path)': \(reason)")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw StratifyError(.runFailed, "cannot read '\(path)': not a regular file")
        }
        return try readAll(fd: fd, path: path)
    }
}
