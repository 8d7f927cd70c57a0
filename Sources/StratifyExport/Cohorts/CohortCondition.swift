import StratifyCore
import StratifyFlags

/// A cohort's condition: an expression over the patient fields (rule-set values, patient
/// attributes and score fields), compiled once with located errors and evaluated column-wise.
/// The language is the rule set's (docs/rules-format.md), without aggregations.
public struct CohortCondition: Sendable {
    public let text: String
    let expr: TypedExpr
    let externalNames: [String]

    /// - Parameter externals: columns computed after the stream (score fields), by name.
    public init(_ text: String, file: String, ruleSet: RuleSet, externals: [(String, Column)]) throws(StratifyError) {
        let declared = externals.map { (name: $0.0, type: CohortCondition.type(of: $0.1)) }
        let expr = try RuleSetCompiler.compileExpression(text, file: file, ruleSet: ruleSet, externals: declared)
        guard expr.type == .bool else {
            throw StratifyError(.usage, "\(file): a cohort condition must be true/false, found \(expr.type.rawValue)")
        }
        self.text = text
        self.expr = expr
        externalNames = externals.map(\.0)
    }

    /// Population members for whom the condition is true (unknown counts as not true).
    public func members(_ flags: FlagResult, externals: [(String, Column)]) -> [Int] {
        let v = holds(flags, externals: externals)
        return v.indices.filter { v[$0] }
    }

    /// Whether the condition is true, by patient index: false outside the population and where
    /// unknown. A lookup table for testing a few patients (a cohort's members against each of its
    /// reasons) without building a set of every patient it holds for.
    public func holds(_ flags: FlagResult, externals: [(String, Column)]) -> [Bool] {
        let byName = Dictionary(externals, uniquingKeysWith: { a, _ in a })
        guard case .bool(let v) = flags.evaluate(expr, externals: externalNames.map { byName[$0]! }) else {
            return [Bool](repeating: false, count: flags.inPopulation.count)
        }
        return v.indices.map { flags.inPopulation[$0] && v[$0] == 1 }
    }

    public static func type(of c: Column) -> ValueType {
        switch c {
        case .bool: .bool
        case .int: .int
        case .number: .number
        case .date: .date
        case .string: .string
        case .bloodPressure: .bloodPressure
        case .window: .window
        }
    }
}
