#if canImport(Glibc)
import Glibc
#endif

/// Monotonic wall-clock readings for stage timings (never for data: data outputs carry no time).
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }
}

/// The few process facts the pipeline needs, without Foundation.
public enum ProcessInfoLite {
    public static var activeProcessorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Peak resident set size of this process, in bytes (Linux: ru_maxrss is in KiB).
    public static var peakRSS: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }

    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
