#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// Runs a program and waits for it. Unsafe because `posix_spawn` takes C strings: they are
/// `strdup`ed here, live only for the call, and are freed before returning.
enum ChildProcess {
    /// The child's wait status (0 when it exited with 0). Output goes to this process's stdout.
    static func run(_ arguments: [String]) throws(StratifyError) -> Int32 {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        guard posix_spawn(&pid, argv[0]!, nil, nil, argv, environ) == 0 else {
            throw StratifyError(.runFailed, "could not start \(arguments[0])")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}
