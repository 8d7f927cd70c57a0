import Testing
@testable import StratifyIngest

/// Real SNOMED CT concept ids: hypertension, asthma, diabetes mellitus, type 2 diabetes,
/// myocardial infarction, systolic and diastolic blood pressure, BMI, COPD, atrial fibrillation.
private let snomed = ["38341003", "195967001", "73211009", "44054006", "22298006", "271649006", "271650006",
                      "60621009", "13645005", "49436004"]

@Test(arguments: snomed) func realSNOMEDIdsPass(id: String) {
    #expect(Verhoeff.isValid(Array(id.utf8)))
}

@Test(arguments: snomed) func everySingleDigitSubstitutionFails(id: String) {
    let digits = Array(id.utf8)
    for position in digits.indices {
        for d in UInt8(0x30)...UInt8(0x39) where d != digits[position] {
            var changed = digits
            changed[position] = d
            #expect(!Verhoeff.isValid(changed), "\(String(decoding: changed, as: UTF8.self))")
        }
    }
}

@Test(arguments: snomed) func checkDigitReproducesTheLastDigit(id: String) {
    let digits = Array(id.utf8)
    #expect(Verhoeff.checkDigit(for: Array(digits.dropLast())) == digits.last)
}

@Test func checkDigitAlwaysMakesAValidNumber() {
    for n in stride(from: 100_000, to: 10_000_000, by: 7_919) {
        let body = Array(String(n).utf8)
        let full = body + [Verhoeff.checkDigit(for: body)]
        #expect(Verhoeff.isValid(full), "\(n)")
    }
}

@Test func adjacentTranspositionsAreCaught() {
    for id in snomed {
        let digits = Array(id.utf8)
        for i in 0..<(digits.count - 1) where digits[i] != digits[i + 1] {
            var swapped = digits
            swapped.swapAt(i, i + 1)
            #expect(!Verhoeff.isValid(swapped), "\(String(decoding: swapped, as: UTF8.self))")
        }
    }
}
