import StratifyCore
import StratifyIngest
import StratifyReference

/// Checks and compiles rule-set text: resolves lists against `reference/`, binds names, checks
/// types, finds cycles, and orders values for evaluation. Every error names the file, line and
/// column of the offending token; `stratify rules check` prints them all.
public struct RuleSetCompiler {
    let file: String
    let reference: ReferenceData
    var syntax = RuleSetSyntax()
    var errors: [String] = []
    var listIndex: [String: Int] = [:]
    var lists: [ResolvedList] = []
    var valueIndex: [String: Int] = [:]
    var types: [ValueType?] = []
    var typed: [TypedExpr?] = []
    var visiting: [Int] = []
    var order: [Int] = []
    var aggregations: [Aggregation] = []
    var aggregationIndex: [Aggregation: Int] = [:]
    /// Expression mode (cohorts): names outside the rule set, and no new aggregations.
    var externals: [String: (index: Int, type: ValueType)] = [:]
    var expressionMode = false
    /// Param values set from outside (a pipeline), replacing the rule set's own.
    var overrides: [String: Constant] = [:]
    /// The values each external string field can take, by external index, where known.
    var externalCategories: [Int: Set<String>] = [:]
    var scoreCategories: [Int: Set<String>] = [:]
    /// `categories(of:)` for each value, once computed.
    var valueCategories: [Int: Set<String>?] = [:]

    /// The longest chain of values each naming the next (`let a = b + 1`, `let b = c + 1`, ...).
    public static let maxDependencyDepth = 100

    public static func compile(path: String, reference: ReferenceData,
                               overrides: [String: Constant] = [:]) throws(StratifyError) -> RuleSet {
        guard FileSystem.exists(path) else {
            throw StratifyError(.usage, "rule set '\(path)' does not exist", help: "the shipped rule set is reference/rules/stratify-v1.rules")
        }
        // Refused before reading, so an enormous file is never held in memory.
        if let size = FileSystem.fileSize(path), size > Int64(Parser.maxRuleSetBytes) {
            throw StratifyError(.usage, "\(path): a rule file may be at most \(Parser.maxRuleSetBytes) bytes; this one is \(size)",
                                help: "see docs/rules-format.md, Limits")
        }
        let bytes = try VerifiedFiles.read(path)
        return try compile(source: String(decoding: bytes, as: UTF8.self), file: path, reference: reference,
                           sha256: SHA256.hex(SHA256.hash(bytes)), overrides: overrides)
    }

    public static func compile(source: String, file: String, reference: ReferenceData, sha256: String = "",
                               overrides: [String: Constant] = [:]) throws(StratifyError) -> RuleSet {
        var c = RuleSetCompiler(file: file, reference: reference)
        c.overrides = overrides
        c.syntax = try Parser.parse(source, file: file)
        for name in overrides.keys.sorted() where !c.syntax.values.contains(where: { $0.kind == .param && $0.name == name }) {
            throw StratifyError(.usage, "\(file): no param '\(name)' to override")
        }
        c.resolveLists()
        c.checkValues()
        c.checkLateValues()
        if !c.errors.isEmpty {
            throw StratifyError(.usage, c.errors.joined(separator: "\n"),
                                help: "\(c.errors.count) error\(c.errors.count == 1 ? "" : "s") in \(file); see docs/rules-format.md")
        }
        if c.syntax.name.isEmpty {
            throw StratifyError(.usage, "\(file): missing 'ruleset \"NAME\" version \"X\"' statement")
        }
        return RuleSet(name: c.syntax.name, version: c.syntax.version, path: file, sha256: sha256, lists: c.lists,
                       aggregations: c.aggregations, values: c.syntax.values.indices.map { i in
                           RuleSet.Value(kind: c.syntax.values[i].kind, name: c.syntax.values[i].name,
                                         expr: c.typed[i]!, type: c.types[i]!)
                       }, evaluationOrder: c.order, late: c.lateValues())
    }

    /// Which values come after the score stage: `score` columns and everything that uses one.
    /// Such a value may not read events itself (the aggregations are freed by then): it must
    /// use a `let` for that, which the compiler says where it happens.
    func lateValues() -> [Bool] {
        var late = [Bool](repeating: false, count: syntax.values.count)
        for i in order {
            late[i] = syntax.values[i].kind == .score || typed[i].map { $0.valueReferences.contains { late[$0] } } ?? false
        }
        return late
    }

    static func containsAggregation(_ e: TypedExpr) -> Bool {
        switch e {
        case .aggregation: true
        case .value, .constant, .attribute, .external: false
        case .member(let b, _): containsAggregation(b)
        case .call(_, let args, _): args.contains { containsAggregation($0) }
        case .unary(_, let o, _): containsAggregation(o)
        case .binary(_, let a, let b, _): containsAggregation(a) || containsAggregation(b)
        case .inList(let a, _): containsAggregation(a)
        }
    }

    mutating func checkLateValues() {
        let late = lateValues()
        for i in syntax.values.indices where late[i] && syntax.values[i].kind != .score {
            if let t = typed[i], RuleSetCompiler.containsAggregation(t) {
                fail(syntax.values[i].location, "'\(syntax.values[i].name)' uses a score column, so it is evaluated after the events are gone; move its aggregations into a let")
            }
        }
    }

    /// Compiles one expression against a compiled rule set: its values, the patient attributes,
    /// and `externals` (columns computed after the stream, such as scores), in that order of
    /// lookup. Aggregations are not allowed: the stream has already run (add a `let` to the rule
    /// set instead). Errors point at the token, as for rule sets.
    ///
    /// - Parameter categories: the values an external string field can take (such as
    ///   `efi_category`'s fit, mild, moderate, severe), so that comparing it with any other
    ///   literal is refused as a typo.
    public static func compileExpression(_ source: String, file: String, ruleSet: RuleSet,
                                         externals: [(name: String, type: ValueType)],
                                         categories: [String: [String]] = [:]) throws(StratifyError) -> TypedExpr {
        var c = RuleSetCompiler(file: file, reference: try ReferenceData.unchecked(root: ""))
        c.expressionMode = true
        for (i, v) in ruleSet.values.enumerated() { c.valueIndex[v.name] = i }
        c.types = ruleSet.values.map(\.type)
        c.typed = ruleSet.values.map(\.expr)
        for (i, l) in ruleSet.lists.enumerated() { c.listIndex[l.name] = i }
        for (i, e) in externals.enumerated() {
            c.externals[e.name] = (i, e.type)
            if let values = categories[e.name] { c.externalCategories[i] = Set(values) }
        }
        // A rule set's `score` columns are values here; their categories are the score stage's.
        for (i, v) in ruleSet.values.enumerated() { if let values = categories[v.name] { c.scoreCategories[i] = Set(values) } }
        let parsed = try Parser.parseExpression(source, file: file)
        let typed = c.check(parsed)
        if !c.errors.isEmpty || typed == nil {
            throw StratifyError(.usage, c.errors.joined(separator: "\n"), help: "see docs/rules-format.md for the expression syntax")
        }
        return typed!
    }

    mutating func fail(_ at: SourceLocation, _ message: String) {
        errors.append("\(file), \(at): \(message)")
    }

    // MARK: lists

    mutating func resolveLists() {
        for decl in syntax.lists {
            if listIndex[decl.name] != nil {
                fail(decl.location, "list '\(decl.name)' is declared twice")
                continue
            }
            guard let resolved = resolve(decl.body, domain: decl.domain, at: decl.location) else { continue }
            listIndex[decl.name] = lists.count
            lists.append(ResolvedList(name: decl.name, domain: decl.domain, codes: resolved.codes,
                                      values: resolved.values, sources: resolved.sources, matchesAll: resolved.all,
                                      labels: resolved.labels, rowRules: resolved.rowRules))
        }
    }

    struct Partial {
        var codes: [UInt64]
        var values: [UInt64: Double]?
        var sources: [(path: String, sha256: String)]
        var all = false
        var labels: [String]? = nil
        var rowRules: [UInt64: RowRule]? = nil
    }

    mutating func resolve(_ e: ListExpr, domain: ListDomain, at: SourceLocation) -> Partial? {
        switch e {
        case .all:
            return Partial(codes: [], values: nil, sources: [], all: true)
        case .file(let rel, let options):
            let path = reference.root + "/" + rel
            do {
                let list = try CodeList(name: rel, path: path)
                var values: [UInt64: Double]?
                var labels: [String]?
                var rowRules: [UInt64: RowRule]?
                if options.labelColumn != nil && options.valueColumn != nil {
                    fail(at, "a list file takes 'value' or 'label', not both")
                    return nil
                }
                if let col = options.labelColumn {
                    guard let column = list.extras[col] else {
                        fail(at, "list file '\(rel)' has no column '\(col)'")
                        return nil
                    }
                    let table = Array(Set(column.values)).sorted()
                    let index = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1, Double($0)) })
                    labels = table
                    values = column.mapValues { index[$0]! }
                }
                if options.rowRules {
                    guard let rules = rowRulesOf(list, rel: rel, at: at) else { return nil }
                    rowRules = rules
                }
                if let col = options.valueColumn {
                    guard let column = list.extras[col] else {
                        fail(at, "list file '\(rel)' has no column '\(col)'")
                        return nil
                    }
                    var v: [UInt64: Double] = [:]
                    for (code, text) in column {
                        guard let d = Double(text) else {
                            fail(at, "column '\(col)' of '\(rel)' holds a non-number for code \(code)")
                            return nil
                        }
                        v[code] = d
                    }
                    values = v
                }
                return Partial(codes: list.codes, values: values, sources: [(rel, list.sha256)], labels: labels, rowRules: rowRules)
            } catch {
                fail(at, error.message)
                return nil
            }
        case .name(let name, let loc):
            guard let i = listIndex[name] else {
                fail(loc, "unknown list '\(name)' (lists must be declared before use)")
                return nil
            }
            guard lists[i].domain == domain else {
                fail(loc, "list '\(name)' is a \(lists[i].domain.rawValue), not a \(domain.rawValue)")
                return nil
            }
            return Partial(codes: lists[i].codes, values: lists[i].values, sources: lists[i].sources, all: lists[i].matchesAll,
                           labels: lists[i].labels, rowRules: lists[i].rowRules)
        case .union(let a, let b), .difference(let a, let b), .intersection(let a, let b):
            guard let l = resolve(a, domain: domain, at: at), let r = resolve(b, domain: domain, at: at) else { return nil }
            if l.all || r.all {
                fail(at, "'*' (every code) cannot be combined with other lists")
                return nil
            }
            let rs = Set(r.codes)
            var codes: [UInt64]
            switch e {
            case .union: codes = Array(Set(l.codes).union(rs)).sorted()
            case .difference: codes = l.codes.filter { !rs.contains($0) }
            default: codes = l.codes.filter { rs.contains($0) }
            }
            var values = l.values
            if let rv = r.values { values = (values ?? [:]).merging(rv) { a, _ in a } }
            if l.labels != nil || r.labels != nil {
                guard case .union = e, l.labels == nil || r.labels == nil || l.labels! == r.labels! else {
                    fail(at, "lists with labels can only be joined with '|' to lists with the same labels")
                    return nil
                }
            }
            // A code without a row rule matches as a plain code, so a union keeps each side's own
            // rules (the left side's where a code is in both).
            var rowRules: [UInt64: RowRule]?
            if l.rowRules != nil || r.rowRules != nil {
                var merged: [UInt64: RowRule] = [:]
                let inLeft = Set(l.codes)
                for code in codes {
                    merged[code] = inLeft.contains(code) ? (l.rowRules?[code] ?? RowRule()) : (r.rowRules?[code] ?? RowRule())
                }
                rowRules = merged
            }
            return Partial(codes: codes, values: values, sources: l.sources + r.sources, labels: l.labels ?? r.labels, rowRules: rowRules)
        }
    }

    /// The row rules of a `rows` list file: columns `window_years` (blank or whole years),
    /// `min_age` (blank or whole years) and `value_test` (blank, `any`, or comparisons such as
    /// `>0 <21`) with `value_scale` (blank or a number the value is multiplied by first).
    mutating func rowRulesOf(_ list: CodeList, rel: String, at: SourceLocation) -> [UInt64: RowRule]? {
        for col in ["window_years", "min_age", "value_test", "value_scale"] where list.extras[col] == nil {
            fail(at, "list file '\(rel)' declared with 'rows' has no column '\(col)'")
            return nil
        }
        var rules: [UInt64: RowRule] = [:]
        for code in list.codes {
            func cell(_ c: String) -> String { list.extras[c]?[code] ?? "" }
            var rule = RowRule()
            if !cell("window_years").isEmpty {
                guard let y = Int(cell("window_years")), y >= 0, y <= Window.maxAmount / 12 else {
                    fail(at, "'\(rel)': window_years '\(cell("window_years"))' of code \(code) is not a whole number of years")
                    return nil
                }
                rule.windowYears = y
            }
            if !cell("min_age").isEmpty {
                guard let a = Int(cell("min_age")), a >= 0, a <= 200 else {
                    fail(at, "'\(rel)': min_age '\(cell("min_age"))' of code \(code) is not a whole number of years")
                    return nil
                }
                rule.minAge = a
            }
            var scale = 1.0
            if !cell("value_scale").isEmpty {
                guard let s = Double(cell("value_scale")), s.isFinite, s > 0 else {
                    fail(at, "'\(rel)': value_scale '\(cell("value_scale"))' of code \(code) is not a positive number")
                    return nil
                }
                scale = s
            }
            if !cell("value_test").isEmpty {
                guard let t = ValueTest.parse(cell("value_test"), scale: scale) else {
                    fail(at, "'\(rel)': value_test '\(cell("value_test"))' of code \(code) is not 'any' or comparisons such as '>0 <21'")
                    return nil
                }
                rule.test = t
            }
            rules[code] = rule
        }
        return rules
    }

    // MARK: values

    mutating func checkValues() {
        types = Array(repeating: nil, count: syntax.values.count)
        typed = Array(repeating: nil, count: syntax.values.count)
        for (i, v) in syntax.values.enumerated() {
            if valueIndex[v.name] != nil || listIndex[v.name] != nil {
                fail(v.location, "'\(v.name)' is already declared")
                continue
            }
            if PatientAttribute(rawValue: v.name) != nil {
                fail(v.location, "'\(v.name)' is a patient attribute and cannot be redefined")
                continue
            }
            valueIndex[v.name] = i
        }
        for i in syntax.values.indices where valueIndex[syntax.values[i].name] == i {
            _ = check(value: i)
        }
    }

    /// Type of value i, checking it first if needed (depth first, so `order` lists dependencies first).
    mutating func check(value i: Int) -> ValueType? {
        if let t = types[i] { return t }
        if let pos = visiting.firstIndex(of: i) {
            let cycle = (visiting[pos...] + [i]).map { syntax.values[$0].name }.joined(separator: " -> ")
            fail(syntax.values[i].location, "cycle: \(cycle)")
            return nil
        }
        // Each step down a chain of values recurses through the checker, so the chain is bounded
        // like an expression's nesting (docs/rules-format.md, Limits).
        guard visiting.count < RuleSetCompiler.maxDependencyDepth else {
            fail(syntax.values[i].location, "'\(syntax.values[i].name)' depends on a chain of more than \(RuleSetCompiler.maxDependencyDepth) values; shorten the chain")
            return nil
        }
        visiting.append(i)
        defer { visiting.removeLast() }
        let decl = syntax.values[i]
        if decl.kind == .score {
            guard case .string(let name, _) = decl.expr, let t = ValueType(rawValue: name) else { return nil }
            types[i] = t
            typed[i] = .constant(.null)
            order.append(i)
            return t
        }
        guard var e = check(decl.expr) else { return nil }
        if decl.kind == .quality && e.type != .int {
            fail(decl.location, "quality '\(decl.name)' must be a whole-number count per patient, found \(e.type.rawValue)")
            return nil
        }
        if decl.kind == .param, let value = overrides[decl.name] {
            guard value.type == e.type || (value.type.isNumeric && e.type.isNumeric) else {
                fail(decl.location, "param '\(decl.name)' is a \(e.type.rawValue); the override is a \(value.type.rawValue)")
                return nil
            }
            e = .constant(value)
        }
        if decl.kind == .param, case .constant = e {} else if decl.kind == .param {
            fail(decl.location, "param '\(decl.name)' must be a constant (a number, string, date(...) or true/false)")
            return nil
        }
        if e.type == .window || e.type == .null {
            fail(decl.expr.location, "'\(decl.name)' must be a value, not a \(e.type.rawValue)")
            return nil
        }
        types[i] = e.type
        typed[i] = e
        order.append(i)
        return e.type
    }

    mutating func check(_ e: Expr) -> TypedExpr? {
        switch e {
        case .number(let v, let isInteger, _):
            return .constant(isInteger ? .int(Int64(v)) : .number(v))
        case .string(let s, _):
            return .constant(.string(s))
        case .bool(let b, _):
            return .constant(.bool(b))
        case .null:
            return .constant(.null)
        case .window(let n, let unit, _):
            return .constant(.window(Window(amount: n, unit: unit)))
        case .name(let name, let loc):
            if let attr = PatientAttribute(rawValue: name) { return .attribute(attr) }
            if let i = valueIndex[name], expressionMode { return .value(i, types[i]!) }
            if let e = externals[name] { return .external(e.index, e.type) }
            if let i = valueIndex[name] {
                guard let t = check(value: i) else { return nil }
                return .value(i, t)
            }
            if listIndex[name] != nil {
                fail(loc, "list '\(name)' can only be used inside an aggregation such as latest(\(name))")
                return nil
            }
            fail(loc, "unknown field '\(name)'")
            return nil
        case .member(let base, let member, let loc):
            guard let b = check(base) else { return nil }
            guard b.type == .bloodPressure, let m = BPMember(rawValue: member) else {
                fail(loc, "'\(member)' is not a member of a \(b.type.rawValue) (members exist only on bp_latest: sys, dia, date)")
                return nil
            }
            return .member(b, m)
        case .unary(let op, let operand, let loc):
            guard let o = check(operand) else { return nil }
            if op == "not" {
                guard o.type == .bool || o.type == .null else { return mismatch(loc, "'not' needs a bool", o.type) }
                return .unary("not", o, .bool)
            }
            guard o.type.isNumeric else { return mismatch(loc, "'-' needs a number", o.type) }
            if case .constant(.int(let v)) = o { return .constant(.int(-v)) }
            if case .constant(.number(let v)) = o { return .constant(.number(-v)) }
            return .unary("-", o, o.type)
        case .binary(let op, let a, let b, let loc):
            guard let l = check(a), let r = check(b) else { return nil }
            return binary(op, l, r, loc)
        case .inList(let a, let items, let loc):
            guard let l = check(a) else { return nil }
            var constants: [Constant] = []
            for item in items {
                guard let t = check(item) else { return nil }
                guard case .constant(let c) = t, c.type == l.type || (c.type.isNumeric && l.type.isNumeric) else {
                    return mismatch(item.location, "items of 'in [...]' must be constants of the same type as the left side (\(l.type.rawValue))", t.type)
                }
                guard checkCategory(l, t, item.location) else { return nil }
                constants.append(c)
            }
            return .inList(l, constants)
        case .call(let name, let args, let loc):
            if let kind = AggregationKind(rawValue: name) {
                if expressionMode {
                    fail(loc, "\(name)() reads events, which are not available here; add a let to the rule set and use its name")
                    return nil
                }
                return aggregation(kind, args, loc)
            }
            guard let f = ScalarFunction(rawValue: name) else {
                fail(loc, "unknown function '\(name)'")
                return nil
            }
            return function(f, args, loc)
        }
    }

    /// Refuses comparing a category field with a literal it can never hold (`efi_category ==
    /// 'moderat'`): the comparison would be false for everyone, and a cohort would be silently
    /// empty.
    mutating func checkCategory(_ field: TypedExpr, _ literal: TypedExpr, _ loc: SourceLocation) -> Bool {
        guard case .constant(.string(let text)) = literal, let values = categories(of: field), !values.contains(text) else { return true }
        let known = values.sorted().map { "'\($0)'" }.joined(separator: ", ")
        fail(loc, "'\(text)' is never a value of this field; it takes \(known.isEmpty ? "no text values" : known)")
        return false
    }

    /// The values a string expression can take when every one is spelled out (constants chosen by
    /// `if` or `coalesce`, or an external field's declared values); nil when any may come from data.
    mutating func categories(of e: TypedExpr) -> Set<String>? {
        switch e {
        case .constant(.string(let s)): return [s]
        case .constant(.null): return []
        case .call(.ifThenElse, let args, .string) where args.count == 3:
            guard let a = categories(of: args[1]), let b = categories(of: args[2]) else { return nil }
            return a.union(b)
        case .call(.coalesce, let args, .string) where args.count == 2:
            guard let a = categories(of: args[0]), let b = categories(of: args[1]) else { return nil }
            return a.union(b)
        case .value(let i, .string):
            // Memoised: values can share branches, and each value's tree is walked once.
            if let known = valueCategories[i] { return known }
            guard i < typed.count, let expr = typed[i] else { return nil }
            // A `score` column stands as a null constant here: its values come from the score
            // stage (known when compiling a cohort expression), not from this file.
            if case .constant(.null) = expr { return scoreCategories[i] }
            valueCategories[i] = .some(nil)  // a cycle (already reported) stops here
            let found = categories(of: expr)
            valueCategories[i] = .some(found)
            return found
        case .external(let i, .string): return externalCategories[i]
        default: return nil
        }
    }

    mutating func mismatch(_ loc: SourceLocation, _ message: String, _ found: ValueType) -> TypedExpr? {
        fail(loc, "type mismatch: \(message), found \(found.rawValue)")
        return nil
    }

    mutating func binary(_ op: String, _ l: TypedExpr, _ r: TypedExpr, _ loc: SourceLocation) -> TypedExpr? {
        switch op {
        case "and", "or":
            guard l.type == .bool, r.type == .bool else {
                return mismatch(loc, "'\(op)' needs bools on both sides", l.type == .bool ? r.type : l.type)
            }
            return .binary(op, l, r, .bool)
        case "+", "-", "*", "/":
            guard l.type.isNumeric, r.type.isNumeric else {
                return mismatch(loc, "'\(op)' needs numbers on both sides", l.type.isNumeric ? r.type : l.type)
            }
            let t: ValueType = (l.type == .int && r.type == .int && op != "/") ? .int : .number
            return .binary(op, l, r, t)
        default:
            if l.type == .null || r.type == .null {
                fail(loc, "comparing with null is always unknown; use is_null(x)")
                return nil
            }
            let comparable = (l.type.isNumeric && r.type.isNumeric) || (l.type == r.type && l.type != .bloodPressure && l.type != .window)
            guard comparable else { return mismatch(loc, "'\(op)' compares a \(l.type.rawValue) with a \(r.type.rawValue)", r.type) }
            if l.type == .bool && !(op == "==" || op == "!=") { return mismatch(loc, "bools can only be compared with == or !=", l.type) }
            if op == "==" || op == "!=" {
                guard checkCategory(l, r, loc), checkCategory(r, l, loc) else { return nil }
            }
            return .binary(op, l, r, .bool)
        }
    }

    mutating func function(_ f: ScalarFunction, _ args: [Expr], _ loc: SourceLocation) -> TypedExpr? {
        var typedArgs: [TypedExpr] = []
        for a in args {
            guard let t = check(a) else { return nil }
            typedArgs.append(t)
        }
        let types = typedArgs.map(\.type)
        func arity(_ n: Int) -> Bool {
            if args.count != n { fail(loc, "\(f.rawValue)() takes \(n) argument\(n == 1 ? "" : "s"), found \(args.count)"); return false }
            return true
        }
        switch f {
        case .inLast:
            guard arity(2) else { return nil }
            guard types[0] == .date, types[1] == .window else { return mismatch(loc, "in_last(date, window) such as in_last(bp.date, 12 months)", types[0] == .date ? types[1] : types[0]) }
            return .call(f, typedArgs, .bool)
        case .onOrAfter:
            guard arity(2) else { return nil }
            guard types[0] == .date, types[1] == .date else { return mismatch(loc, "on_or_after(date, date)", types[0] == .date ? types[1] : types[0]) }
            return .call(f, typedArgs, .bool)
        case .ifThenElse:
            guard arity(3) else { return nil }
            guard types[0] == .bool else { return mismatch(loc, "if(condition, then, else) needs a bool condition", types[0]) }
            guard let t = unify(types[1], types[2]) else { return mismatch(loc, "if() branches must have the same type (\(types[1].rawValue))", types[2]) }
            return .call(f, typedArgs, t)
        case .coalesce:
            guard arity(2) else { return nil }
            guard let t = unify(types[0], types[1]) else { return mismatch(loc, "coalesce() arguments must have the same type", types[1]) }
            return .call(f, typedArgs, t)
        case .isNull:
            guard arity(1) else { return nil }
            return .call(f, typedArgs, .bool)
        case .countTrue:
            guard !args.isEmpty else { fail(loc, "count_true() needs at least one bool"); return nil }
            if let bad = types.first(where: { $0 != .bool }) { return mismatch(loc, "count_true() counts bools", bad) }
            return .call(f, typedArgs, .int)
        case .year, .month:
            guard arity(1) else { return nil }
            guard types[0] == .date else { return mismatch(loc, "\(f.rawValue)(date)", types[0]) }
            return .call(f, typedArgs, .int)
        case .makeDate:
            guard arity(3) else { return nil }
            guard types.allSatisfy({ $0 == .int }) else { return mismatch(loc, "make_date(year, month, day) takes whole numbers", types.first { $0 != .int }!) }
            return .call(f, typedArgs, .date)
        case .ageOn:
            guard arity(1) else { return nil }
            guard types[0] == .date else { return mismatch(loc, "age_on(date)", types[0]) }
            return .call(f, typedArgs, .int)
        case .latestOf:
            guard args.count >= 2, args.count % 2 == 0 else {
                fail(loc, "latest_of(date1, 'label1', date2, 'label2', ...) takes pairs of a date and a label")
                return nil
            }
            for k in stride(from: 0, to: args.count, by: 2) {
                guard types[k] == .date else { return mismatch(args[k].location, "latest_of() argument \(k + 1) must be a date", types[k]) }
                guard case .constant(.string) = typedArgs[k + 1] else {
                    fail(args[k + 1].location, "latest_of() argument \(k + 2) must be a label in quotes")
                    return nil
                }
            }
            return .call(f, typedArgs, .string)
        case .date:
            guard arity(1) else { return nil }
            guard case .constant(.string(let text)) = typedArgs[0], let d = Day(iso: text) else {
                fail(loc, "date() takes a real date in quotes, 'YYYY-MM-DD'")
                return nil
            }
            return .constant(.date(d.rawValue))
        }
    }

    func unify(_ a: ValueType, _ b: ValueType) -> ValueType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if a.isNumeric && b.isNumeric { return .number }
        return nil
    }

    mutating func aggregation(_ kind: AggregationKind, _ args: [Expr], _ loc: SourceLocation) -> TypedExpr? {
        func listArg(_ i: Int) -> Int? {
            guard i < args.count, case .name(let name, let l) = args[i] else {
                fail(i < args.count ? args[i].location : loc, "\(kind.rawValue)() needs a list name as argument \(i + 1)")
                return nil
            }
            guard let idx = listIndex[name] else {
                fail(l, "unknown list '\(name)'")
                return nil
            }
            return idx
        }
        func windowArg(_ i: Int, required: Bool) -> Window?? {
            guard i < args.count else {
                if required { fail(loc, "\(kind.rawValue)() needs a window such as 12 months as argument \(i + 1)"); return nil }
                return .some(nil)
            }
            guard case .window(let n, let u, _) = args[i] else {
                fail(args[i].location, "argument \(i + 1) of \(kind.rawValue)() must be a window such as 12 months")
                return nil
            }
            return .some(Window(amount: n, unit: u))
        }
        guard let list = listArg(0) else { return nil }
        if lists[list].matchesAll && kind != .distinctCount && kind != .count && kind != .exists {
            fail(args[0].location, "'*' lists can only be counted: count, exists or distinct_count")
            return nil
        }
        var agg = Aggregation(kind: kind, list: list)
        switch kind {
        case .ever, .earliest, .latest:
            guard args.count == 1 else { fail(loc, "\(kind.rawValue)(LIST) takes one list"); return nil }
        case .count, .exists:
            guard args.count == 2, let w = windowArg(1, required: true) else {
                if args.count != 2 { fail(loc, "\(kind.rawValue)(LIST, window) takes a list and a window") }
                return nil
            }
            agg.window = w
        case .latestLabel:
            guard lists[list].labels != nil else {
                fail(args[0].location, "latest_label() needs a list declared with 'label COLUMN'")
                return nil
            }
            guard args.count <= 2, let w = windowArg(1, required: false) else {
                if args.count > 2 { fail(loc, "latest_label(LIST[, window]) takes a list and an optional window") }
                return nil
            }
            agg.window = w
        case .distinctValues:
            guard lists[list].values != nil, lists[list].labels == nil else {
                fail(args[0].location, "distinct_values() needs a list declared with 'value COLUMN'")
                return nil
            }
            guard args.count == 3, let w = windowArg(1, required: true),
                  case .number(let cap, true, _) = args[2], cap >= 1, cap <= 64 else {
                fail(loc, "distinct_values(LIST, window, cap) such as distinct_values(BNF_PARAGRAPH, 90 days, 10); cap 1-64")
                return nil
            }
            agg.window = w
            agg.cap = Int(cap)
        case .latestValue, .highestOnLatest, .secondLatestValue, .latestValueDate:
            guard args.count <= 2, let w = windowArg(1, required: false) else {
                if args.count > 2 { fail(loc, "\(kind.rawValue)(LIST[, window]) takes a list and an optional window") }
                return nil
            }
            agg.window = w
        case .distinctCount:
            guard args.count == 3, let w = windowArg(1, required: true),
                  case .number(let cap, true, _) = args[2], cap >= 1, cap <= 64 else {
                fail(loc, "distinct_count(LIST, window, cap) such as distinct_count(ANY_RX, 12 months, 5); cap 1-64")
                return nil
            }
            agg.window = w
            agg.cap = Int(cap)
        case .episodes:
            guard args.count == 3, let w = windowArg(1, required: true), let washout = windowArg(2, required: true) else {
                if args.count != 3 { fail(loc, "episodes(LIST, window, washout) such as episodes(EXAC, 12 months, 14 days)") }
                return nil
            }
            guard let wo = washout, wo.unit == .days else {
                fail(args[2].location, "the washout must be in days, e.g. 14 days")
                return nil
            }
            agg.window = w
            agg.washoutDays = wo.amount
        case .bpLatest:
            guard args.count == 6, let dia = listArg(1) else {
                if args.count != 6 { fail(loc, "bp_latest(SYS, DIA, sys_min, sys_max, dia_min, dia_max) takes two lists and four limits") }
                return nil
            }
            agg.list2 = dia
            for k in 2..<6 {
                guard let t = check(args[k]), case .constant(let c) = t else {
                    fail(args[k].location, "bp_latest() limits must be numbers")
                    return nil
                }
                switch c {
                case .int(let v): agg.ranges.append(Double(v))
                case .number(let v): agg.ranges.append(v)
                default:
                    fail(args[k].location, "bp_latest() limits must be numbers")
                    return nil
                }
            }
        }
        if let existing = aggregationIndex[agg] { return .aggregation(existing, kind.resultType) }
        aggregationIndex[agg] = aggregations.count
        aggregations.append(agg)
        return .aggregation(aggregations.count - 1, kind.resultType)
    }
}
