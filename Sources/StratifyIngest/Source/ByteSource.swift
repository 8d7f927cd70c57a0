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
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            throw StratifyError(.inputData, "cannot open '\(path)': \(reason)",
                                help: "check that the file exists and is readable by this user")
        }
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
