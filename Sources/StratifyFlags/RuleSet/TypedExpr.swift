/// A checked expression: every node knows its type, and names are resolved to slots.
public indirect enum TypedExpr: Sendable {
    case constant(Constant)
    /// Another param/let/field, by index in `RuleSet.values`.
    case value(Int, ValueType)
    case attribute(PatientAttribute)
    case aggregation(Int, ValueType)
    /// A column from outside the rule set (e.g. a score field), by index in the evaluator's
    /// `externals`; only in expressions compiled after the stream (cohorts).
    case external(Int, ValueType)
    case member(TypedExpr, BPMember)
    case call(ScalarFunction, [TypedExpr], ValueType)
    case unary(String, TypedExpr, ValueType)
    case binary(String, TypedExpr, TypedExpr, ValueType)
    case inList(TypedExpr, [Constant])

    /// The rule-set values (indices in `RuleSet.values`) this expression reads.
    public var valueReferences: [Int] {
        switch self {
        case .value(let i, _): [i]
        case .constant, .attribute, .aggregation, .external: []
        case .member(let b, _): b.valueReferences
        case .call(_, let args, _): args.flatMap(\.valueReferences)
        case .unary(_, let o, _): o.valueReferences
        case .binary(_, let a, let b, _): a.valueReferences + b.valueReferences
        case .inList(let a, _): a.valueReferences
        }
    }

    public var type: ValueType {
        switch self {
        case .constant(let c): c.type
        case .value(_, let t), .aggregation(_, let t), .external(_, let t): t
        case .attribute(let a): a.type
        case .member(_, let m): m == .date ? .date : .number
        case .call(_, _, let t), .unary(_, _, let t), .binary(_, _, _, let t): t
        case .inList: .bool
        }
    }
}

public enum Constant: Sendable, Hashable {
    case bool(Bool), int(Int64), number(Double), string(String), date(Int32), window(Window), null

    var type: ValueType {
        switch self {
        case .bool: .bool
        case .int: .int
        case .number: .number
        case .string: .string
        case .date: .date
        case .window: .window
        case .null: .null
        }
    }
}

public enum BPMember: String, Sendable { case sys, dia, date }

public enum PatientAttribute: String, Sendable, CaseIterable {
    case age, sex
    case imdDecile = "imd_decile"
    case imdQuintile = "imd_quintile"
    case ethnicCategory = "ethnic_category"
    case dateOfBirth = "date_of_birth"
    case practiceCode = "practice_code"
    case asOf = "as_of"

    var type: ValueType {
        switch self {
        case .age, .imdDecile, .imdQuintile: .int
        case .sex, .ethnicCategory, .practiceCode: .string
        case .dateOfBirth, .asOf: .date
        }
    }
}

public enum ScalarFunction: String, Sendable, CaseIterable {
    case inLast = "in_last"
    case onOrAfter = "on_or_after"
    case ifThenElse = "if"
    case coalesce
    case isNull = "is_null"
    case countTrue = "count_true"
    case year, month
    case makeDate = "make_date"
    case date
    /// Whole years of age on a date (birthday rule).
    case ageOn = "age_on"
    /// The label paired with the latest date; on a tie, the label listed first (level precedence).
    case latestOf = "latest_of"
}
