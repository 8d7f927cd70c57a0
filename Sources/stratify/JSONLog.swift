#if canImport(Glibc)
import Glibc
#endif
import StratifyCore
import StratifyPipeline

/// `--log-json FILE`: the run's events as JSON lines, appended, for a scheduler's log shipper.
/// Each line is written with one `write` on an `O_APPEND` descriptor, so lines from successive
/// runs never interleave. A log that cannot be opened is a bad invocation (exit 64) before the
/// run starts; a failed write later is ignored, because losing a log line must not fail a run.
final class JSONLog {
    private let fd: Int32

    init(path: String) throws(StratifyError) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw StratifyError(.usage, "cannot open the JSON log '\(path)': \(String(cString: strerror(errno)))",
                                help: "pass --log-json a file in a folder this user can write")
        }
    }

    deinit { close(fd) }

    func write(_ event: RunEvent) {
        let bytes = Array(event.jsonLine().utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
    }

    /// The event for a run that stopped with an error (message and help are free of patient
    /// values by StratifyError's rule).
    static func failure(_ error: StratifyError, exitCode: Int32) -> RunEvent {
        let interrupted = error.kind == .interrupted
        var fields: [(String, JSON)] = [("status", .string(interrupted ? "interrupted" : "failed")), ("exit_code", .int(Int(exitCode))),
                                        ("message", .string(error.message))]
        if interrupted, let s = Interruption.signal { fields.append(("signal", .string(Interruption.name(of: s)))) }
        if let help = error.help { fields.append(("help", .string(help))) }
        return RunEvent("run_finished", fields, level: interrupted ? "warning" : "error")
    }

    /// Runs `body` with a log (or none), logging a failure before rethrowing it.
    static func around<T>(_ path: String?, _ body: ((RunEvent) -> Void) throws(StratifyError) -> T) throws(StratifyError) -> T {
        guard let path else { return try body { _ in } }
        let log = try JSONLog(path: path)
        do {
            return try body(log.write)
        } catch {
            log.write(failure(error, exitCode: exitCode(error.kind)))
            throw error
        }
    }
}

extension FlagSpec {
    static let logJSON = FlagSpec(name: "log-json", valueName: "file", help: "Append the run's events (stages, counts, timings, warnings, outcome) to FILE as JSON lines.")
}

/// The exit-code contract (README "Exit codes").
func exitCode(_ kind: FailureKind) -> Int32 {
    switch kind {
    case .usage: 64
    case .inputData: 65
    case .runFailed: 1
    // 128 + the signal, as a shell reports a process killed by it: 143 SIGTERM, 130 SIGINT, 129 SIGHUP.
    case .interrupted: 128 + (Interruption.signal ?? SIGTERM)
    }
}
