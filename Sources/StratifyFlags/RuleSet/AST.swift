/// The rule-set language's syntax tree (docs/rules-format.md).
public indirect enum Expr: Sendable {
    case number(Double, isInteger: Bool, SourceLocation)
    case string(String, SourceLocation)
    case bool(Bool, SourceLocation)
    case null(SourceLocation)
    case name(String, SourceLocation)
    /// `bp.sys`: a member of a record-valued name.
    case member(Expr, String, SourceLocation)
    case window(Int, WindowUnit, SourceLocation)
    case call(String, [Expr], SourceLocation)
    case unary(String, Expr, SourceLocation)
    case binary(String, Expr, Expr, SourceLocation)
    case inList(Expr, [Expr], SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .number(_, _, let l), .string(_, let l), .bool(_, let l), .null(let l), .name(_, let l),
             .member(_, _, let l), .window(_, _, let l), .call(_, _, let l), .unary(_, _, let l),
             .binary(_, _, _, let l), .inList(_, _, let l):
            return l
        }
    }
}

public enum WindowUnit: String, Sendable { case days, months, years }

/// A code-list expression: a file, or set operations over named lists.
public indirect enum ListExpr: Sendable {
    /// `*`: every code (e.g. every dm+d issue, for polypharmacy).
    case all
    case file(String, FileOptions)
    case name(String, SourceLocation)
    case union(ListExpr, ListExpr)
    case difference(ListExpr, ListExpr)
    case intersection(ListExpr, ListExpr)
}

/// What a list file declares beyond its codes (docs/rules-format.md).
public struct FileOptions: Sendable {
    /// `value COLUMN`: a number per code, used instead of the event's `numeric_value`.
    public var valueColumn: String?
    /// `label COLUMN`: a text per code, read with `latest_label`.
    public var labelColumn: String?
    /// `rows`: each row carries its own rule (window, minimum age at the event, value test).
    public var rowRules = false

    public init(valueColumn: String? = nil, labelColumn: String? = nil, rowRules: Bool = false) {
        self.valueColumn = valueColumn
        self.labelColumn = labelColumn
        self.rowRules = rowRules
    }
}

public enum ListDomain: String, Sendable { case events = "codelist", medications = "druglist" }

public struct ListDecl: Sendable {
    public var name: String
    public var domain: ListDomain
    public var body: ListExpr
    public var location: SourceLocation
}

public struct ValueDecl: Sendable {
    /// `score`: a column the score stage computes (docs/rules-format.md "Score columns").
    /// `quality`: a per-patient count summed over the population into the run manifest.
    public enum Kind: String, Sendable { case param, `let`, field, score, quality }
    public var kind: Kind
    public var name: String
    public var expr: Expr
    public var location: SourceLocation
}

public struct RuleSetSyntax: Sendable {
    public var name = ""
    public var version = ""
    public var lists: [ListDecl] = []
    public var values: [ValueDecl] = []
}
