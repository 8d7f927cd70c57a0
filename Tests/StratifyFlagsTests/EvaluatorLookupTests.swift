import StratifyCore
import StratifyExport
import StratifyFlags
import Testing

/// The evaluator decides operators once per column and compares string labels once per pair of
/// labels; these tests check it against a patient-at-a-time reference with Strings, on columns
/// with different label tables, nulls, and every comparison operator.
@Suite struct EvaluatorLookupTests {
    static let n = 60

    func fixture() throws -> FlagFixture.Result {
        let patients = (0..<Self.n).map { "p\($0),1950-01-01,female" }.joined(separator: "\n")
        return try FlagFixture.run(asOf: "2025-03-31", patients: patients)
    }

    func externals() -> [(String, Column)] {
        var rng = SeededRandom(seed: 3)
        let t1 = ["moderate", "mild", "severe", "fit"], t2 = ["severe", "fit", "zz", "Mild"]
        func labels(_ count: Int) -> [Int32] { (0..<Self.n).map { _ in Int32(rng.below(count + 1)) - 1 } }
        func ints() -> [Int64] { (0..<Self.n).map { _ in rng.chance(0.1) ? Column.nullInt : Int64(rng.below(21)) - 10 } }
        return [("s1", .string(labels(t1.count), table: t1)), ("s2", .string(labels(t2.count), table: t2)),
                ("i1", .int(ints())), ("i2", .int(ints()))]
    }

    func evaluate(_ text: String, _ r: FlagFixture.Result, _ ext: [(String, Column)]) throws -> Column {
        let expr = try RuleSetCompiler.compileExpression(text, file: "test", ruleSet: r.flags.ruleSet,
                                                         externals: ext.map { (name: $0.0, type: CohortCondition.type(of: $0.1)) })
        return r.flags.evaluate(expr, externals: ext.map(\.1))
    }

    /// What each operator means for the sign of a comparison (rules-format.md), written out.
    static let meaning: [String: [Bool]] = [   // outcome for sign -1, 0, +1
        "==": [false, true, false], "!=": [true, false, true], "<": [true, false, false],
        "<=": [true, true, false], ">": [false, false, true], ">=": [false, true, true],
    ]

    static func reference(_ op: String, _ c: Int) -> Bool { meaning[op]![c.signum() + 1] }

    @Test(arguments: ["==", "!=", "<", "<=", ">", ">="])
    func stringComparisonsMatchStringByString(op: String) throws {
        let r = try fixture(), ext = externals()
        guard case .bool(let out) = try evaluate("s1 \(op) s2", r, ext),
              case .bool(let withLiteral) = try evaluate("s1 \(op) 'mild'", r, ext) else { Issue.record("not bool"); return }
        for p in 0..<Self.n {
            let x = ext[0].1.isNull(at: p) ? nil : ext[0].1.text(at: p), y = ext[1].1.isNull(at: p) ? nil : ext[1].1.text(at: p)
            if let x, let y {
                #expect(out[p] == (Self.reference(op, x < y ? -1 : x > y ? 1 : 0) ? 1 : 0))
            } else {
                #expect(out[p] == Column.nullBool)
            }
            if let x {
                #expect(withLiteral[p] == (Self.reference(op, x < "mild" ? -1 : x > "mild" ? 1 : 0) ? 1 : 0))
            } else {
                #expect(withLiteral[p] == Column.nullBool)
            }
        }
    }

    @Test func stringMembershipMatchesASetOfStrings() throws {
        let r = try fixture(), ext = externals()
        guard case .bool(let out) = try evaluate("s1 in ['mild', 'severe', 'other']", r, ext) else { Issue.record("not bool"); return }
        for p in 0..<Self.n {
            if ext[0].1.isNull(at: p) { #expect(out[p] == Column.nullBool) } else {
                #expect(out[p] == (["mild", "severe", "other"].contains(ext[0].1.text(at: p)) ? 1 : 0))
            }
        }
    }

    @Test(arguments: ["+", "-", "*"])
    func integerArithmeticMatchesPerPatient(op: String) throws {
        let r = try fixture(), ext = externals()
        guard case .int(let out) = try evaluate("i1 \(op) i2", r, ext),
              case .int(let a) = ext[2].1, case .int(let b) = ext[3].1 else { Issue.record("not int"); return }
        for p in 0..<Self.n {
            if a[p] == Column.nullInt || b[p] == Column.nullInt { #expect(out[p] == Column.nullInt); continue }
            #expect(out[p] == (op == "+" ? a[p] + b[p] : op == "-" ? a[p] - b[p] : a[p] * b[p]))
        }
    }

    @Test(arguments: ["==", "!=", "<", "<=", ">", ">="])
    func numberComparisonsMatchPerPatient(op: String) throws {
        let r = try fixture(), ext = externals()
        guard case .bool(let out) = try evaluate("i1 \(op) i2", r, ext),
              case .int(let a) = ext[2].1, case .int(let b) = ext[3].1 else { Issue.record("not bool"); return }
        for p in 0..<Self.n {
            if a[p] == Column.nullInt || b[p] == Column.nullInt { #expect(out[p] == Column.nullBool); continue }
            #expect(out[p] == (Self.reference(op, a[p] < b[p] ? -1 : a[p] > b[p] ? 1 : 0) ? 1 : 0))
        }
    }
}
