import StratifyCore

/// One cell of a workbook sheet.
public enum XLSXCell: Sendable, Equatable {
    /// A string cell (never a formula, whatever it starts with), formatted as Text (`@`) so a
    /// value typed over it later stays text too. `.text("")` is written as an empty cell.
    case text(String)
    /// A number in General format. NaN and infinities have no cell form and are written empty.
    case number(Double)
    case integer(Int)
    case bool(Bool)
    /// A date as an Excel serial day number with the workbook's `yyyy-mm-dd` style. Dates Excel's
    /// 1900 date system cannot show exactly (before 1900-03-01, where its phantom 29 February 1900
    /// shifts serials, or after 9999-12-31) are written as `yyyy-mm-dd` text instead.
    case date(Day)
    case empty

    /// An NHS number in its display form, `999 136 4315`, as text: a numeric cell would show in
    /// scientific notation at the default width, and any leading zero would be lost. 0 (no number) is empty.
    public static func nhsNumber(_ number: UInt64) -> XLSXCell {
        number == 0 ? .empty : .text(XLSXCell.nhsDisplay(number))
    }

    /// `ddd ddd dddd`, zero-padded to ten digits.
    /// More than ten digits has no display form: the digits as they are. Built from bytes: it
    /// runs for every member of every cohort file and workbook.
    public static func nhsDisplay(_ number: UInt64) -> String {
        guard number < 10_000_000_000 else { return String(number) }
        var text = [UInt8](repeating: 0x20, count: 12), n = number
        for i in stride(from: 11, through: 0, by: -1) where i != 3 && i != 7 {
            text[i] = 0x30 &+ UInt8(n % 10)
            n /= 10
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Serial day of 1970-01-01 in Excel's 1900 date system.
    static let unixEpochSerial = 25_569

    /// The serial number for `day`, or nil where Excel's calendar cannot show it exactly.
    static func serial(_ day: Day) -> Int? {
        let serial = Int(day.rawValue) + unixEpochSerial
        // 61 is 1900-03-01; 2,958,465 is 9999-12-31.
        return (61...2_958_465).contains(serial) ? serial : nil
    }
}
