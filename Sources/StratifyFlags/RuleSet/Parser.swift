import StratifyCore

/// Parses rule-set text into `RuleSetSyntax`. Errors name the file, line and column of the token
/// and say what was expected.
public struct Parser {
    let tokens: [Token]
    let file: String
    var p = 0

    public static func parse(_ source: String, file: String) throws(StratifyError) -> RuleSetSyntax {
        var parser = Parser(tokens: try Lexer.tokenize(source, file: file), file: file)
        return try parser.ruleSet()
    }

    /// Parses one expression (a cohort condition or sort key), which must use the whole text.
    public static func parseExpression(_ source: String, file: String) throws(StratifyError) -> Expr {
        var parser = Parser(tokens: try Lexer.tokenize(source, file: file), file: file)
        let e = try parser.expr()
        while case .newline = parser.peek.kind { parser.p += 1 }
        guard case .end = parser.peek.kind else { throw parser.error("expected the end of the expression", at: parser.peek) }
        return e
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

    mutating func listExpr() throws(StratifyError) -> ListExpr {
        var left = try listPrimary()
        while case .symbol(let s) = peek.kind, s == "|" || s == "-" || s == "&" {
            p += 1
            let right = try listPrimary()
            left = s == "|" ? .union(left, right) : s == "-" ? .difference(left, right) : .intersection(left, right)
        }
        return left
    }

    mutating func listPrimary() throws(StratifyError) -> ListExpr {
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
            return .file(path, options)
        case .identifier(let name):
            p += 1
            return .name(name, t.location)
        case .symbol("("):
            p += 1
            let e = try listExpr()
            try expectSymbol(")", opened: t)
            return e
        case .symbol("*"):
            p += 1
            return .all
        default:
            throw error("expected a list file in quotes, a list name or *", at: t)
        }
    }

    // Expressions, lowest precedence first.
    mutating func expr() throws(StratifyError) -> Expr { try orExpr() }

    mutating func orExpr() throws(StratifyError) -> Expr {
        var left = try andExpr()
        while isKeyword("or") {
            let t = advance()
            left = .binary("or", left, try andExpr(), t.location)
        }
        return left
    }

    mutating func andExpr() throws(StratifyError) -> Expr {
        var left = try notExpr()
        while isKeyword("and") {
            let t = advance()
            left = .binary("and", left, try notExpr(), t.location)
        }
        return left
    }

    mutating func notExpr() throws(StratifyError) -> Expr {
        if isKeyword("not") {
            let t = advance()
            return .unary("not", try notExpr(), t.location)
        }
        return try comparison()
    }

    mutating func comparison() throws(StratifyError) -> Expr {
        let left = try additive()
        if case .symbol(let s) = peek.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
            let t = advance()
            return .binary(s, left, try additive(), t.location)
        }
        if isKeyword("in") {
            let t = advance()
            try expectSymbol("[")
            var items: [Expr] = []
            if case .symbol("]") = peek.kind {} else {
                items.append(try additive())
                while case .symbol(",") = peek.kind { p += 1; items.append(try additive()) }
            }
            try expectSymbol("]")
            return .inList(left, items, t.location)
        }
        return left
    }

    mutating func additive() throws(StratifyError) -> Expr {
        var left = try multiplicative()
        while case .symbol(let s) = peek.kind, s == "+" || s == "-" {
            let t = advance()
            left = .binary(s, left, try multiplicative(), t.location)
        }
        return left
    }

    mutating func multiplicative() throws(StratifyError) -> Expr {
        var left = try unary()
        while case .symbol(let s) = peek.kind, s == "*" || s == "/" {
            let t = advance()
            left = .binary(s, left, try unary(), t.location)
        }
        return left
    }

    mutating func unary() throws(StratifyError) -> Expr {
        if case .symbol("-") = peek.kind {
            let t = advance()
            return .unary("-", try unary(), t.location)
        }
        return try postfix()
    }

    mutating func postfix() throws(StratifyError) -> Expr {
        var e = try primary()
        while case .symbol(".") = peek.kind {
            p += 1
            let (member, t) = try identifier("a member name after '.'")
            e = .member(e, member, t.location)
        }
        return e
    }

    mutating func primary() throws(StratifyError) -> Expr {
        let t = advance()
        switch t.kind {
        case .number(let v, let isInteger):
            if case .identifier(let unit) = peek.kind, let u = WindowUnit(rawValue: unit) {
                guard isInteger, v >= 0, v <= Double(Window.maxAmount) else {
                    throw error("a window needs a whole number from 0 to \(Window.maxAmount)", at: t)
                }
                p += 1
                return .window(Int(v), u, t.location)
            }
            // Whole numbers become Int64 constants, and converting one past Int64.max traps.
            guard !isInteger || v < 0x1p63 else { throw error("a whole number must be less than 2^63", at: t) }
            return .number(v, isInteger: isInteger, t.location)
        case .string(let s):
            return .string(s, t.location)
        case .identifier(let name):
            switch name {
            case "true": return .bool(true, t.location)
            case "false": return .bool(false, t.location)
            case "null": return .null(t.location)
            default: break
            }
            if case .symbol("(") = peek.kind {
                let open = advance()
                var args: [Expr] = []
                if case .symbol(")") = peek.kind {} else {
                    args.append(try expr())
                    while case .symbol(",") = peek.kind { p += 1; args.append(try expr()) }
                }
                try expectSymbol(")", opened: open)
                return .call(name, args, t.location)
            }
            return .name(name, t.location)
        case .symbol("("):
            let e = try expr()
            try expectSymbol(")", opened: t)
            return e
        default:
            throw error("expected a value, a name or '('", at: t)
        }
    }
}
