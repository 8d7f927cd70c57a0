import StratifyCore

/// Refusals that protect an unattended run from its environment.
enum SafetyChecks {
    /// A world-writable reference folder would let any local user change the code lists a run
    /// trusts; a world-writable output root would let them swap `latest` or plant files that look
    /// published. Either is refused, not warned about: nobody reads warnings at 2 a.m.
    static func refuseWorldWritable(_ path: String, what: String) throws(StratifyError) {
        guard FileSystem.isWorldWritable(path) else { return }
        throw StratifyError(.runFailed, "the \(what) '\(path)' is writable by every user",
                            help: "remove the write bit for others: chmod o-w '\(path)' (stratify doctor checks this)")
    }
}
