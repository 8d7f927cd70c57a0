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

    /// Memory the kernel says can be given to processes without swapping (`MemAvailable` of
    /// /proc/meminfo), in bytes, or `STRATIFY_MEMORY_LIMIT_BYTES` when that is set and lower (a
    /// container's limit, which /proc/meminfo does not show); nil where neither can be read.
    public static var availableMemory: Int? {
        let limit = environment("STRATIFY_MEMORY_LIMIT_BYTES").flatMap { Int($0) }
        guard let meminfo = memInfoAvailable else { return limit }
        return min(meminfo, limit ?? .max)
    }

    private static var memInfoAvailable: Int? {
        guard let f = fopen("/proc/meminfo", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(cString: line)
            guard text.hasPrefix("MemAvailable:") else { continue }
            return Int(text.dropFirst("MemAvailable:".count).split(separator: " ").first ?? "").map { $0 * 1024 }
        }
        return nil
    }

    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
