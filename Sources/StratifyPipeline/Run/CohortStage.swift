import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference

/// Evaluates a pipeline's cohorts and writes their files; returns the manifest section.
enum CohortStage {
    /// - Parameter previous: each cohort's members in the previous run (from the run history).
    /// - Returns: the manifest section, and each cohort's members' patient_ids.
    static func write(_ cohorts: [PipelineDefinition.Cohort], file: String, flags: FlagResult, scores: [(String, Column)],
                      directory: String, identifier: CohortCSV.Identifier, practices: [String: PracticeTable.Practice],
                      previous allPrevious: [String: Set<String>]) throws(StratifyError)
        -> (sections: [(String, JSON)], members: [(name: String, patientIDs: [String])]) {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("cohorts", seconds: MonotonicClock.seconds(since: t0)) }
        var memberLists: [(name: String, patientIDs: [String])] = []
        var sections: [(String, JSON)] = []
        for (k, c) in cohorts.enumerated() {
            let at = "\(file) $.cohorts[\(k)]"
            let condition = try CohortCondition(c.condition, file: at + ".where", ruleSet: flags.ruleSet, externals: scores)
            let reasons = try c.reasons.enumerated().map { (j, r) throws(StratifyError) in
                CohortCSV.Reason(label: r.label, condition: try CohortCondition(r.condition, file: "\(at).reasons[\(j)].where",
                                                                                 ruleSet: flags.ruleSet, externals: scores))
            }
            var members = condition.members(flags, externals: scores)
            members = try order(members, by: c.orderBy, at: at, flags: flags, scores: scores)
            let previous = allPrevious[c.name] ?? []
            try CohortCSV(identifier: identifier, practices: practices, keyValues: c.keyValues)
                .write(cohort: c.name, directory: directory, members: members, flags: flags, scores: scores,
                       reasons: reasons, previous: previous)
            let ids = members.map { String(decoding: flags.patients.index.key($0), as: UTF8.self) }
            memberLists.append((c.name, ids))
            let continuing = ids.filter { previous.contains($0) }.count
            var teams: [String: Int] = [:]
            guard case .string(let practiceIdx, let practiceTable)? = flags.attributes[.practiceCode] else { preconditionFailure() }
            for p in members { teams[practices[practiceTable[Int(practiceIdx[p])]]?.neighbourhood ?? "unknown", default: 0] += 1 }
            sections.append((c.name, .object([
                ("by_neighbourhood", .object(teams.keys.sorted().map { ($0, .int(teams[$0]!)) })),
                ("members", .int(members.count)),
                ("new", .int(members.count - continuing)),
                ("continuing", .int(continuing)),
                ("leavers", .int(previous.subtracting(ids).count)),
            ])))
        }
        return ([("cohorts", .object(sections))], memberLists)
    }

    /// Sort keys in order, then patient_id, so files are deterministic.
    static func order(_ members: [Int], by keys: [PipelineDefinition.SortKey], at: String, flags: FlagResult,
                      scores: [(String, Column)]) throws(StratifyError) -> [Int] {
        var columns: [(Column, Bool)] = []
        for (j, key) in keys.enumerated() {
            let expr = try RuleSetCompiler.compileExpression(key.expression, file: "\(at).order_by[\(j)].expr", ruleSet: flags.ruleSet,
                                                             externals: scores.map { (name: $0.0, type: CohortCondition.type(of: $0.1)) })
            columns.append((flags.evaluate(expr, externals: scores.map(\.1)), key.descending))
        }
        let index = flags.patients.index
        return members.sorted { a, b in
            for (c, descending) in columns {
                let order = compare(c, a, b)
                if order != 0 { return descending ? order > 0 : order < 0 }
            }
            return index.key(a).lexicographicallyPrecedes(index.key(b))
        }
    }

    /// Nulls sort last whatever the direction.
    static func compare(_ c: Column, _ a: Int, _ b: Int) -> Int {
        let na = c.isNull(at: a), nb = c.isNull(at: b)
        if na || nb { return na == nb ? 0 : (na ? 1 : -1) }
        switch c {
        case .bool(let v): return Int(v[a]) - Int(v[b])
        case .int(let v): return v[a] < v[b] ? -1 : v[a] > v[b] ? 1 : 0
        case .number(let v): return v[a] < v[b] ? -1 : v[a] > v[b] ? 1 : 0
        case .date(let v): return v[a] < v[b] ? -1 : v[a] > v[b] ? 1 : 0
        case .string: let x = c.text(at: a), y = c.text(at: b); return x < y ? -1 : x > y ? 1 : 0
        default: return 0
        }
    }
}
