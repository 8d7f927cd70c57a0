import FuzzSupport
import StratifyFlags
import StratifyReference

/// Fuzz target (b): the rule-set lexer, parser and compiler, as `stratify rules check` runs them.
///
/// Lists resolve against Fuzz/fixtures/reference, a few small code lists under the shipped names,
/// so that every input pays for a handful of tiny files rather than the 1.7 MB of real ones (a
/// list the fixture lacks is a located "missing file" error, which the compiler recovers from).
/// Properties: no input traps or hangs; a rejected input gets located errors, each naming the
/// file; an accepted rule set has a name, and its evaluation order lists every value once.
private let reference = try! ReferenceData.unchecked(root: Fuzz.root + "/Fuzz/fixtures/reference")
private let file = "fuzz.rules"

func fuzzRules(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let source = String(decoding: Fuzz.bytes(data, size), as: UTF8.self)
    do {
        let rules = try RuleSetCompiler.compile(source: source, file: file, reference: reference)
        Fuzz.check(!rules.name.isEmpty, "accepted a rule set without a name")
        Fuzz.check(rules.evaluationOrder.sorted() == Array(rules.values.indices),
                   "evaluation order \(rules.evaluationOrder) is not a permutation of \(rules.values.count) values")
    } catch {
        Fuzz.check(!error.message.isEmpty, "an error without a message")
        for line in error.message.split(separator: "\n") {
            Fuzz.check(line.hasPrefix(file), "error line does not name the file: \(line)")
        }
    }
    return 0
}
