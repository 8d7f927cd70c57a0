@testable import StratifyFlags
import Testing

/// `BloodPressureState.decimal` recovers the recorded decimal from the Float the engine keeps.
@Suite struct BloodPressureDecimalTests {
    @Test func everyReadingWithOneDecimalComesBackExactly() {
        for k in 0...4_000 {
            let recorded = Double(k) / 10  // the Double nearest k/10, as the CSV decoder makes it
            #expect(BloodPressureState.decimal(Float(recorded)) == recorded, "k = \(k)")
        }
    }

    @Test func everyReadingWithTwoDecimalsComesBackExactly() {
        var wrong = 0
        for k in 0...40_000 where BloodPressureState.decimal(Float(Double(k) / 100)) != Double(k) / 100 { wrong += 1 }
        #expect(wrong == 0)
    }

    @Test func wholeNumbersAndExtremesAreUnchanged() {
        #expect(BloodPressureState.decimal(140) == 140)
        #expect(BloodPressureState.decimal(0) == 0)
        #expect(BloodPressureState.decimal(-12.5) == -12.5)
        #expect(BloodPressureState.decimal(2_000_000) == 2_000_000)  // past the grid: as stored
    }
}
