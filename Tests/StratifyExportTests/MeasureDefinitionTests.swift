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
        let text = message { _ = try MeasureSet.load(reference: try ReferenceData(root: dir), ruleSet: "stratify-v1") }
        #expect(text.contains("extra.json, $.measures[0].name: measure 'reg_hyp' is already defined"))
    }

    /// A reference folder with prevalence.csv, a rules/ folder naming `ruleSets` (only their
    /// `ruleset` lines) and the given measure files.
    func reference(ruleSets: [String], files: [String: String], _ body: (ReferenceData) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("measures-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["codelists", "measures", "rules"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: Self.root + "/reference/measures/prevalence.csv", toPath: dir + "/measures/prevalence.csv")
        for (i, name) in ruleSets.enumerated() {
            try "# test\nruleset \"\(name)\" version \"1\"\n".write(toFile: dir + "/rules/r\(i).rules", atomically: true, encoding: .utf8)
        }
        for (name, text) in files { try text.write(toFile: dir + "/measures/" + name, atomically: true, encoding: .utf8) }
        try body(try ReferenceData(root: dir))
    }

    static func file(ruleSets: String?, name: String) -> String {
        let r = ruleSets.map { #""rule_sets": \#($0), "# } ?? ""
        return #"{\#(r)"measures": [{"name": "\#(name)", "label": "l", "numerator": "true", "denominator": "true", "source": {"rules": "t"}}]}"#
    }

    @Test func aFileForAnotherRuleSetIsSkippedAndListed() throws {
        try reference(ruleSets: ["stratify-v1", "stratify-v2"], files: ["v2.json": Self.file(ruleSets: #"["stratify-v2"]"#, name: "only_v2")]) { ref in
            let set = try MeasureSet.load(reference: ref, ruleSet: "stratify-v1")
            #expect(!set.measures.contains { $0.name == "only_v2" })
            #expect(set.files.isEmpty)
            #expect(set.skipped.map(\.path) == [ref.root + "/measures/v2.json"])
            #expect(set.skipped.first?.ruleSets == ["stratify-v2"])
        }
    }

    @Test func aFileForTheRunsRuleSetIsComputed() throws {
        try reference(ruleSets: ["stratify-v1", "stratify-v2"], files: ["v2.json": Self.file(ruleSets: #"["stratify-v2"]"#, name: "only_v2")]) { ref in
            let set = try MeasureSet.load(reference: ref, ruleSet: "stratify-v2")
            #expect(set.measures.contains { $0.name == "only_v2" })
            #expect(set.skipped.isEmpty && set.files.count == 1)
        }
    }

    @Test func aFileWithoutRuleSetsAppliesToEveryRuleSet() throws {
        try reference(ruleSets: ["stratify-v1", "stratify-v2"], files: ["all.json": Self.file(ruleSets: nil, name: "everywhere")]) { ref in
            for name in ["stratify-v1", "stratify-v2", "a-local-rule-set"] {
                let set = try MeasureSet.load(reference: ref, ruleSet: name)
                #expect(set.measures.contains { $0.name == "everywhere" })
            }
        }
    }

    @Test func anUnknownRuleSetNameIsRefusedWithFileAndPath() throws {
        try reference(ruleSets: ["stratify-v1", "stratify-v2"],
                      files: ["typo.json": Self.file(ruleSets: #"["stratify-v2", "stratify-v3"]"#, name: "m")]) { ref in
            let text = message { _ = try MeasureSet.load(reference: ref, ruleSet: "stratify-v1") }
            #expect(text.contains("typo.json, $.rule_sets[1]: unknown rule set 'stratify-v3'"), "\(text)")
            #expect(text.contains("stratify-v1, stratify-v2"))
        }
    }

    @Test func anEmptyRuleSetListIsRefused() {
        let text = message { _ = try MeasureSet.parse(Array(Self.file(ruleSets: "[]", name: "m").utf8), path: "x.json") }
        #expect(text.contains("x.json, $.rule_sets: expected a non-empty list"), "\(text)")
    }

    @Test func aRuleSetNamedTwiceIsRefused() {
        let text = message { _ = try MeasureSet.parse(Array(Self.file(ruleSets: #"["a", "a"]"#, name: "m").utf8), path: "x.json") }
        #expect(text.contains("x.json, $.rule_sets[1]: 'a' is listed twice"), "\(text)")
    }

    @Test func aMeasureNameMayBeReusedByFilesForDifferentRuleSets() throws {
        try reference(ruleSets: ["stratify-v1", "stratify-v2"],
                      files: ["a.json": Self.file(ruleSets: #"["stratify-v1"]"#, name: "same"),
                              "b.json": Self.file(ruleSets: #"["stratify-v2"]"#, name: "same")]) { ref in
            let v1 = try MeasureSet.load(reference: ref, ruleSet: "stratify-v1"), v2 = try MeasureSet.load(reference: ref, ruleSet: "stratify-v2")
            #expect(v1.measures.filter { $0.name == "same" }.count == 1)
            #expect(v2.measures.filter { $0.name == "same" }.count == 1)
        }
    }

    @Test func theShippedV2FileIsSkippedForTheV1RuleSet() throws {
        let set = try MeasureSet.load(reference: try ReferenceData(root: Self.root + "/reference"), ruleSet: "stratify-v1")
        #expect(set.skipped.map { $0.path.hasSuffix("/measures/achievement-v2.json") } == [true])
    }

    @Test func theShippedFilesCompileAgainstTheV2RuleSet() throws {
        let reference = try ReferenceData(root: Self.root + "/reference")
        let v2 = try RuleSetCompiler.compile(path: Self.root + "/reference/rules/stratify-v2.rules", reference: reference)
        let set = try MeasureSet.load(reference: reference, ruleSet: v2.name)
        let scores: [(name: String, type: ValueType)] = [("efi_category", .string), ("efi", .number), ("efi_deficits", .int),
                                                         ("cms_score", .number), ("cms_conditions", .int), ("priority", .string),
                                                         ("priority_reason", .string), ("segment", .string)]
        let compiled = try set.compile(ruleSet: v2, externals: scores)
        #expect(compiled.count == 22 + 18 + 10)
        #expect(set.skipped.isEmpty)
        let v2Names = ["af_anticoag", "cvd_llt", "dm_hba1c_58", "flu_65", "pneumo_65", "shingles_70_79", "covid", "frailty_mod_sev",
                       "care_home", "housebound"]
        #expect(Set(v2Names).isSubset(of: Set(set.measures.map(\.name))))
    }

    @Test func theShippedFilesCompileAgainstTheV1RuleSet() throws {
        let set = try MeasureSet.load(reference: try ReferenceData(root: Self.root + "/reference"), ruleSet: "stratify-v1")
        let scores: [(name: String, type: ValueType)] = [("efi_category", .string), ("efi", .number), ("efi_deficits", .int),
                                                         ("cms_score", .number), ("cms_conditions", .int), ("priority", .string),
                                                         ("priority_reason", .string), ("segment", .string)]
        let compiled = try set.compile(ruleSet: Self.ruleSet, externals: scores)
        #expect(compiled.count == 22 + 18)
    }
}
