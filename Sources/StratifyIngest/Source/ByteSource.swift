#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// A stream of bytes: a plain file, or a file through zlib.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes; returns 0 at end of input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(StratifyError) -> Int
}

/// Which checksum the manifest records for each input file.
public enum ChecksumKind: String, Sendable, CaseIterable {
    /// Fast (memory speed); detects change and corruption. The default.
    case xxh64
    /// Cryptographic, matches `sha256sum`; about 265 MB/s here (BENCHMARKS.md).
    case sha256
}

/// A file read with read(2) in large blocks. It checksums the raw bytes as they pass, so the
/// manifest's checksum costs no second read of a multi-gigabyte extract.
public final class FileByteSource: ByteSource {
    public let path: String
    private let fd: Int32
    public private(set) var bytesRead: Int64 = 0
    public let checksumKind: ChecksumKind
    private var sha = SHA256()
    private var xxh = XXH64()

    public init(path: String, checksum: ChecksumKind = .xxh64) throws(StratifyError) {
        self.path = path
        checksumKind = checksum
        fd = try FileByteSource.openRegular(path)
    }

    /// Opens `path` for reading, refusing anything but a regular file (a symbolic link to one is
    /// fine). Opening never blocks: O_NONBLOCK keeps a FIFO's open from waiting for a writer, and
    /// the type is checked on the opened descriptor (fstat), so a file swapped after a check is
    /// still caught. Blocking reads are restored for a regular file.
    static func openRegular(_ path: String) throws(StratifyError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            throw StratifyError(.inputData, "cannot open '\(path)': \(reason)",
                                help: "check that the file exists and is readable by this user")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw StratifyError(.inputData, "cannot inspect '\(path)': \(reason)")
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            let kind = switch type {
            case S_IFIFO: "a FIFO (named pipe)"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFDIR: "a folder"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
            throw StratifyError(.inputData, "'\(path)' is \(kind), not a regular file; no row was read",
                                help: "an extract's inputs must be regular files (a symbolic link to one is fine)")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return fd
    }

    /// Checks that `path` is a regular file without reading it (and without blocking).
    public static func checkRegular(_ path: String) throws(StratifyError) {
        close(try openRegular(path))
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(StratifyError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw StratifyError(.inputData, "cannot read '\(path)': \(String(cString: strerror(errno)))",
                                    help: "check the file's permissions and the disk")
            }
            if n > 0 {
                let read = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n])
                switch checksumKind {
                case .xxh64: xxh.update(read)
                case .sha256: sha.update(read)
                }
                bytesRead += Int64(n)
            }
            return n
        }
    }

    /// Checksum (hex) of every byte read so far: the whole file once read to the end.
    public func checksum() -> String {
        switch checksumKind {
        case .xxh64: return XXH64.hex(xxh.finalize())
        case .sha256:
            var copy = sha
            return SHA256.hex(copy.finalize())
        }
    }
}
