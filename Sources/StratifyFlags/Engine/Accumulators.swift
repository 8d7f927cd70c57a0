import StratifyCore
import StratifyIngest

/// What the streaming pass does for one (code signature, aggregation) pair.
struct AccumulatorOp: Sendable {
    var aggregation: Int32
    /// For `bp_latest`: 0 = systolic list, 1 = diastolic list.
    var role: Int8
    /// Exclusive lower bound on dates (window start), or Int32.min.
    var after: Int32
    /// The list's value for this code (e.g. MRC grade), or NaN to use the event's numeric_value.
    var listValue: Double
    /// A row rule beyond the window (rules.md s12): minimum age at the event and/or a value test.
    /// Checked only when `filtered`, so ops without one cost a single branch.
    var filtered = false
    var minAge: Int32 = 0
    var test = ValueTest()
    var hasTest = false
}

/// Builds, per stream (events or medications), the code → ops dispatch: codes sharing the same
/// set of lists share one op list ("signature"), so the pass is one hash lookup and a short loop.
struct Dispatch: Sendable {
    let table: CodeTable
    let ops: [[AccumulatorOp]]
    /// Ops of `*` lists: applied to every row, whatever its code.
    let anyOps: [AccumulatorOp]
    /// `ops` in one array, signature s at `flatOps[opStart[s]..<opStart[s + 1]]`, then `anyOps`
    /// at `anyStart..<flatOps.count`: the streaming loop reads ranges of one buffer instead of
    /// retaining an inner array per row.
    let flatOps: [AccumulatorOp]
    let opStart: [Int32]
    let anyStart: Int

    init(ruleSet: RuleSet, domain: ListDomain, asOf: Day) {
        // code → lists containing it
        var listsOf: [UInt64: [Int]] = [:]
        for (li, list) in ruleSet.lists.enumerated() where list.domain == domain {
            for code in list.codes { listsOf[code, default: []].append(li) }
        }
        // aggregations by list
        var byList: [Int: [(Int, Int8)]] = [:]
        var anyOps: [AccumulatorOp] = []
        for (ai, agg) in ruleSet.aggregations.enumerated() {
            let list = ruleSet.lists[agg.list]
            if list.matchesAll {
                if list.domain == domain {
                    anyOps.append(AccumulatorOp(aggregation: Int32(ai), role: 0,
                                                after: agg.window.map { $0.start(asOf: asOf).rawValue } ?? Int32.min, listValue: .nan))
                }
                continue
            }
            byList[agg.list, default: []].append((ai, 0))
            if agg.list2 >= 0 { byList[agg.list2, default: []].append((ai, 1)) }
        }
        var signatureOf: [[Int]: Int32] = [:]
        var ruleIds: [RowRule: Int] = [:]
        var ops: [[AccumulatorOp]] = []
        var pairs: [(UInt64, Int32)] = []
        for code in listsOf.keys.sorted() {
            let lists = listsOf[code]!
            // Ops depend on the code only through list values, so key on lists + those values.
            var key = lists
            for li in lists { if let v = ruleSet.lists[li].values?[code] { key.append(Int(v * 1000) + 1_000_000) } }
            // Row rules differ per code too: key on each list's rule as well.
            for li in lists {
                if let rule = ruleSet.lists[li].rowRules?[code], !rule.isEmpty {
                    let id = ruleIds[rule] ?? ruleIds.count
                    ruleIds[rule] = id
                    key.append(-1 - li * 1_000_000 - id)
                }
            }
            if let sig = signatureOf[key] { pairs.append((code, sig)); continue }
            var sigOps: [AccumulatorOp] = []
            for li in lists {
                for (ai, role) in byList[li] ?? [] {
                    let agg = ruleSet.aggregations[ai]
                    var after = agg.window.map { $0.start(asOf: asOf).rawValue } ?? Int32.min
                    var op = AccumulatorOp(aggregation: Int32(ai), role: role, after: after,
                                           listValue: ruleSet.lists[li].values?[code] ?? .nan)
                    if let rule = ruleSet.lists[li].rowRules?[code] {
                        // The row's window and the aggregation's both apply: the later start wins.
                        if let years = rule.windowYears {
                            after = max(after, Window(amount: 12 * years, unit: .months).start(asOf: asOf).rawValue)
                            op.after = after
                        }
                        op.minAge = Int32(rule.minAge)
                        if let t = rule.test { op.test = t; op.hasTest = true }
                        op.filtered = rule.minAge > 0 || rule.test != nil
                    }
                    sigOps.append(op)
                }
            }
            let sig = Int32(ops.count)
            signatureOf[key] = sig
            ops.append(sigOps)
            pairs.append((code, sig))
        }
        table = CodeTable(pairs)
        self.ops = ops
        self.anyOps = anyOps
        flatOps = ops.flatMap { $0 } + anyOps
        opStart = ops.reduce(into: [Int32(0)]) { starts, o in starts.append(starts.last! + Int32(o.count)) }
        anyStart = flatOps.count - anyOps.count
    }
}
