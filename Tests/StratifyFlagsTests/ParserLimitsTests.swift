import Foundation
import StratifyCore
import StratifyExport
import StratifyFlags
import Testing

/// Every parser input is bounded (docs/rules-format.md, Limits): text that would overflow the
/// stack in the parser, the compiler or the evaluator is an error at a line and column.
@Suite struct ParserLimitsTests {
    /// The error's message, or nil when `body` succeeded.
    func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return (error as? StratifyError)?.message ?? "\(error)" }
        return nil
    }

    @Test func bracketsNested5000DeepAreAnError() {
        let text = String(repeating: "(", count: 5_000) + "age > 1" + String(repeating: ")", count: 5_000)
        let m = message { _ = try Parser.parseExpression(text, file: "c") }
        #expect(m?.contains("c, line 1, column \(Parser.maxDepth + 1): an expression may be nested at most \(Parser.maxDepth) levels") == true, "\(m ?? "parsed")")
    }

    @Test func aChainOf200000AndsIsAnError() {
        let text = Array(repeating: "reg_hyp", count: 200_001).joined(separator: " and ")
        let m = message { _ = try Parser.parseExpression(text, file: "c") }
        #expect(m?.contains("may be at most \(Parser.maxExpressionBytes) bytes") == true, "\(m ?? "parsed")")
    }

    @Test func moreThanMaxTermsIsAnError() {
        let text = Array(repeating: "a", count: Parser.maxTerms + 1).joined(separator: " or ")
        #expect(text.utf8.count <= Parser.maxExpressionBytes)
        let m = message { _ = try Parser.parseExpression(text, file: "c") }
        #expect(m?.contains("at most \(Parser.maxTerms) terms") == true, "\(m ?? "parsed")")
    }

    @Test func notRepeated5000TimesIsAnError() {
        let text = String(repeating: "not ", count: 5_000) + "reg_hyp"
        let m = message { _ = try Parser.parseExpression(text, file: "c") }
        #expect(m?.contains("nested at most") == true, "\(m ?? "parsed")")
    }

    @Test func unaryMinusRepeated5000TimesIsAnError() {
        let text = String(repeating: "- ", count: 5_000) + "1 > 0"
        let m = message { _ = try Parser.parseExpression(text, file: "c") }
        #expect(m?.contains("nested at most") == true, "\(m ?? "parsed")")
    }

    @Test func aLongArithmeticChainCountsOneLevelPerOperator() {
        let text = Array(repeating: "age", count: Parser.maxDepth + 2).joined(separator: " + ") + " > 0"
        let m = message { _ = try Parser.parseExpression(text, file: "c") }
        #expect(m?.contains("nested at most") == true, "\(m ?? "parsed")")
    }

    /// `and` / `or` chains are balanced, so a long flat list of conditions is within the depth
    /// limit, compiles, and means what the left-to-right reading means.
    @Test func aFlatChainOf3000AndsCompilesAndEvaluates() throws {
        let text = Array(repeating: "reg_hyp", count: 3_000).joined(separator: " and ")
        let r = try FlagFixture.run(asOf: "2025-03-31", patients: "p1,1950-01-01,female\np2,1950-01-01,male",
                                    events: "p1,2015-01-01,hyp_cod")
        let c = try CohortCondition(text, file: "c", ruleSet: r.flags.ruleSet, externals: r.scores)
        let members = c.members(r.flags, externals: r.scores).map { String(decoding: r.flags.patients.index.key($0), as: UTF8.self) }
        #expect(members == ["p1"])
    }

    @Test func aRuleFileNested8000DeepIsAnError() {
        let source = "ruleset \"t\" version \"1\"\nlet x = " + String(repeating: "(", count: 8_000) + "1" + String(repeating: ")", count: 8_000) + "\n"
        let m = message { _ = try Parser.parse(source, file: "r.rules") }
        #expect(m?.contains("r.rules, line 2, column \(8 + Parser.maxDepth + 1): an expression may be nested") == true, "\(m ?? "parsed")")
    }

    @Test func aListChainDeeperThanTheLimitIsAnError() {
        let source = "ruleset \"t\" version \"1\"\ncodelist A = " + Array(repeating: "\"a.csv\"", count: Parser.maxDepth + 2).joined(separator: " | ") + "\n"
        let m = message { _ = try Parser.parse(source, file: "r.rules") }
        #expect(m?.contains("nested at most") == true, "\(m ?? "parsed")")
    }

    @Test func aRuleFileOverTheByteLimitIsAnError() {
        let source = "ruleset \"t\" version \"1\"\n" + String(repeating: "# padding\n", count: Parser.maxRuleSetBytes / 10 + 1)
        let m = message { _ = try Parser.parse(source, file: "r.rules") }
        #expect(m?.contains("a rule file may be at most \(Parser.maxRuleSetBytes) bytes") == true, "\(m ?? "parsed")")
    }

    /// Each value naming a later one: checking the first walks the whole chain.
    @Test func aChainOfValuesLongerThanTheLimitIsAnError() throws {
        let n = RuleSetCompiler.maxDependencyDepth + 5
        var source = "ruleset \"t\" version \"1\"\n"
        for i in 0..<n { source += "let v\(i) = v\(i + 1) + 1\n" }
        source += "let v\(n) = 1\n"
        let m = message { _ = try RuleSetCompiler.compile(source: source, file: "r.rules", reference: FlagFixture.reference) }
        #expect(m?.contains("depends on a chain of more than \(RuleSetCompiler.maxDependencyDepth) values") == true, "\(m ?? "compiled")")
    }

    @Test func aCategoryFieldComparedWithAValueItNeverTakesIsAnError() {
        let m = message {
            _ = try RuleSetCompiler.compileExpression("efi_category == 'moderat'", file: "c", ruleSet: FlagFixture.ruleSet,
                                                      externals: [(name: "efi_category", type: .string)],
                                                      categories: ["efi_category": ["fit", "mild", "moderate", "severe"]])
        }
        #expect(m == "c, line 1, column 14: 'moderat' is never a value of this field; it takes 'fit', 'mild', 'moderate', 'severe'", "\(m ?? "compiled")")
    }

    @Test func aCategoryListItemItNeverTakesIsAnError() {
        let m = message {
            _ = try RuleSetCompiler.compileExpression("efi_category in ['moderate', 'sever']", file: "c", ruleSet: FlagFixture.ruleSet,
                                                      externals: [(name: "efi_category", type: .string)],
                                                      categories: ["efi_category": ["fit", "mild", "moderate", "severe"]])
        }
        #expect(m?.contains("column 30: 'sever' is never a value") == true, "\(m ?? "compiled")")
    }

    /// A rule-set value built from literals (`htn_case_finding_tier`) has its values inferred.
    @Test func aRuleSetCategoryValueComparedWithAnUnknownLiteralIsAnError() {
        let m = message {
            _ = try RuleSetCompiler.compileExpression("htn_case_finding_tier != 'stage3'", file: "c", ruleSet: FlagFixture.ruleSet, externals: [])
        }
        #expect(m?.contains("'stage3' is never a value of this field") == true, "\(m ?? "compiled")")
    }

    @Test func aCategoryComparedWithAValueItTakesCompiles() throws {
        let e = try RuleSetCompiler.compileExpression("efi_category == 'moderate'", file: "c", ruleSet: FlagFixture.ruleSet,
                                                      externals: [(name: "efi_category", type: .string)],
                                                      categories: ["efi_category": ["fit", "mild", "moderate", "severe"]])
        #expect(e.type == .bool)
    }
}
