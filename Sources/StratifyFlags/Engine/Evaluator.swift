import StratifyCore

/// Evaluates typed expressions column by column over all patients: each node is one tight loop
/// over N values, so a rule set of a few hundred nodes costs a few hundred passes over arrays,
/// never a per-patient tree walk.
struct Evaluator {
    let n: Int
    let asOf: Day
    var attributes: [PatientAttribute: Column]
    var aggregations: [Column]
    var values: [Column?]
    var externals: [Column] = []

    func broadcast(_ c: Constant) -> Column {
        switch c {
        case .bool(let b): .bool(Array(repeating: b ? 1 : 0, count: n))
        case .int(let v): .int(Array(repeating: v, count: n))
        case .number(let v): .number(Array(repeating: v, count: n))
        case .string(let s): .string(Array(repeating: 0, count: n), table: [s])
        case .date(let d): .date(Array(repeating: d, count: n))
        case .window(let w): .window(w)
        case .null: .bool(Array(repeating: Column.nullBool, count: n))
        }
    }

    /// A null column of the given type.
    func nulls(_ t: ValueType) -> Column {
        switch t {
        case .int: .int(Array(repeating: Column.nullInt, count: n))
        case .number: .number(Array(repeating: .nan, count: n))
        case .date: .date(Array(repeating: Column.nullDate, count: n))
        case .string: .string(Array(repeating: -1, count: n), table: [])
        default: .bool(Array(repeating: Column.nullBool, count: n))
        }
    }

    func eval(_ e: TypedExpr) -> Column {
        switch e {
        case .constant(let c): return broadcast(c)
        case .value(let i, _): return values[i]!
        case .attribute(let a): return attributes[a]!
        case .aggregation(let i, _): return aggregations[i]
        case .external(let i, _): return externals[i]
        case .member(let base, let m):
            guard case .bloodPressure(let sys, let dia, let date) = eval(base) else { preconditionFailure() }
            switch m {
            case .sys: return .number(sys)
            case .dia: return .number(dia)
            case .date: return .date(date)
            }
        case .unary(let op, let operand, _):
            let o = eval(operand)
            if op == "not" { return .bool(o.bools.map { $0 == Column.nullBool ? $0 : 1 - $0 }) }
            if case .int(let v) = o { return .int(v.map { $0 == Column.nullInt ? $0 : -$0 }) }
            return .number(o.doubles!.map { -$0 })
        case .binary(let op, let a, let b, let t):
            return binary(op, eval(a), eval(b), t, a.type, b.type)
        case .inList(let a, let items):
            return inList(eval(a), items)
        case .call(let f, let args, let t):
            return call(f, args, t)
        }
    }

    func binary(_ op: String, _ l: Column, _ r: Column, _ t: ValueType, _ lt: ValueType, _ rt: ValueType) -> Column {
        switch op {
        case "and", "or":
            let a = l.bools, b = r.bools
            var out = [UInt8](repeating: 0, count: n)
            // The operator is decided once per column, not compared as a String per patient.
            if op == "and" {
                for i in 0..<n {
                    let x = a[i], y = b[i]
                    out[i] = (x == 0 || y == 0) ? 0 : (x == 1 && y == 1) ? 1 : Column.nullBool
                }
            } else {
                for i in 0..<n {
                    let x = a[i], y = b[i]
                    out[i] = (x == 1 || y == 1) ? 1 : (x == 0 && y == 0) ? 0 : Column.nullBool
                }
            }
            return .bool(out)
        case "+", "-", "*", "/":
            if t == .int, case .int(let a) = l, case .int(let b) = r {
                var out = [Int64](repeating: Column.nullInt, count: n)
                let sign: Int64 = op == "-" ? -1 : 1, multiply = op != "+" && op != "-"
                for i in 0..<n where a[i] != Column.nullInt && b[i] != Column.nullInt {
                    out[i] = multiply ? a[i] &* b[i] : a[i] &+ sign &* b[i]
                }
                return .int(out)
            }
            let a = l.doubles!, b = r.doubles!
            var out = [Double](repeating: .nan, count: n)
            switch op {
            case "+": for i in 0..<n { out[i] = a[i] + b[i] }
            case "-": for i in 0..<n { out[i] = a[i] - b[i] }
            case "*": for i in 0..<n { out[i] = a[i] * b[i] }
            default: for i in 0..<n { out[i] = b[i] == 0 ? .nan : a[i] / b[i] }
            }
            return .number(out)
        default:
            return compare(op, l, r, lt)
        }
    }

    @inline(__always) static func test(_ op: String, _ c: Int) -> Bool {
        switch op {
        case "==": c == 0
        case "!=": c != 0
        case "<": c < 0
        case "<=": c <= 0
        case ">": c > 0
        default: c >= 0
        }
    }

    func compare(_ op: String, _ l: Column, _ r: Column, _ lt: ValueType) -> Column {
        var out = [UInt8](repeating: Column.nullBool, count: n)
        // `test(op, c)` for c = -1, 0, 1, worked out once: the loops index it by sign + 1.
        let outcome: [UInt8] = [-1, 0, 1].map { Evaluator.test(op, $0) ? 1 : 0 }
        switch (l, r) {
        case (.date(let a), .date(let b)):
            for i in 0..<n where a[i] != Column.nullDate && b[i] != Column.nullDate {
                out[i] = outcome[a[i] < b[i] ? 0 : a[i] > b[i] ? 2 : 1]
            }
        case (.bool(let a), .bool(let b)):
            for i in 0..<n where a[i] != Column.nullBool && b[i] != Column.nullBool {
                out[i] = outcome[Int(a[i]) - Int(b[i]) + 1]
            }
        case (.string(let x, let xt), .string(let y, let yt)):
            // Tables are a few labels: compare every pair of labels once, then look up per patient.
            let pairs = xt.map { s in yt.map { t in outcome[s < t ? 0 : s > t ? 2 : 1] } }
            for i in 0..<n where x[i] >= 0 && y[i] >= 0 { out[i] = pairs[Int(x[i])][Int(y[i])] }
        default:
            let a = l.doubles!, b = r.doubles!
            for i in 0..<n where !a[i].isNaN && !b[i].isNaN {
                out[i] = outcome[a[i] < b[i] ? 0 : a[i] > b[i] ? 2 : 1]
            }
        }
        return .bool(out)
    }

    func inList(_ l: Column, _ items: [Constant]) -> Column {
        var out = [UInt8](repeating: Column.nullBool, count: n)
        if case .string(let idx, let table) = l {
            let set = Set(items.compactMap { if case .string(let s) = $0 { s } else { nil } })
            // Membership per label, once; then a lookup per patient.
            let member: [UInt8] = table.map { set.contains($0) ? 1 : 0 }
            for i in 0..<n where idx[i] >= 0 { out[i] = member[Int(idx[i])] }
            return .bool(out)
        }
        let set = Set(items.compactMap { c -> Double? in
            switch c {
            case .int(let v): Double(v)
            case .number(let v): v
            default: nil
            }
        })
        let a = l.doubles!
        for i in 0..<n where !a[i].isNaN { out[i] = set.contains(a[i]) ? 1 : 0 }
        return .bool(out)
    }

    func call(_ f: ScalarFunction, _ args: [TypedExpr], _ t: ValueType) -> Column {
        switch f {
        case .inLast:
            let d = eval(args[0]).dateValues
            guard case .window(let w) = eval(args[1]) else { preconditionFailure() }
            let after = w.start(asOf: asOf).rawValue, end = asOf.rawValue
            return .bool(d.map { $0 != Column.nullDate && $0 > after && $0 <= end ? 1 : 0 })
        case .onOrAfter:
            let a = eval(args[0]).dateValues, b = eval(args[1]).dateValues
            return .bool((0..<n).map { a[$0] != Column.nullDate && b[$0] != Column.nullDate && a[$0] >= b[$0] ? 1 : 0 })
        case .isNull:
            let c = eval(args[0])
            return .bool((0..<n).map { c.isNull(at: $0) ? 1 : 0 })
        case .countTrue:
            var out = [Int64](repeating: 0, count: n)
            for a in args {
                let b = eval(a).bools
                for i in 0..<n where b[i] == 1 { out[i] += 1 }
            }
            return .int(out)
        case .year, .month:
            let d = eval(args[0]).dateValues
            return .int(d.map { v in
                guard v != Column.nullDate else { return Column.nullInt }
                let c = Day(rawValue: v).civil
                return Int64(f == .year ? c.year : c.month)
            })
        case .makeDate:
            guard case .int(let y) = eval(args[0]), case .int(let m) = eval(args[1]), case .int(let d) = eval(args[2]) else { preconditionFailure() }
            return .date((0..<n).map { i in
                guard y[i] != Column.nullInt, m[i] != Column.nullInt, d[i] != Column.nullInt,
                      let day = Day(year: Int(y[i]), month: Int(m[i]), day: Int(d[i])) else { return Column.nullDate }
                return day.rawValue
            })
        case .date:
            preconditionFailure("date() is folded to a constant at compile time")
        case .ageOn:
            let d = eval(args[0]).dateValues, dob = attributes[.dateOfBirth]!.dateValues
            return .int((0..<n).map { i in
                guard d[i] != Column.nullDate else { return Column.nullInt }
                return Int64(Day(rawValue: dob[i]).age(on: Day(rawValue: d[i])))
            })
        case .latestOf:
            // Pairs in precedence order: a later date wins; an equal date keeps the earlier pair.
            var best = [Int32](repeating: Column.nullDate, count: n)
            var out = [Int32](repeating: -1, count: n)
            var labels: [String] = []
            for k in stride(from: 0, to: args.count, by: 2) {
                let d = eval(args[k]).dateValues
                guard case .constant(.string(let label)) = args[k + 1] else { preconditionFailure("checked by the compiler") }
                let index = Int32(labels.firstIndex(of: label) ?? labels.count)
                if Int(index) == labels.count { labels.append(label) }
                for i in 0..<n where d[i] != Column.nullDate && (out[i] < 0 || d[i] > best[i]) {
                    best[i] = d[i]
                    out[i] = index
                }
            }
            return .string(out, table: labels)
        case .ifThenElse, .coalesce:
            let first = f == .ifThenElse ? 1 : 0
            let a = coerce(eval(args[first]), to: t), b = coerce(eval(args[first + 1]), to: t)
            let pickFirst: [Bool]
            if f == .ifThenElse {
                pickFirst = eval(args[0]).bools.map { $0 == 1 }
            } else {
                pickFirst = (0..<n).map { !a.isNull(at: $0) }
            }
            return select(pickFirst, a, b)
        }
    }

    /// Gives a column the branch type of an `if`/`coalesce` (null literals, ints into numbers).
    func coerce(_ c: Column, to t: ValueType) -> Column {
        switch (c, t) {
        case (.bool(let v), _) where t != .bool && v.allSatisfy({ $0 == Column.nullBool }): return nulls(t)
        case (.int, .number): return .number(c.doubles!)
        default: return c
        }
    }

    func select(_ pick: [Bool], _ a: Column, _ b: Column) -> Column {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return .bool((0..<n).map { pick[$0] ? x[$0] : y[$0] })
        case (.int(let x), .int(let y)): return .int((0..<n).map { pick[$0] ? x[$0] : y[$0] })
        case (.number(let x), .number(let y)): return .number((0..<n).map { pick[$0] ? x[$0] : y[$0] })
        case (.date(let x), .date(let y)): return .date((0..<n).map { pick[$0] ? x[$0] : y[$0] })
        case (.string(let x, let tx), .string(let y, let ty)):
            // Merge tables: b's indices shift past a's.
            let shift = Int32(tx.count)
            return .string((0..<n).map { pick[$0] ? x[$0] : (y[$0] < 0 ? -1 : y[$0] + shift) }, table: tx + ty)
        default:
            preconditionFailure("if/coalesce branches were type-checked to match")
        }
    }
}
