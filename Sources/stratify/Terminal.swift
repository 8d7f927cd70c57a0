#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// All of the CLI's output goes through here: results to stdout, diagnostics and progress to
/// stderr, progress only when stderr is a terminal and not `--quiet`.
enum Terminal {
    nonisolated(unsafe) static var quiet = false

    static var stderrIsTTY: Bool { isatty(2) == 1 }
    static var stdoutIsTTY: Bool { isatty(1) == 1 }

    static func out(_ s: String) {
        if quiet { return }
        write(1, s + "\n")
    }

    static func err(_ s: String) { write(2, s + "\n") }

    static func progress(_ s: String) {
        guard !quiet, stderrIsTTY else { return }
        write(2, "\r\u{1B}[K" + s)
    }

    static func endProgress() {
        guard !quiet, stderrIsTTY else { return }
        write(2, "\r\u{1B}[K")
    }

    private static func write(_ fd: Int32, _ s: String) {
        var bytes = Array(s.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { return }  // EPIPE etc.: nothing more can be said there.
                off += n
            }
        }
    }

    static func megabytes(_ bytes: Int64) -> String { JSON.format((Double(bytes) / 1_048_576 * 10).rounded() / 10) }
}
