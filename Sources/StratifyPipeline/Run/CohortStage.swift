import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference

/// Evaluates a pipeline's cohorts and writes their files; returns the manifest section.
enum CohortStage {
    /// - Parameter previous: each cohort's members in the previous run (from the run history).
    /// - Returns: the manifest section, each cohort's members' patient_ids, and what a shard hands
    ///   to `stratify merge` (each member's neighbourhood and order keys, and the leavers).
    static func write(_ cohorts: [PipelineDefinition.Cohort], file: String, flags: FlagResult, scores: [(String, Column)],
                      directory: String, identifier: CohortCSV.Identifier, practices: [String: PracticeTable.Practice],
                      previous allPrevious: [String: Set<String>]) throws(StratifyError)
        -> (sections: [(String, JSON)], members: [(name: String, patientIDs: [String])], shard: JSON) {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("cohorts", seconds: MonotonicClock.seconds(since: t0)) }
        var memberLists: [(name: String, patientIDs: [String])] = []
        var shard: [(String, JSON)] = []
        var sections: [(String, JSON)] = []
        for (k, c) in cohorts.enumerated() {
            try Interruption.check()
            let at = "\(file) $.cohorts[\(k)]"
            let condition = try CohortCondition(c.condition, file: at + ".where", ruleSet: flags.ruleSet, externals: scores)
            let reasons = try c.reasons.enumerated().map { (j, r) throws(StratifyError) in
                CohortCSV.Reason(label: r.label, condition: try CohortCondition(r.condition, file: "\(at).reasons[\(j)].where",
                                                                                 ruleSet: flags.ruleSet, externals: scores))
            }
            let (members, keys) = try order(condition.members(flags, externals: scores), by: c.orderBy, at: at,
                                            flags: flags, scores: scores)
            let previous = allPrevious[c.name] ?? []
            try CohortCSV(identifier: identifier, practices: practices, keyValues: c.keyValues)
                .write(cohort: c.name, directory: directory, members: members, flags: flags, scores: scores,
                       reasons: reasons, previous: previous)
            let ids = members.map { String(decoding: flags.patients.index.key($0), as: UTF8.self) }
            memberLists.append((c.name, ids))
            guard case .string(let practiceIdx, let practiceTable)? = flags.attributes[.practiceCode] else { preconditionFailure() }
            let team = members.map { practices[practiceTable[Int(practiceIdx[$0])]]?.neighbourhood ?? "unknown" }
            let leavers = previous.subtracting(ids).sorted()
            shard.append((c.name, ShardFile.cohort(ids: ids, neighbourhoods: team, keys: keys, leavers: leavers)))
            sections.append((c.name, section(neighbourhoods: team, continuing: ids.filter { previous.contains($0) }.count,
                                             leavers: leavers.count)))
        }
        return ([("cohorts", .object(sections))], memberLists, .object(shard))
    }

    /// A cohort's manifest section, from its members' neighbourhoods (a run's, or a merge's).
    static func section(neighbourhoods: [String], continuing: Int, leavers: Int) -> JSON {
        var teams: [String: Int] = [:]
        for t in neighbourhoods { teams[t, default: 0] += 1 }
        return .object([
            ("by_neighbourhood", .object(teams.keys.sorted().map { ($0, .int(teams[$0]!)) })),
            ("members", .int(neighbourhoods.count)),
            ("new", .int(neighbourhoods.count - continuing)),
            ("continuing", .int(continuing)),
            ("leavers", .int(leavers)),
        ])
    }

    /// Sort keys in order, then patient_id, so files are deterministic. Returns each member's
    /// key values too, for a shard's merge file (docs/sharding.md).
    static func order(_ members: [Int], by keys: [PipelineDefinition.SortKey], at: String, flags: FlagResult,
                      scores: [(String, Column)]) throws(StratifyError) -> (members: [Int], keys: [[CohortSortKey]]) {
        var columns: [Column] = []
        for (j, key) in keys.enumerated() {
            let expr = try RuleSetCompiler.compileExpression(key.expression, file: "\(at).order_by[\(j)].expr", ruleSet: flags.ruleSet,
                                                             externals: scores.map { (name: $0.0, type: CohortCondition.type(of: $0.1)) })
            columns.append(flags.evaluate(expr, externals: scores.map(\.1)))
        }
        let index = flags.patients.index, descending = keys.map(\.descending)
        let values = members.map { p in columns.map { CohortSortKey($0, p) } }
        let sorted = members.indices.sorted { a, b in
            CohortSortKey.precedes(values[a], index.key(members[a]), values[b], index.key(members[b]), descending: descending)
        }
        return (sorted.map { members[$0] }, sorted.map { values[$0] })
    }
}
