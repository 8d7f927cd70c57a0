import Foundation
import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference
import Testing

/// Measure files are refused with their file and JSON path (docs/measures.md).
@Suite struct MeasureDefinitionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let ruleSet = try! RuleSetCompiler.compile(path: root + "/reference/rules/stratify-v1.rules",
                                                      reference: try! ReferenceData(root: root + "/reference"))

    static func parse(_ measure: String) throws -> [MeasureDefinition] {
        try MeasureSet.parse(Array(#"{"measures": [\#(measure)]}"#.utf8), path: "x.json")
    }

    static let good = #""name": "m", "label": "l", "numerator": "reg_hyp", "denominator": "age >= 18", "source": {"qof": "HYP001"}"#

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch let e as StratifyError { return e.message } catch { return "\(error)" }
    }

    @Test func aGoodMeasureParsesWithDefaultGroupings() throws {
        let m = try Self.parse("{\(Self.good)}")
        #expect(m[0].groupings.first == [.icb])
        #expect(m[0].groupings.contains([.practice]) && m[0].ageBandYears == 5)
    }

    @Test func anUnknownFieldIsRefusedWithItsPath() {
        let text = message { _ = try Self.parse("{\(Self.good), \"numerater\": \"x\"}") }
        #expect(text.contains("x.json, $.measures[0].numerater: unknown field"))
    }

    @Test func anUnknownDimensionIsRefusedWithItsPath() {
        let text = message { _ = try Self.parse("{\(Self.good), \"groupings\": [\"practice\", [\"practice\", \"postcode\"]]}") }
        #expect(text.contains("$.measures[0].groupings[1][1]"))
    }

    @Test func aTargetAsAPercentageIsRefused() {
        let text = message { _ = try Self.parse("{\(Self.good), \"target\": 60}") }
        #expect(text.contains("$.measures[0].target"))
    }

    @Test func aMissingSourceIsRefused() {
        let text = message { _ = try Self.parse(#"{"name": "m", "label": "l", "numerator": "true", "denominator": "true"}"#) }
        #expect(text.contains("$.measures[0].source: is required"))
    }

    @Test func nestingDeeperThanTheLimitIsRefused() {
        let deep = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        let text = message { _ = try MeasureSet.parse(Array(#"{"measures": \#(deep)}"#.utf8), path: "x.json") }
        #expect(text.contains("x.json") && text.contains("not valid JSON"))
    }

    @Test func aBadExpressionIsRefusedWithPathLineAndColumn() throws {
        let set = MeasureSet(measures: try Self.parse(#"{"name": "m", "label": "l", "numerator": "reg_hyp and", "denominator": "true", "source": {"rules": "t"}}"#))
        let text = message { _ = try set.compile(ruleSet: Self.ruleSet, externals: []) }
        #expect(text.contains("x.json, $.measures[0].numerator"))
        #expect(text.contains("line 1"))
    }

    @Test func aNonBooleanNumeratorIsRefused() throws {
        let set = MeasureSet(measures: try Self.parse(#"{"name": "m", "label": "l", "numerator": "ltc_count", "denominator": "true", "source": {"rules": "t"}}"#))
        let text = message { _ = try set.compile(ruleSet: Self.ruleSet, externals: []) }
        #expect(text.contains("$.measures[0].numerator: a numerator must be true/false"))
    }

    @Test func aMeasureNamedTwiceAcrossFilesIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("measures-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/codelists", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/measures", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.root + "/reference/measures/prevalence.csv", toPath: dir + "/measures/prevalence.csv")
        try #"{"measures": [{"name": "reg_hyp", "label": "l", "numerator": "true", "denominator": "true", "source": {"rules": "t"}}]}"#
            .write(toFile: dir + "/measures/extra.json", atomically: true, encoding: .utf8)
        let text = message { _ = try MeasureSet.load(reference: try ReferenceData(root: dir)) }
        #expect(text.contains("extra.json, $.measures[0].name: measure 'reg_hyp' is already defined"))
    }

    @Test func theShippedFilesCompileAgainstTheV1RuleSet() throws {
        let set = try MeasureSet.load(reference: try ReferenceData(root: Self.root + "/reference"))
        let scores: [(name: String, type: ValueType)] = [("efi_category", .string), ("efi", .number), ("efi_deficits", .int),
                                                         ("cms_score", .number), ("cms_conditions", .int), ("priority", .string),
                                                         ("priority_reason", .string), ("segment", .string)]
        let compiled = try set.compile(ruleSet: Self.ruleSet, externals: scores)
        #expect(compiled.count == 22 + 18)
    }
}
