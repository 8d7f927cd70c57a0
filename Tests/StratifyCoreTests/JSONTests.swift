import Foundation
import Testing
import StratifyCore

@Test func objectKeysKeepTheirOrder() {
    let text = JSON.object([("zeta", .int(1)), ("alpha", .int(2)), ("mid", .int(3))]).render()
    let z = text.range(of: "\"zeta\"")!.lowerBound, a = text.range(of: "\"alpha\"")!.lowerBound
    let m = text.range(of: "\"mid\"")!.lowerBound
    #expect(z < a && a < m)
}

@Test func renderedDocumentParsesAsJSON() throws {
    let doc = JSON.object([
        ("name", .string("run")), ("ok", .bool(true)), ("none", .null), ("n", .int(-7)),
        ("share", .double(0.25)), ("list", .array([.int(1), .array([]), .object([])])),
        ("nested", .object([("k", .string("v"))])),
    ])
    let parsed = try JSONSerialization.jsonObject(with: Data(doc.render().utf8)) as? [String: Any]
    #expect(parsed?["name"] as? String == "run")
    #expect(parsed?["ok"] as? Bool == true)
    #expect(parsed?["none"] is NSNull)
    #expect(parsed?["n"] as? Int == -7)
    #expect(parsed?["share"] as? Double == 0.25)
    #expect((parsed?["list"] as? [Any])?.count == 3)
    #expect((parsed?["nested"] as? [String: Any])?["k"] as? String == "v")
}

@Test func stringEscapingRoundTripsThroughAJSONParser() throws {
    let tricky = "quote\" backslash\\ nl\n cr\r tab\t nul\u{0} bell\u{7} unit\u{1F} del\u{7F} é 🩺 /"
    let text = JSON.array([.string(tricky)]).render()
    let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
    #expect(parsed == [tricky])
}

@Test func controlCharactersUseShortOrUnicodeEscapes() {
    #expect(JSON.string("a\nb").render() == "\"a\\nb\"")
    #expect(JSON.string("\u{1}").render() == "\"\\u0001\"")
    #expect(JSON.string("\u{1F}").render() == "\"\\u001f\"")
}

@Test func nonFiniteDoublesRenderAsNull() {
    #expect(JSON.double(.nan).render() == "null")
    #expect(JSON.double(.infinity).render() == "null")
}

@Test func formatUsesFixedNotationWithoutTrailingZeros() {
    #expect(JSON.format(1) == "1")
    #expect(JSON.format(0.1) == "0.1")
    #expect(JSON.format(-2.5) == "-2.5")
    #expect(JSON.format(0.000001) == "0.000001")
    #expect(JSON.format(123456.5) == "123456.5")
    #expect(JSON.format(0) == "0")
}

@Test func formatRoundsToSixDecimals() {
    #expect(JSON.format(1.0 / 3.0) == "0.333333")
    #expect(JSON.format(2.0 / 3.0) == "0.666667")
    #expect(JSON.format(0.1 + 0.2) == "0.3")
}

@Test func formatNeverPrintsNegativeZero() {
    #expect(JSON.format(-0.0) == "0")
    #expect(JSON.format(-0.0000001) == "0")
}

@Test func subscriptFindsObjectKeys() {
    let doc = JSON.object([("a", .int(1)), ("b", .string("x"))])
    #expect(doc["b"] == .string("x"))
    #expect(doc["c"] == nil)
    #expect(JSON.int(1)["a"] == nil)
}
