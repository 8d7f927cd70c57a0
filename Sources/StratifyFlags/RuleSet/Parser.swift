import StratifyCore

/// Parses rule-set text into `RuleSetSyntax`. Errors name the file, line and column of the token
/// and say what was expected.
///
/// Every input is bounded (docs/rules-format.md, "Limits"): a rule file or a cohort expression
/// comes from a file anyone with write access to `pipelines/` or `reference/` can edit, and an
/// unbounded tree would overflow the stack in the parser, the compiler or the evaluator instead of
/// failing with a located error.
public struct Parser {
    /// The deepest an expression's tree may be, counting brackets, calls, `not`, unary minus and
    /// each operator of a `+ - * /` chain or a list-set chain.
    public static let maxDepth = 64
    /// The most terms (names, constants, operators, calls) in one statement or cohort expression.
    public static let maxTerms = 10_000
    /// The largest rule file, in bytes.
    public static let maxRuleSetBytes = 1 << 20
    /// The longest cohort expression or sort key, in bytes.
    public static let maxExpressionBytes = 100_000

    let tokens: [Token]
    let file: String
    var p = 0
    var nesting = 0
    var terms = 0

    public static func parse(_ source: String, file: String) throws(StratifyError) -> RuleSetSyntax {
        try checkSize(source, limit: maxRuleSetBytes, what: "a rule file", file: file)
        var parser = Parser(tokens: try Lexer.tokenize(source, file: file), file: file)
        return try parser.ruleSet()
    }

    /// Parses one expression (a cohort condition or sort key), which must use the whole text.
    public static func parseExpression(_ source: String, file: String) throws(StratifyError) -> Expr {
        try checkSize(source, limit: maxExpressionBytes, what: "an expression", file: file)
        var parser = Parser(tokens: try Lexer.tokenize(source, file: file), file: file)
        let e = try parser.expr()
        while case .newline = parser.peek.kind { parser.p += 1 }
        guard case .end = parser.peek.kind else { throw parser.error("expected the end of the expression", at: parser.peek) }
        return e
    }

    /// Refuses text over `limit` bytes, naming the line and column where the limit is crossed.
    static func checkSize(_ source: String, limit: Int, what: String, file: String) throws(StratifyError) {
        let utf8 = source.utf8
        guard utf8.count > limit else { return }
        var line = 1, column = 1
        for b in utf8.prefix(limit) {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        throw StratifyError(.usage, "\(file), \(SourceLocation(line: line, column: column)): \(what) may be at most \(limit) bytes; this one is \(utf8.count)",
                            help: "see docs/rules-format.md, Limits")
    }

    init(tokens: [Token], file: String) {
        self.tokens = tokens
        self.file = file
    }

    var peek: Token { tokens[p] }

    func error(_ message: String, at t: Token) -> StratifyError {
        StratifyError(.usage, "\(file), \(t.location): \(message) (found '\(t.text)')",
                      help: "see docs/rules-format.md for the rule-set syntax")
    }

    mutating func advance() -> Token { let t = tokens[p]; p += 1; return t }

    mutating func expectSymbol(_ s: String, opened: Token? = nil) throws(StratifyError) {
        guard case .symbol(s) = peek.kind else {
            let context = opened.map { " to close the '\($0.text)' at \($0.location)" } ?? ""
            throw error("expected '\(s)'\(context)", at: peek)
        }
        p += 1
    }

    mutating func identifier(_ what: String) throws(StratifyError) -> (String, Token) {
        guard case .identifier(let name) = peek.kind else { throw error("expected \(what)", at: peek) }
        return (name, advance())
    }

    mutating func isKeyword(_ k: String) -> Bool {
        if case .identifier(k) = peek.kind { return true }
        return false
    }

    mutating func ruleSet() throws(StratifyError) -> RuleSetSyntax {
        var rs = RuleSetSyntax()
        while true {
            if case .end = peek.kind { break }
            if case .newline = peek.kind { p += 1; continue }
            terms = 0
            let (keyword, kt) = try identifier("a statement: ruleset, codelist, druglist, param, let, field, score or quality")
            switch keyword {
            case "ruleset":
                guard case .string(let name) = peek.kind else { throw error("expected the rule set's name in quotes", at: peek) }
                p += 1
                guard isKeyword("version") else { throw error("expected 'version'", at: peek) }
                p += 1
                guard case .string(let version) = peek.kind else { throw error("expected the version in quotes", at: peek) }
                p += 1
                rs.name = name
                rs.version = version
            case "codelist", "druglist":
                let (name, _) = try identifier("a list name")
                try expectSymbol("=")
                rs.lists.append(ListDecl(name: name, domain: keyword == "codelist" ? .events : .medications,
                                         body: try listExpr(), location: kt.location))
            case "score":
                let (name, _) = try identifier("a score column name")
                let (type, tt) = try identifier("the score column's type: bool, int, number, date or string")
                guard ["bool", "int", "number", "date", "string"].contains(type) else {
                    throw error("expected the score column's type: bool, int, number, date or string", at: tt)
                }
                rs.values.append(ValueDecl(kind: .score, name: name, expr: .string(type, tt.location), location: kt.location))
            case "param", "let", "field", "quality":
                let (name, _) = try identifier("a name")
                try expectSymbol("=")
                rs.values.append(ValueDecl(kind: ValueDecl.Kind(rawValue: keyword)!, name: name, expr: try expr(), location: kt.location))
            default:
                throw error("unknown statement '\(keyword)'; expected ruleset, codelist, druglist, param, let, field, score or quality", at: kt)
            }
            guard case .newline = peek.kind else { throw error("expected the end of the line", at: peek) }
        }
        return rs
    }

    mutating func listExpr() throws(StratifyError) -> ListExpr { try listChain().expr }

    struct ListNode {
        var expr: ListExpr
        var height: Int
    }

    mutating func listChain() throws(StratifyError) -> ListNode {
        var left = try listPrimary()
        while case .symbol(let s) = peek.kind, s == "|" || s == "-" || s == "&" {
            let t = advance()
            let right = try listPrimary()
            terms += 1
            guard terms <= Parser.maxTerms else {
                throw error("a list may combine at most \(Parser.maxTerms) terms", at: t)
            }
            let height = max(left.height, right.height) + 1
            guard height <= Parser.maxDepth else { throw tooDeep(at: t) }
            left = ListNode(expr: s == "|" ? .union(left.expr, right.expr) : s == "-" ? .difference(left.expr, right.expr)
                                : .intersection(left.expr, right.expr), height: height)
        }
        return left
    }

    mutating func listPrimary() throws(StratifyError) -> ListNode {
        let t = peek
        switch t.kind {
        case .string(let path):
            p += 1
            var options = FileOptions()
            while true {
                if isKeyword("value") {
                    p += 1
                    options.valueColumn = try identifier("the name of the value column").0
                } else if isKeyword("label") {
                    p += 1
                    options.labelColumn = try identifier("the name of the label column").0
                } else if isKeyword("rows") {
                    p += 1
                    options.rowRules = true
                } else {
                    break
                }
            }
            return ListNode(expr: .file(path, options), height: 1)
        case .identifier(let name):
            p += 1
            return ListNode(expr: .name(name, t.location), height: 1)
        case .symbol("("):
            p += 1
            try descend(at: t)
            defer { nesting -= 1 }
            let e = try listChain()
            try expectSymbol(")", opened: t)
            return e
        case .symbol("*"):
            p += 1
            return ListNode(expr: .all, height: 1)
        default:
            throw error("expected a list file in quotes, a list name or *", at: t)
        }
    }

    // Expressions, lowest precedence first. Each returns its tree's height with it, and every node
    // is made by `node`, so no tree taller than `maxDepth` or larger than `maxTerms` is ever built:
    // the compiler and evaluator recurse over these trees, and so does freeing them.
    struct Node {
        var expr: Expr
        var height: Int
    }

    mutating func node(_ e: Expr, _ children: [Node], at t: Token) throws(StratifyError) -> Node {
        terms += 1
        guard terms <= Parser.maxTerms else {
            throw error("an expression may hold at most \(Parser.maxTerms) terms; split it into let statements", at: t)
        }
        let height = (children.map(\.height).max() ?? 0) + 1
        guard height <= Parser.maxDepth else { throw tooDeep(at: t) }
        return Node(expr: e, height: height)
    }

    func tooDeep(at t: Token) -> StratifyError {
        error("an expression may be nested at most \(Parser.maxDepth) levels deep (brackets, calls, 'not' and each + - * / in a chain count one level each); split it into let statements", at: t)
    }

    /// One more level of recursive descent (a bracket, a call, `not`, unary minus), so the
    /// parser's own stack stays bounded whatever the nesting of the text.
    mutating func descend(at t: Token) throws(StratifyError) {
        nesting += 1
        guard nesting <= Parser.maxDepth else { throw tooDeep(at: t) }
    }

    mutating func expr() throws(StratifyError) -> Expr { try exprNode().expr }

    mutating func exprNode() throws(StratifyError) -> Node { try orExpr() }

    /// `and` and `or` are associative (three-valued logic, evaluated for every patient at once), so
    /// a chain becomes a balanced tree: a flat list of 5,000 conditions is 13 levels deep, not 5,000.
    mutating func chain(_ op: String, _ operand: (inout Parser) throws(StratifyError) -> Node) throws(StratifyError) -> Node {
        var items = [try operand(&self)]
        var ops: [Token] = []
        while isKeyword(op) {
            ops.append(advance())
            items.append(try operand(&self))
        }
        return try balanced(op, items[...], ops[...])
    }

    mutating func balanced(_ op: String, _ items: ArraySlice<Node>, _ ops: ArraySlice<Token>) throws(StratifyError) -> Node {
        if items.count == 1 { return items.first! }
        let mid = items.startIndex + items.count / 2
        let left = try balanced(op, items[..<mid], ops[ops.startIndex..<ops.startIndex + (mid - items.startIndex - 1)])
        let t = ops[ops.startIndex + (mid - items.startIndex - 1)]
        let right = try balanced(op, items[mid...], ops[(ops.startIndex + (mid - items.startIndex))...])
        return try node(.binary(op, left.expr, right.expr, t.location), [left, right], at: t)
    }

    mutating func orExpr() throws(StratifyError) -> Node {
        try chain("or") { (p: inout Parser) throws(StratifyError) in try p.andExpr() }
    }

    mutating func andExpr() throws(StratifyError) -> Node {
        try chain("and") { (p: inout Parser) throws(StratifyError) in try p.notExpr() }
    }

    mutating func notExpr() throws(StratifyError) -> Node {
        if isKeyword("not") {
            let t = advance()
            try descend(at: t)
            defer { nesting -= 1 }
            let operand = try notExpr()
            return try node(.unary("not", operand.expr, t.location), [operand], at: t)
        }
        return try comparison()
    }

    mutating func comparison() throws(StratifyError) -> Node {
        let left = try additive()
        if case .symbol(let s) = peek.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
            let t = advance()
            let right = try additive()
            return try node(.binary(s, left.expr, right.expr, t.location), [left, right], at: t)
        }
        if isKeyword("in") {
            let t = advance()
            try expectSymbol("[")
            try descend(at: t)
            defer { nesting -= 1 }
            var items: [Node] = []
            if case .symbol("]") = peek.kind {} else {
                items.append(try additive())
                while case .symbol(",") = peek.kind { p += 1; items.append(try additive()) }
            }
            try expectSymbol("]")
            return try node(.inList(left.expr, items.map(\.expr), t.location), [left] + items, at: t)
        }
        return left
    }

    mutating func additive() throws(StratifyError) -> Node {
        var left = try multiplicative()
        while case .symbol(let s) = peek.kind, s == "+" || s == "-" {
            let t = advance()
            let right = try multiplicative()
            left = try node(.binary(s, left.expr, right.expr, t.location), [left, right], at: t)
        }
        return left
    }

    mutating func multiplicative() throws(StratifyError) -> Node {
        var left = try unary()
        while case .symbol(let s) = peek.kind, s == "*" || s == "/" {
            let t = advance()
            let right = try unary()
            left = try node(.binary(s, left.expr, right.expr, t.location), [left, right], at: t)
        }
        return left
    }

    mutating func unary() throws(StratifyError) -> Node {
        if case .symbol("-") = peek.kind {
            let t = advance()
            try descend(at: t)
            defer { nesting -= 1 }
            let operand = try unary()
            return try node(.unary("-", operand.expr, t.location), [operand], at: t)
        }
        return try postfix()
    }

    mutating func postfix() throws(StratifyError) -> Node {
        var e = try primary()
        while case .symbol(".") = peek.kind {
            p += 1
            let (member, t) = try identifier("a member name after '.'")
            e = try node(.member(e.expr, member, t.location), [e], at: t)
        }
        return e
    }

    mutating func primary() throws(StratifyError) -> Node {
        let t = advance()
        switch t.kind {
        case .number(let v, let isInteger):
            if case .identifier(let unit) = peek.kind, let u = WindowUnit(rawValue: unit) {
                guard isInteger, v >= 0, v <= Double(Window.maxAmount) else {
                    throw error("a window needs a whole number from 0 to \(Window.maxAmount)", at: t)
                }
                p += 1
                return try node(.window(Int(v), u, t.location), [], at: t)
            }
            // Whole numbers become Int64 constants, and converting one past Int64.max traps.
            guard !isInteger || v < 0x1p63 else { throw error("a whole number must be less than 2^63", at: t) }
            return try node(.number(v, isInteger: isInteger, t.location), [], at: t)
        case .string(let s):
            return try node(.string(s, t.location), [], at: t)
        case .identifier(let name):
            switch name {
            case "true": return try node(.bool(true, t.location), [], at: t)
            case "false": return try node(.bool(false, t.location), [], at: t)
            case "null": return try node(.null(t.location), [], at: t)
            default: break
            }
            if case .symbol("(") = peek.kind {
                let open = advance()
                try descend(at: open)
                defer { nesting -= 1 }
                var args: [Node] = []
                if case .symbol(")") = peek.kind {} else {
                    args.append(try exprNode())
                    while case .symbol(",") = peek.kind { p += 1; args.append(try exprNode()) }
                }
                try expectSymbol(")", opened: open)
                return try node(.call(name, args.map(\.expr), t.location), args, at: t)
            }
            return try node(.name(name, t.location), [], at: t)
        case .symbol("("):
            try descend(at: t)
            defer { nesting -= 1 }
            let e = try exprNode()
            try expectSymbol(")", opened: t)
            return e
        default:
            throw error("expected a value, a name or '('", at: t)
        }
    }
}
