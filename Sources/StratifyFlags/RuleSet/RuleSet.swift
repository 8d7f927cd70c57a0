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

    /// Output fields (`field` statements) in declaration order.
    public var fields: [Int] { values.indices.filter { values[$0].kind == .field } }
}
