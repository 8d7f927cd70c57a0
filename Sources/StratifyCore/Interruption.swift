import Synchronization

/// A request to stop a run, from SIGTERM, SIGINT or SIGHUP. The CLI turns the signal into a call
/// to `request` (outside signal-handler context, through a Dispatch signal source); the library
/// calls `check` between stages and once per ingest block, and the thrown `.interrupted` error
/// unwinds through the same clean-up as any failure: staging removed, lock released. Nothing is
/// checked after a run's commit point, so a signal there lets publishing finish.
public enum Interruption {
    private static let received = Atomic<Int32>(0)

    /// The first signal wins; later ones do not change the exit code.
    public static func request(signal: Int32) {
        _ = received.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
    }

    /// The signal that asked the run to stop, if any.
    public static var signal: Int32? {
        let s = received.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    public static var isRequested: Bool { signal != nil }

    public static func check() throws(StratifyError) {
        guard let s = signal else { return }
        throw StratifyError(.interrupted, "interrupted by \(name(of: s)): the run stopped before publishing",
                            help: "previous published runs and the history are untouched; run it again when ready")
    }

    public static func name(of signal: Int32) -> String {
        switch signal {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 15: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}
