import StratifyCore
import StratifyIngest
import StratifyReference

/// The flag stage's result: a column per rule-set value, for every accepted patient, plus who is
/// in the population (rules.md §0).
public struct FlagResult: Sendable {
    public let ruleSet: RuleSet
    public let asOf: Day
    public let patients: PatientTable
    public let attributes: [PatientAttribute: Column]
    public let values: [Column]
    public let inPopulation: [Bool]
    public let quality: FlagQuality

    /// The same result with the rule set's `score` columns taken from `scores` (by name) and the
    /// values that use them evaluated. Returns self when the rule set declares no score column.
    public func completing(scores: [(String, Column)]) throws(StratifyError) -> FlagResult {
        guard ruleSet.late.contains(true) else { return self }
        var e = Evaluator(n: patients.count, asOf: asOf, attributes: attributes, aggregations: [], values: values.map { Optional($0) })
        let byName = Dictionary(scores, uniquingKeysWith: { a, _ in a })
        for i in ruleSet.evaluationOrder where ruleSet.late[i] {
            let v = ruleSet.values[i]
            if v.kind == .score {
                guard let c = byName[v.name] else {
                    throw StratifyError(.runFailed, "rule set '\(ruleSet.name)' declares score column '\(v.name)', which the score stage does not compute",
                                        help: "see docs/rules-format.md, \"Score columns\"")
                }
                e.values[i] = c
            } else {
                e.values[i] = e.eval(v.expr)
            }
        }
        return FlagResult(ruleSet: ruleSet, asOf: asOf, patients: patients, attributes: attributes,
                          values: e.values.map { $0! }, inPopulation: inPopulation, quality: quality)
    }

    public func column(named name: String) -> Column? {
        ruleSet.values.firstIndex { $0.name == name }.map { values[$0] }
    }

    /// Every column by name: rule-set values, patient attributes, then `extra` (score fields).
    /// Names cannot collide: the compiler rejects values named like attributes.
    public func namedColumns(adding extra: [(String, Column)] = []) -> [String: Column] {
        var columns: [String: Column] = [:]
        for (i, v) in ruleSet.values.enumerated() { columns[v.name] = values[i] }
        for a in PatientAttribute.allCases { columns[a.rawValue] = attributes[a] }
        for (name, c) in extra { columns[name] = c }
        return columns
    }

    /// Evaluates an expression compiled with `RuleSetCompiler.compileExpression` over every
    /// patient, with `externals` in the order they were declared there.
    public func evaluate(_ expr: TypedExpr, externals: [Column]) -> Column {
        var e = Evaluator(n: patients.count, asOf: asOf, attributes: attributes, aggregations: [], values: values)
        e.externals = externals
        return e.eval(expr)
    }
}

extension FlagEngine {
    /// Turns accumulators into columns and evaluates every value in dependency order. Consumes the
    /// accumulators: call it once per engine.
    public mutating func finish(patients: PatientTable, imd: IMDTable) -> FlagResult {
        let n = patients.count
        precondition(!finished, "FlagEngine.finish called twice")
        finished = true
        if !started { start(patients: n) }
        var quality = self.quality
        let attributes = FlagEngine.attributes(patients, asOf: asOf, imd: imd, quality: &quality)
        var aggregationColumns: [Column] = []
        let gathered = gatherAggregationColumns()
        for (a, agg) in ruleSet.aggregations.enumerated() {
            if let column = gathered[a] {
                aggregationColumns.append(column)
                continue
            }
            switch agg.kind {
            case .episodes:
                var out = [Int64](repeating: 0, count: n)
                for (p, ds) in episodeDates[a] {
                    let sorted = ds.sorted()
                    var episodes: Int64 = 1
                    for k in 1..<max(1, sorted.count) where sorted[k] - sorted[k - 1] > Int32(agg.washoutDays) { episodes += 1 }
                    out[Int(p)] = episodes
                }
                aggregationColumns.append(.int(out))
            case .bpLatest:
                let state = bp[bpSlot[a]]
                var sys = [Double](repeating: .nan, count: n), dia = sys
                var date = [Int32](repeating: Column.nullDate, count: n)
                for p in 0..<n {
                    switch state.latestPair(p) {
                    case .pair(let d, let s, let di): date[p] = d; sys[p] = s; dia[p] = di
                    case .none: break
                    }
                }
                aggregationColumns.append(.bloodPressure(sys: sys, dia: dia, date: date))
            default:
                preconditionFailure("gatherAggregationColumns builds every other kind")
            }
        }
        // The accumulators are columns now: free them before the evaluator allocates its own
        // (evaluation is the run's memory peak). So an engine is finished once.
        counts = []; dates = []; values = []; dates2 = []; values2 = []; distinct = []
        bp = []; episodeDates = []
        var evaluator = Evaluator(n: n, asOf: asOf, attributes: attributes, aggregations: aggregationColumns,
                                  values: Array(repeating: nil, count: ruleSet.values.count))
        // Wave by wave, the values of a wave side by side on the cores: evaluation was one of the
        // run's longest single-threaded steps (BENCHMARKS.md, issue 16). `eval` only reads the
        // evaluator, so each worker reads a shared copy; results go to their slots in order.
        let ruleSet = self.ruleSet
        for wave in ruleSet.evaluationLevels {
            let shared = evaluator
            let columns = parallelMap(wave.count) { k in
                let i = wave[k]
                // Score columns and what uses them wait for the score stage (`completing(scores:)`).
                return !ruleSet.late.isEmpty && ruleSet.late[i] ? shared.nulls(ruleSet.values[i].type) : shared.eval(ruleSet.values[i].expr)
            }
            for (k, i) in wave.enumerated() { evaluator.values[i] = columns[k] }
        }
        let d = asOf.rawValue
        var population = [Bool](repeating: false, count: n)
        for p in 0..<n {
            let dod = patients.dateOfDeath[p], reg = patients.registrationStart[p]
            let died = dod != PatientTable.noDay && dod <= d
            let notYet = reg != PatientTable.noDay && reg > d
            // Born after the as-of date: valid, out of scope (ingest counts them in data_quality).
            let unborn = patients.dateOfBirth[p] > d
            if died { quality.patientsDied += 1 }
            if notYet { quality.patientsRegisteredAfterAsOf += 1 }
            population[p] = !died && !notYet && !unborn
            if population[p] { quality.population += 1 }
        }
        self.quality = quality
        return FlagResult(ruleSet: ruleSet, asOf: asOf, patients: patients, attributes: attributes,
                          values: evaluator.values.map { $0! }, inPopulation: population, quality: quality)
    }

    static func attributes(_ t: PatientTable, asOf: Day, imd: IMDTable, quality: inout FlagQuality) -> [PatientAttribute: Column] {
        let n = t.count
        var age = [Int64](repeating: 0, count: n)
        var decile = [Int64](repeating: Column.nullInt, count: n)
        var quintile = decile
        var ethnic = [Int32](repeating: -1, count: n)
        var practiceIndex: [UInt64: Int32] = [:]
        var practiceTable: [String] = []
        var practice = [Int32](repeating: 0, count: n)
        let letters = (65...90).map { String(UnicodeScalar(UInt8($0))) }
        for p in 0..<n {
            age[p] = Int64(Day(rawValue: t.dateOfBirth[p]).age(on: asOf))
            if t.lsoa[p] >= 0 {
                if let dec = imd.decile[t.lsoa[p]] {
                    decile[p] = Int64(dec)
                    quintile[p] = Int64((dec + 1) / 2)
                } else {
                    quality.lsoaNotInIMD += 1
                }
            }
            if t.ethnicCategory[p] != 0 { ethnic[p] = Int32(t.ethnicCategory[p]) - 65 }
            let code = t.practice[p]
            if let i = practiceIndex[code] { practice[p] = i } else {
                practiceIndex[code] = Int32(practiceTable.count)
                practice[p] = Int32(practiceTable.count)
                practiceTable.append(PatientTable.practiceCode(code))
            }
        }
        return [
            .age: .int(age),
            .sex: .string(t.sex.map { Int32($0) }, table: Sex.allCases.map(\.name)),
            .imdDecile: .int(decile),
            .imdQuintile: .int(quintile),
            .ethnicCategory: .string(ethnic, table: letters),
            .dateOfBirth: .date(t.dateOfBirth),
            .practiceCode: .string(practice, table: practiceTable),
            .asOf: .date(Array(repeating: asOf.rawValue, count: n)),
        ]
    }
}
