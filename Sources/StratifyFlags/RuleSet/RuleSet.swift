import StratifyCore
import StratifyReference

/// A code list resolved to codes, with its provenance for the run manifest.
public struct ResolvedList: Sendable {
    public var name: String
    public var domain: ListDomain
    /// Sorted, distinct.
    public var codes: [UInt64]
    /// Per-code values from the list's value column (e.g. MRC grade), if declared.
    public var values: [UInt64: Double]?
    /// Files behind the list with their SHA-256 (set operations may combine several).
    public var sources: [(path: String, sha256: String)]
    /// `*`: the list holds every code (`codes` is then empty).
    public var matchesAll = false
    /// `label COLUMN`: the distinct labels, sorted; `values[code]` is then the label's index, so
    /// "lowest value on a tie" is "alphabetically first".
    public var labels: [String]?
    /// `rows`: each code's own rule.
    public var rowRules: [UInt64: RowRule]?
}

/// One list row's own rule (rules.md s12 "Row rule"; docs/rules-format.md "Row rules"): an
/// event matches the row only inside its window, at or above its age at the event, and with a
/// value passing its test.
public struct RowRule: Sendable, Hashable {
    /// "in the last N years" (12·N months), or nil for ever.
    public var windowYears: Int?
    /// Whole years of age on the event date at least this; 0 for none.
    public var minAge: Int = 0
    /// The value test: the event must have a value v with v·scale inside [low, high]
    /// (each bound inclusive or not); nil for no test.
    public var test: ValueTest?

    public init(windowYears: Int? = nil, minAge: Int = 0, test: ValueTest? = nil) {
        self.windowYears = windowYears
        self.minAge = minAge
        self.test = test
    }

    public var isEmpty: Bool { windowYears == nil && minAge == 0 && test == nil }
}

public struct ValueTest: Sendable, Hashable {
    public var low = -Double.infinity, lowInclusive = true
    public var high = Double.infinity, highInclusive = true
    public var scale = 1.0

    public init() {}

    /// Parses `any`, or space-separated `>x`, `>=x`, `<x`, `<=x`, `==x` (all must hold).
    public static func parse(_ text: String, scale: Double) -> ValueTest? {
        var t = ValueTest()
        t.scale = scale
        if text == "any" { return t }
        for part in text.split(separator: " ") {
            let s = String(part)
            let ops = [">=", "<=", "==", ">", "<"]
            guard let op = ops.first(where: { s.hasPrefix($0) }), let x = Double(s.dropFirst(op.count)), x.isFinite else { return nil }
            switch op {
            case ">=": t.low = x; t.lowInclusive = true
            case ">": t.low = x; t.lowInclusive = false
            case "<=": t.high = x; t.highInclusive = true
            case "<": t.high = x; t.highInclusive = false
            default: t.low = x; t.high = x; t.lowInclusive = true; t.highInclusive = true
            }
        }
        return t
    }

    @inline(__always) public func passes(_ value: Double) -> Bool {
        let v = value * scale
        guard !v.isNaN else { return false }
        return (lowInclusive ? v >= low : v > low) && (highInclusive ? v <= high : v < high)
    }
}

/// A checked, compiled rule set: lists resolved, names bound, types known, values in dependency
/// order. Built by `RuleSetCompiler`; evaluated by `FlagEngine`.
public struct RuleSet: Sendable {
    public struct Value: Sendable {
        public var kind: ValueDecl.Kind
        public var name: String
        public var expr: TypedExpr
        public var type: ValueType
    }

    public var name: String
    public var version: String
    public var path: String
    public var sha256: String
    public var lists: [ResolvedList]
    public var aggregations: [Aggregation]
    /// Params, lets and fields in declaration order.
    public var values: [Value]
    /// Indices into `values`, each after everything it depends on.
    public var evaluationOrder: [Int]
    /// Per value: a `score` column, or depends on one, so it is evaluated after the score stage
    /// (`FlagResult.completing(scores:)`).
    public var late: [Bool] = []

    /// `evaluationOrder` in waves: each value after the waves that hold everything it reads, so
    /// the values of one wave can be evaluated side by side (`FlagEngine.finish`). Within a wave,
    /// values keep their `evaluationOrder` order.
    public var evaluationLevels: [[Int]] {
        var level = [Int](repeating: 0, count: values.count)
        var levels: [[Int]] = []
        for i in evaluationOrder {
            level[i] = values[i].expr.valueReferences.map { level[$0] + 1 }.max() ?? 0
            while levels.count <= level[i] { levels.append([]) }
            levels[level[i]].append(i)
        }
        return levels
    }

    /// Output columns of patients.csv (`field` and `score` statements) in declaration order.
    public var fields: [Int] { values.indices.filter { values[$0].kind == .field || values[$0].kind == .score } }
    /// `score` statements, by name.
    public var scoreColumns: [String] { values.filter { $0.kind == .score }.map(\.name) }
}
