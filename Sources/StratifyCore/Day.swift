/// A calendar date as whole days since 1970-01-01 (proleptic Gregorian).
///
/// Every date in Stratify is a `Day`: windows, ages and comparisons are integer arithmetic, so the
/// hot paths never touch `Date`, `Calendar` or `DateFormatter` (slow, and not thread-safe on Linux).
/// Conversions follow Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    @inlinable public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Returns nil when the triple is not a real date (month 13, 30 February, 29 February 2023...),
    /// or is one whose day count would not fit `rawValue` (beyond ±5 million years; converting it
    /// trapped, found by fuzzing `make_date`).
    @inlinable public init?(year: Int, month: Int, day: Int) {
        guard (-5_000_000...5_000_000).contains(year), (1...12).contains(month), day >= 1,
              day <= Day.daysInMonth(year: year, month: month) else {
            return nil
        }
        self.rawValue = Int32(Day.daysFromCivil(year: year, month: month, day: day))
    }

    @inlinable public static func < (a: Day, b: Day) -> Bool { a.rawValue < b.rawValue }

    @inlinable public static func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    @inlinable public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    @inlinable static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// (year, month, day) of this date.
    @inlinable public var civil: (year: Int, month: Int, day: Int) {
        let z = Int(rawValue) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// This date minus `months` calendar months, keeping the day of month and clamping to the
    /// month's end (2025-03-31 minus 1 month is 2025-02-28), as rules.md §0 defines windows.
    public func minusMonths(_ months: Int) -> Day {
        let (y, m, d) = civil
        let total = y * 12 + (m - 1) - months
        let ny = total >= 0 ? total / 12 : (total - 11) / 12
        let nm = total - ny * 12 + 1
        let nd = min(d, Day.daysInMonth(year: ny, month: nm))
        return Day(rawValue: Int32(Day.daysFromCivil(year: ny, month: nm, day: nd)))
    }

    public func plusDays(_ n: Int) -> Day { Day(rawValue: rawValue + Int32(n)) }

    /// Whole years completed on `asOf` by someone born on `self`. A 29 February birthday falls on
    /// 1 March in non-leap years (rules.md §0).
    public func age(on asOf: Day) -> Int {
        let b = civil, a = asOf.civil
        var years = a.year - b.year
        // Compare (month, day) with the birthday moved to 1 March when 29 Feb doesn't exist.
        var bm = b.month, bd = b.day
        if bm == 2 && bd == 29 && !Day.isLeapYear(a.year) { bm = 3; bd = 1 }
        if (a.month, a.day) < (bm, bd) { years -= 1 }
        return years
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        var bytes: [UInt8] = []
        appendISO(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DD` to `bytes`: the definition of `description`, without a `String` per
    /// date, for output files with a date per patient and field.
    public func appendISO(to bytes: inout [UInt8]) {
        let (y, m, d) = civil
        if y >= 0 && y <= 9999 {
            // Ten byte stores instead of three Strings (the common case: every real date).
            bytes.append(0x30 &+ UInt8(y / 1000)); bytes.append(0x30 &+ UInt8(y / 100 % 10))
            bytes.append(0x30 &+ UInt8(y / 10 % 10)); bytes.append(0x30 &+ UInt8(y % 10))
            bytes.append(0x2D); bytes.append(0x30 &+ UInt8(m / 10)); bytes.append(0x30 &+ UInt8(m % 10))
            bytes.append(0x2D); bytes.append(0x30 &+ UInt8(d / 10)); bytes.append(0x30 &+ UInt8(d % 10))
            return
        }
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        bytes += "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))".utf8
    }

    /// Parses exactly `YYYY-MM-DD` (for command-line flags and reference files, not the hot path).
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard let day = DateDecoder.decodeDay(bytes[...]) else { return nil }
        self = day
    }
}

/// Byte-level date decoding for the hot path: no allocation, no Foundation.
public enum DateDecoder {
    /// `YYYY-MM-DD`, a real calendar date. Returns nil for any other shape or an invalid day.
    @inlinable public static func decodeDay<C: Collection>(_ f: C) -> Day? where C.Element == UInt8, C.Index == Int {
        guard f.count == 10 else { return nil }
        let s = f.startIndex
        guard f[s + 4] == 0x2D, f[s + 7] == 0x2D else { return nil }
        guard let y = number(f, s, 4), let m = number(f, s + 5, 2), let d = number(f, s + 8, 2) else { return nil }
        return Day(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD` or `YYYY-MM` (the 1st of the month), as the contract allows for dates of birth.
    @inlinable public static func decodeDayOrMonth<C: Collection>(_ f: C) -> Day? where C.Element == UInt8, C.Index == Int {
        if f.count == 10 { return decodeDay(f) }
        guard f.count == 7 else { return nil }
        let s = f.startIndex
        guard f[s + 4] == 0x2D, let y = number(f, s, 4), let m = number(f, s + 5, 2) else { return nil }
        return Day(year: y, month: m, day: 1)
    }

    @inlinable static func number<C: Collection>(_ f: C, _ at: Int, _ n: Int) -> Int? where C.Element == UInt8, C.Index == Int {
        var v = 0
        for i in at..<(at + n) {
            let d = Int(f[i]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            v = v &* 10 &+ d
        }
        return v
    }
}
