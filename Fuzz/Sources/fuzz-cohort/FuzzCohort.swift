import FuzzSupport
import StratifyExport
import StratifyFlags

/// Fuzz target (d): cohort expressions from pipelines/*.json: `where` conditions and `order_by`
/// keys. Each input is compiled against the shipped rule set and the score fields, evaluated over
/// a small synthetic population, and, when true/false, built as a `CohortCondition` and its
/// members taken. Properties: no input traps or hangs; a rejected expression gets errors naming
/// the file; a cohort selects distinct population members in ascending order.
private let population = try! CohortPopulation.make()
private let declared = population.scores.map { (name: $0.0, type: CohortCondition.type(of: $0.1)) }
private let file = "fuzz.where"

func fuzzCohort(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: Fuzz.bytes(data, size), as: UTF8.self)
    let flags = population.flags
    do {
        // As CohortStage compiles an order_by key.
        let expr = try RuleSetCompiler.compileExpression(text, file: file, ruleSet: flags.ruleSet, externals: declared)
        _ = flags.evaluate(expr, externals: population.scores.map(\.1))
        guard expr.type == .bool else { return 0 }
        let condition = try CohortCondition(text, file: file, ruleSet: flags.ruleSet, externals: population.scores)
        let members = condition.members(flags, externals: population.scores)
        Fuzz.check(zip(members, members.dropFirst()).allSatisfy { $0 < $1 }, "members not strictly ascending")
        Fuzz.check(members.allSatisfy { flags.inPopulation[$0] }, "a member outside the population")
    } catch {
        for line in error.message.split(separator: "\n") {
            Fuzz.check(line.hasPrefix(file), "error line does not name the file: \(line)")
        }
    }
    return 0
}
