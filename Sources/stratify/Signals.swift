#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import StratifyCore
import Synchronization

/// SIGTERM, SIGINT and SIGHUP during `run`: the signal is turned into an interruption request
/// (`Interruption`), which the run notices between stages and ingest blocks and unwinds like a
/// failure (staging removed, lock released, `run_finished` logged with status `interrupted`);
/// the CLI then exits 128 + the signal. Dispatch delivers the signal on a queue, outside
/// signal-handler context, so nothing here has to be async-signal-safe. Only commands that check
/// for interruption install this: others keep the default action (die at once).
enum Signals {
    /// Kept alive for the process's life: a released source stops delivering.
    private static let sources = Mutex<[DispatchSourceSignal]>([])

    static func handleInterruptions() {
        sources.withLock { kept in
            for sig in [SIGTERM, SIGINT, SIGHUP] {
                // Ignored first, or the default action would kill the process before Dispatch sees it.
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    Interruption.request(signal: sig)
                    // A second one stops the process at once (the next run cleans up after it).
                    signal(sig, SIG_DFL)
                }
                source.resume()
                kept.append(source)
            }
        }
    }
}
