#if canImport(Glibc)
import Glibc
#endif
import StratifyCore
import StratifyExport

/// The secret for keyed pseudonyms (HMAC-SHA256): from a file (`pseudonym_key_file`, for
/// systemd credentials or a secrets mount) or else an environment variable (`pseudonym_key_env`).
/// The key is never written to an output, a log or an error: messages name where it was looked
/// for and what is wrong with it, never what was found.
enum PseudonymKey {
    /// 256 bits, as long as the HMAC-SHA256 output: a shorter secret is guessable from the
    /// pseudonyms of known patient_ids.
    static let minimumBytes = 32
    /// A key file longer than this is not a key (a wrong path to some data file, say).
    static let maximumBytes = 4096

    static func identifier(for d: PipelineDefinition) throws(StratifyError) -> CohortCSV.Identifier {
        guard d.identifiers == .pseudonym else { return .nhsNumber }
        return .pseudonym(HMACSHA256(key: try key(for: d)))
    }

    static func key(for d: PipelineDefinition) throws(StratifyError) -> [UInt8] {
        if let file = d.pseudonymKeyFile {
            var key = try readKeyFile(file, pipeline: d.path)
            while let last = key.last, last == 0x0A || last == 0x0D { key.removeLast() }  // editors add a newline
            guard strength(key) >= minimumBytes else {
                throw StratifyError(.usage, "the pseudonym key file '\(file)' holds fewer than \(minimumBytes) bytes that are not spaces or line ends",
                                    help: "use a random secret of at least \(minimumBytes) bytes, e.g. head -c 48 /dev/urandom | base64 > '\(file)'; chmod 600 '\(file)'")
            }
            return key
        }
        guard let key = ProcessInfoLite.environment(d.pseudonymKeyEnvironment), strength(Array(key.utf8)) >= minimumBytes else {
            throw StratifyError(.usage, "pipeline \(d.path) asks for pseudonyms but $\(d.pseudonymKeyEnvironment) is unset or holds fewer than \(minimumBytes) bytes that are not spaces or line ends",
                                help: "export \(d.pseudonymKeyEnvironment) with a random secret of at least \(minimumBytes) bytes, or set pseudonym_key_file (keep the key out of the pipeline file)")
        }
        return Array(key.utf8)
    }

    /// Bytes from the first to the last that is not whitespace: a key of spaces is no secret.
    static func strength(_ key: [UInt8]) -> Int {
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }
        guard let first = key.firstIndex(where: { !blank($0) }), let last = key.lastIndex(where: { !blank($0) }) else { return 0 }
        return last - first + 1
    }

    /// Opens without blocking (a FIFO would otherwise wait for a writer forever) and checks the
    /// opened file itself, so what is checked is what is read: a regular file (a link to one is
    /// fine, as secrets mounts use them) that no other user can read or write.
    static func readKeyFile(_ file: String, pipeline: String) throws(StratifyError) -> [UInt8] {
        let fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let missing = errno == ENOENT
            throw StratifyError(.usage, "pipeline \(pipeline): the pseudonym key file '\(file)' \(missing ? "does not exist" : "cannot be opened")",
                                help: "create it with a random secret of at least \(minimumBytes) bytes, mode 0600, owned by the pipeline's user")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw StratifyError(.runFailed, "the pseudonym key file '\(file)' is not a regular file",
                                help: "point pseudonym_key_file at a regular file holding the key (not a pipe, device or folder)")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw StratifyError(.runFailed, "the pseudonym key file '\(file)' can be \(st.st_mode & 0o044 != 0 ? "read" : "written") by other users",
                                help: "chmod 600 '\(file)'")
        }
        guard st.st_size <= maximumBytes else {
            throw StratifyError(.usage, "the pseudonym key file '\(file)' is larger than \(maximumBytes) bytes, so it is not a key file",
                                help: "check pseudonym_key_file names the key")
        }
        var bytes = [UInt8](repeating: 0, count: maximumBytes + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw StratifyError(.runFailed, "the pseudonym key file '\(file)' cannot be read", help: "check its owner and mode (0600)")
            }
            if n == 0 { break }
            count += n
        }
        guard count <= maximumBytes else {
            throw StratifyError(.usage, "the pseudonym key file '\(file)' is larger than \(maximumBytes) bytes, so it is not a key file",
                                help: "check pseudonym_key_file names the key")
        }
        return Array(bytes[..<count])
    }
}
