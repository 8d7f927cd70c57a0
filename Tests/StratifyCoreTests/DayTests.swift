import Testing
import StratifyCore

/// Gregorian leap rule, written out here so the walk below does not lean on `Day.isLeapYear`.
private func leap(_ y: Int) -> Bool { y % 400 == 0 || (y % 4 == 0 && y % 100 != 0) }
private func monthLength(_ y: Int, _ m: Int) -> Int {
    [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
}

private func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

@Test func civilRoundTripMatchesAnIndependentDayCountForwardFrom1970() {
    var (y, m, d) = (1970, 1, 1)
    var count: Int32 = 0
    while y < 2400 {
        let date = Day(year: y, month: m, day: d)
        #expect(date?.rawValue == count, "\(y)-\(m)-\(d)")
        let back = Day(rawValue: count).civil
        #expect(back.year == y && back.month == m && back.day == d, "\(count)")
        if date?.rawValue != count { return }
        count += 1
        d += 1
        if d > monthLength(y, m) { d = 1; m += 1 }
        if m > 12 { m = 1; y += 1 }
    }
}

@Test func civilRoundTripMatchesAnIndependentDayCountBackwardFrom1970() {
    var (y, m, d) = (1969, 12, 31)
    var count: Int32 = -1
    while y >= 1600 {
        let date = Day(year: y, month: m, day: d)
        #expect(date?.rawValue == count, "\(y)-\(m)-\(d)")
        let back = Day(rawValue: count).civil
        #expect(back.year == y && back.month == m && back.day == d, "\(count)")
        if date?.rawValue != count { return }
        count -= 1
        d -= 1
        if d == 0 {
            m -= 1
            if m == 0 { m = 12; y -= 1 }
            d = monthLength(y, m)
        }
    }
}

@Test func knownEpochOffsets() {
    // 2000-01-01 is 10957 days after 1970-01-01 (30 years, 7 of them leap); 1900-01-01 is 25567 before.
    #expect(day(2000, 1, 1).rawValue == 10957)
    #expect(day(1900, 1, 1).rawValue == -25567)
    #expect(day(1970, 1, 1).rawValue == 0)
}

@Test func leapYears() {
    #expect(Day.isLeapYear(2000))
    #expect(!Day.isLeapYear(1900))
    #expect(Day.isLeapYear(2024))
    #expect(!Day.isLeapYear(2023))
    #expect(Day(year: 2000, month: 2, day: 29) != nil)
    #expect(Day(year: 1900, month: 2, day: 29) == nil)
    #expect(Day(year: 2024, month: 2, day: 29) != nil)
}

@Test func initRejectsDatesThatDoNotExist() {
    #expect(Day(year: 2023, month: 2, day: 29) == nil)
    #expect(Day(year: 2025, month: 4, day: 31) == nil)
    #expect(Day(year: 2025, month: 13, day: 1) == nil)
    #expect(Day(year: 2025, month: 0, day: 1) == nil)
    #expect(Day(year: 2025, month: 1, day: 0) == nil)
    #expect(Day(year: 2025, month: 1, day: 32) == nil)
    #expect(Day(year: 2025, month: 4, day: 30) != nil)
    #expect(Day(year: 2025, month: 12, day: 31) != nil)
}

/// Years whose day count does not fit Int32 are not dates (converting them trapped).
@Test func initRejectsYearsBeyondTheDayRange() {
    #expect(Day(year: 99_999_999_999, month: 1, day: 1) == nil)
    #expect(Day(year: -5_000_001, month: 1, day: 1) == nil)
    #expect(Day(year: 5_000_000, month: 12, day: 31)?.civil.year == 5_000_000)
    #expect(Day(year: -5_000_000, month: 1, day: 1)?.civil.year == -5_000_000)
}

@Test func minusMonthsClampsToTheEndOfShorterMonths() {
    #expect(day(2025, 3, 31).minusMonths(1) == day(2025, 2, 28))
    #expect(day(2024, 3, 31).minusMonths(1) == day(2024, 2, 29))
    #expect(day(2025, 5, 31).minusMonths(3) == day(2025, 2, 28))
    #expect(day(2025, 5, 31).minusMonths(1) == day(2025, 4, 30))
    #expect(day(2025, 3, 15).minusMonths(1) == day(2025, 2, 15))
}

@Test func minusMonthsCrossesYearBoundaries() {
    #expect(day(2025, 1, 31).minusMonths(1) == day(2024, 12, 31))
    #expect(day(2025, 2, 28).minusMonths(12) == day(2024, 2, 28))
    #expect(day(2024, 2, 29).minusMonths(12) == day(2023, 2, 28))
    #expect(day(2025, 3, 31).minusMonths(13) == day(2024, 2, 29))
    #expect(day(2025, 6, 30).minusMonths(66) == day(2019, 12, 30))
    #expect(day(2025, 6, 30).minusMonths(0) == day(2025, 6, 30))
}

@Test func ageCountsTheBirthdayItself() {
    let born = day(1980, 6, 15)
    #expect(born.age(on: day(2025, 6, 15)) == 45)
    #expect(born.age(on: day(2025, 6, 14)) == 44)
    #expect(born.age(on: day(2025, 12, 31)) == 45)
    #expect(born.age(on: born) == 0)
}

@Test func leapDayBirthdayFallsOnFirstMarchInNonLeapYears() {
    let born = day(2000, 2, 29)
    #expect(born.age(on: day(2025, 2, 28)) == 24)
    #expect(born.age(on: day(2025, 3, 1)) == 25)
    // In a leap year the birthday is 29 February itself.
    #expect(born.age(on: day(2024, 2, 28)) == 23)
    #expect(born.age(on: day(2024, 2, 29)) == 24)
}

@Test func descriptionAndISOParsingRoundTrip() {
    #expect(day(2025, 3, 7).description == "2025-03-07")
    #expect(day(987, 1, 1).description == "0987-01-01")
    #expect(Day(iso: "2024-02-29") == day(2024, 2, 29))
    #expect(Day(iso: "2024-2-29") == nil)
}
