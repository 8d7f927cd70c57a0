#if canImport(Glibc)
import Glibc
#endif
import StratifyCore
import StratifyExport

/// The secret for keyed pseudonyms (HMAC-SHA256): from a file (`pseudonym_key_file`, for
/// systemd credentials or a secrets mount) or else an environment variable (`pseudonym_key_env`).
/// The key is never written to an output, a log or an error: messages name where it was looked
/// for, not what was found.
enum PseudonymKey {
    static let minimumBytes = 16

    static func identifier(for d: PipelineDefinition) throws(StratifyError) -> CohortCSV.Identifier {
        guard d.identifiers == .pseudonym else { return .nhsNumber }
        return .pseudonym(HMACSHA256(key: try key(for: d)))
    }

    static func key(for d: PipelineDefinition) throws(StratifyError) -> [UInt8] {
        if let file = d.pseudonymKeyFile {
            var st = stat()
            guard stat(file, &st) == 0 else {
                throw StratifyError(.usage, "pipeline \(d.path): the pseudonym key file '\(file)' does not exist",
                                    help: "create it with a secret of at least \(minimumBytes) bytes, mode 0600")
            }
            guard st.st_mode & 0o077 == 0 else {
                throw StratifyError(.runFailed, "the pseudonym key file '\(file)' can be read by other users",
                                    help: "chmod 600 '\(file)'")
            }
            var key = try FileSystem.readAll(file)
            while let last = key.last, last == 0x0A || last == 0x0D { key.removeLast() }  // editors add a newline
            guard key.count >= minimumBytes else {
                throw StratifyError(.usage, "the pseudonym key file '\(file)' holds fewer than \(minimumBytes) bytes",
                                    help: "use a random secret of at least \(minimumBytes) bytes, e.g. head -c 32 /dev/urandom | base64")
            }
            return key
        }
        guard let key = ProcessInfoLite.environment(d.pseudonymKeyEnvironment), key.utf8.count >= minimumBytes else {
            throw StratifyError(.usage, "pipeline \(d.path) asks for pseudonyms but $\(d.pseudonymKeyEnvironment) is unset or shorter than \(minimumBytes) bytes",
                                help: "export \(d.pseudonymKeyEnvironment) with a secret of at least \(minimumBytes) bytes, or set pseudonym_key_file (keep the key out of the pipeline file)")
        }
        return Array(key.utf8)
    }
}
