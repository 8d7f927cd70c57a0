/// How a failure maps onto the CLI's exit-code contract (README "Exit codes").
public enum FailureKind: Sendable {
    /// Bad invocation: unknown flag, missing argument (exit 64).
    case usage
    /// Bad input data: missing file or column, quarantine over threshold, corrupt gzip (exit 65).
    case inputData
    /// Anything else that stopped the run: I/O, reference data, internal (exit 1).
    case runFailed
    /// Stopped by SIGTERM, SIGINT or SIGHUP (exit 128 + the signal: 143, 130, 129); see
    /// `Interruption`.
    case interrupted
}

/// The one error type the library throws. Messages name files, lines and columns and give a fix,
/// but never contain a patient value: callers describe the *shape* of bad values.
public struct StratifyError: Error, Sendable, CustomStringConvertible {
    public var kind: FailureKind
    public var message: String
    public var help: String?

    public init(_ kind: FailureKind, _ message: String, help: String? = nil) {
        self.kind = kind
        self.message = message
        self.help = help
    }

    public var description: String {
        help.map { "\(message)\nhelp: \($0)" } ?? message
    }
}
