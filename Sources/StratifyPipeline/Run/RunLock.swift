#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// One run at a time per output root. The lock is an `flock` on `<root>/.lock`, which the kernel
/// releases when the holder dies, however it dies, so two runs can never both believe they hold
/// it (a pid file alone cannot promise that: two runs may see the same stale pid and both take
/// over). The file also holds the holder's pid, for messages, and is emptied on a clean release;
/// a pid found there by the next run means its writer died holding the lock (killed, power cut):
/// that stale lock is taken over and reported.
public final class RunLock {
    public let path: String
    /// The pid of a dead process whose lock was taken over, if any.
    public private(set) var tookOverFrom: Int32?
    private var fd: Int32

    public init(root: String) throws(StratifyError) {
        path = root + "/.lock"
        // O_NOFOLLOW: a link planted as `.lock` must not get its target truncated (below). A FIFO
        // or device is refused before anything is written to it.
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == ELOOP {
                throw OutputRoot.plantedLink(path)
            }
            throw StratifyError(.runFailed, "cannot create lock '\(path)': \(String(cString: strerror(errno)))",
                                help: "check that the output root is writable by this user")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            fd = -1
            throw StratifyError(.runFailed, "lock '\(path)' is not a regular file",
                                help: "remove it (it is not one stratify made); the next run creates a new one")
        }
        let holder = RunLock.pid(in: fd)
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            close(fd)
            fd = -1
            guard reason == EWOULDBLOCK else {
                throw StratifyError(.runFailed, "cannot lock '\(path)': \(String(cString: strerror(reason)))")
            }
            let who = holder.map { "another run (pid \($0))" } ?? "another run"
            throw StratifyError(.runFailed, "\(who) holds the lock on '\(root)'",
                                help: "wait for it to finish; runs on one output root never overlap")
        }
        if let pid = RunLock.pid(in: fd), pid != getpid() { tookOverFrom = pid }
        let text = Array("\(getpid())\n".utf8)
        ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
        fsync(fd)
    }

    private static func pid(in fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmed("\n "))
    }

    /// Idempotent. The file is emptied, not removed: removing it would let a run that opened the
    /// old file and a run that creates a new one lock different files at once.
    public func release() {
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        close(fd)  // closing drops the flock
        fd = -1
    }

    deinit { release() }
}
