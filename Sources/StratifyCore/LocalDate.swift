#if canImport(Glibc)
import Glibc
#endif

/// The machine's local calendar date, the default as-of date (rules.md §0).
public enum LocalDate {
    public static func today() -> Day {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return Day(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))!
    }
}
