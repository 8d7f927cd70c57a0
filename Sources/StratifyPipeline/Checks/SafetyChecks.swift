import StratifyCore

/// Refusals that protect an unattended run from its environment (docs/reliability.md, "What a
/// run refuses"). Refused, not warned about: nobody reads warnings at 2 a.m.
public enum SafetyChecks {
    /// A reference folder, or any folder or file in it, that the group or others may write would
    /// let another local user change the code lists a run trusts. `run`, `flags` and `doctor`
    /// refuse it (exit 1).
    public static func refuseWritableReference(_ root: String) throws(StratifyError) {
        guard let found = FileSystem.firstWritableByOthers(under: root) else { return }
        throw StratifyError(.runFailed, "the reference \(found == root ? "folder" : "entry") '\(found)' is writable by other users (group or others)",
                            help: "remove the write bits: chmod -R go-w '\(root)' (stratify doctor checks this)")
    }

    /// An output root the group or others may write (sticky or not) would let them plant links
    /// or swap `latest`: refused before the lock is taken (exit 1).
    public static func refuseWritableOutputRoot(_ path: String) throws(StratifyError) {
        guard FileSystem.isWritableByOthers(path) else { return }
        throw StratifyError(.runFailed, "the output root '\(path)' is writable by other users (group or others)",
                            help: "remove the write bits: chmod go-w '\(path)' (stratify doctor checks this)")
    }
}
