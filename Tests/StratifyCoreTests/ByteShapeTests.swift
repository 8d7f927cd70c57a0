import Testing
import StratifyCore

/// Words ByteShape may use: anything else in a description could have come from the value.
private let vocabulary: Set<String> = [
    "byte", "bytes", "digits", "upper-case", "lower-case", "letters", "spaces", "non-ASCII", "control",
]

/// Checks that `describe(value)` starts with the byte count and that the rest holds no digit and
/// no word outside the fixed vocabulary (punctuation is shown in quotes, by design).
private func revealsNothing(_ value: String) -> Bool {
    let text = ByteShape.describe(Array(value.utf8))
    guard !value.isEmpty else { return text == "empty" }
    let n = value.utf8.count
    let prefix = n == 1 ? "1 byte: " : "\(n) bytes: "
    guard text.hasPrefix(prefix) else { return false }
    let rest = text.dropFirst(prefix.count)
    if rest.contains(where: \.isNumber) { return false }
    for word in rest.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ":" }) where !word.hasPrefix("'") {
        if !vocabulary.contains(String(word)) { return false }
    }
    return !text.contains(value)
}

@Test func describesWithoutRevealingTheValue() {
    for value in ["M83001", "9434765919", "1985-07-14", "John Smith", "ab", "z", "E01000001", "27.4", "café"] {
        #expect(revealsNothing(value), "\(value)")
    }
}

@Test func practiceCodeIsNotInItsDescription() {
    let text = ByteShape.describe(Array("M83001".utf8))
    #expect(!text.contains("M83001"))
    #expect(!text.contains("83001"))
    #expect(!text.contains("M"))
}

@Test func namesTheCharacterClassesPresent() {
    let text = ByteShape.describe(Array("Ab1 é".utf8))
    #expect(text.hasPrefix("6 bytes"))
    for cls in ["digits", "upper-case letters", "lower-case letters", "spaces", "non-ASCII bytes"] {
        #expect(text.contains(cls), "\(cls)")
    }
}

@Test func emptyAndSingularDescriptions() {
    #expect(ByteShape.describe([UInt8]()) == "empty")
    #expect(ByteShape.describe([0x31]).hasPrefix("1 byte:"))
}
