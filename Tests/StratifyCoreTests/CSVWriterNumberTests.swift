import StratifyCore
import Testing

@Suite struct CSVWriterNumberTests {
    @Test func aNegativeNumberIsWrittenAsANumber() {
        var w = CSVWriter()
        w.number("-0.25")
        #expect(String(decoding: w.bytes, as: UTF8.self) == "-0.25")
    }

    @Test func aFormulaPassedAsANumberIsStillNeutralised() {
        var w = CSVWriter()
        w.number("-2+3")
        #expect(String(decoding: w.bytes, as: UTF8.self) == "'-2+3")
    }
}
