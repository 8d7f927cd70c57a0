#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an output file atomically: bytes go to a hidden temporary file beside the target, are
/// flushed with fsync, and the temporary is renamed over the target. A killed process therefore
/// leaves either the old file or the new one, never half of one.
///
/// `patientLevel` files are created with mode 0600 from the first byte (not chmod-ed afterwards),
/// because they hold patient data.
public final class OutputFile {
    public let path: String
    private let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private static let flushAt = 1 << 20

    public init(path: String, patientLevel: Bool) throws(StratifyError) {
        self.path = path
        let dir = OutputFile.directory(of: path)
        let name = String(path[path.index(after: path.lastIndex(of: "/") ?? path.index(before: path.startIndex))...])
        temporaryPath = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())"
        let mode: mode_t = patientLevel ? 0o600 : 0o644
        // A fresh file, never an existing one: a link planted under the temporary's name must not
        // be followed (unlink removes the link itself; O_EXCL and O_NOFOLLOW refuse a re-plant).
        unlink(temporaryPath)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0 {
            throw StratifyError(.runFailed, "cannot create '\(path)': \(String(cString: strerror(errno)))",
                                help: "check that the output folder exists and is writable")
        }
        // The process umask must not loosen or tighten what we asked for.
        fchmod(fd, mode)
        buffer.reserveCapacity(OutputFile.flushAt + 4096)
    }

    public func write(_ bytes: some Sequence<UInt8>) throws(StratifyError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= OutputFile.flushAt { try flush() }
    }

    public func write(_ string: String) throws(StratifyError) { try write(string.utf8) }

    private func flush() throws(StratifyError) {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw StratifyError(.runFailed, "cannot write '\(path)': \(reason)",
                                    help: "check free disk space and permissions on the output folder")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, fsyncs and renames into place. Must be called; `discard()` otherwise.
    public func commit() throws(StratifyError) {
        precondition(fd >= 0, "OutputFile committed twice")
        try flush()
        if fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd); unlink(temporaryPath)
            throw StratifyError(.runFailed, "cannot flush '\(path)' to disk: \(reason)")
        }
        close(fd)
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw StratifyError(.runFailed, "cannot move '\(path)' into place: \(reason)")
        }
        discardSelfWithoutCleanup()
    }

    public func discard() {
        close(fd)
        unlink(temporaryPath)
        discardSelfWithoutCleanup()
    }

    private func discardSelfWithoutCleanup() { fd = -1 }

    deinit {
        if fd >= 0 { close(fd); unlink(temporaryPath) }
    }

    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// Writes a whole file at once.
    public static func write(_ bytes: [UInt8], to path: String, patientLevel: Bool) throws(StratifyError) {
        let file = try OutputFile(path: path, patientLevel: patientLevel)
        do { try file.write(bytes) } catch { file.discard(); throw error }
        try file.commit()
    }
}

public enum FileSystem {
    /// `mkdir -p` with the given mode for created folders.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(StratifyError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw StratifyError(.runFailed, "cannot create folder '\(path)': \(String(cString: strerror(errno)))",
                                    help: "check permissions on the parent folder")
            }
        }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : nil
    }

    public static func readAll(_ path: String) throws(StratifyError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StratifyError(.runFailed, "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }

    static func readAll(fd: Int32, path: String) throws(StratifyError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StratifyError(.runFailed, "cannot read '\(path)': \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}

extension FileSystem {
    /// Names in a folder (not recursive), unsorted; empty if it cannot be read.
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
