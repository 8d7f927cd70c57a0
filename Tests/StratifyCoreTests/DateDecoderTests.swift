import Testing
import StratifyCore

private func decode(_ s: String) -> Day? { DateDecoder.decodeDay(Array(s.utf8)) }
private func decodeMonth(_ s: String) -> Day? { DateDecoder.decodeDayOrMonth(Array(s.utf8)) }

@Test func decodesRealDates() {
    #expect(decode("2024-02-29") == Day(year: 2024, month: 2, day: 29))
    #expect(decode("1900-01-01") == Day(year: 1900, month: 1, day: 1))
    #expect(decode("2025-12-31") == Day(year: 2025, month: 12, day: 31))
}

@Test func rejectsDatesThatDoNotExist() {
    #expect(decode("2023-02-29") == nil)
    #expect(decode("2025-13-01") == nil)
    #expect(decode("2025-00-10") == nil)
    #expect(decode("2025-04-31") == nil)
    #expect(decode("2025-01-00") == nil)
}

@Test func rejectsOtherShapes() {
    #expect(decode("2025-1-01") == nil)
    #expect(decode("20250101") == nil)
    #expect(decode("2025/01/01") == nil)
    #expect(decode("2025-01-1 ") == nil)
    #expect(decode(" 2025-01-1") == nil)
    #expect(decode("2025-01-011") == nil)
    #expect(decode("+025-01-01") == nil)
    #expect(decode("2025-0a-01") == nil)
    #expect(decode("") == nil)
}

@Test func honoursASliceStartIndex() {
    let bytes = Array("xx2024-02-29yy".utf8)
    #expect(DateDecoder.decodeDay(bytes[2..<12]) == Day(year: 2024, month: 2, day: 29))
    #expect(DateDecoder.decodeDayOrMonth(bytes[2..<9]) == Day(year: 2024, month: 2, day: 1))
}

@Test func monthFormMeansTheFirstOfTheMonth() {
    #expect(decodeMonth("1985-07") == Day(year: 1985, month: 7, day: 1))
    #expect(decodeMonth("1985-07-14") == Day(year: 1985, month: 7, day: 14))
    #expect(decodeMonth("1985-13") == nil)
    #expect(decodeMonth("1985-00") == nil)
    #expect(decodeMonth("1985-7") == nil)
    #expect(decodeMonth("198507") == nil)
    #expect(decodeMonth("1985-07-") == nil)
}

@Test func monthFormIsOnlyForDecodeDayOrMonth() {
    #expect(decode("1985-07") == nil)
}
