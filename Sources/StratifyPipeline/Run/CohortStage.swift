import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference

/// Evaluates a pipeline's cohorts and writes their files; returns the manifest section.
enum CohortStage {
    struct Written {
        var sections: [(String, JSON)]
        var members: [(name: String, patientIDs: [String])]
        /// What the history keeps of each cohort's members, for the next run's leavers.
        var details: [String: [CohortMember]]
        var summary: [CohortSummary]
        var shard: JSON
    }

    /// - Parameter previous: each cohort's members in the previous run (from the run history).
    /// - Returns: the manifest section, each cohort's members, and what a shard hands to
    ///   `stratify merge` (each member's neighbourhood and order keys, and the leavers).
    static func write(_ cohorts: [PipelineDefinition.Cohort], file: String, flags: FlagResult, scores: [(String, Column)],
                      directory: String, identifier: CohortCSV.Identifier, practices: [String: PracticeTable.Practice],
                      labels: CohortLabels = .none, previous allPrevious: [String: [CohortMember]],
                      forShard: Bool) throws(StratifyError) -> Written {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("cohorts", seconds: MonotonicClock.seconds(since: t0)) }
        var written = Written(sections: [], members: [], details: [:], summary: [], shard: .null)
        var shard: [(String, JSON)] = []
        var book = CohortWorkbook.Inputs()
        typealias Files = (all: [UInt8], byNeighbourhood: [String: [UInt8]])
        struct One {
            var files: Files, leaverFiles: Files
            var records: [CohortMember], ids: [String], keys: [[CohortSortKey]]
            var leavers: [CohortLeaver], previousIDs: Set<String>
        }
        // Cohorts are independent until they are gathered into workbooks and the manifest, so
        // each is evaluated, ordered, explained and written on its own core (at ICB scale this
        // stage was the run's longest single-threaded one); the gathering below is in order.
        let done = parallelMap(cohorts.count) { k -> Result<One, StratifyError> in
            let c = cohorts[k]
            do throws(StratifyError) {
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
                let previousIDs = Set(previous.map(\.patientID))
                let csv = CohortCSV(identifier: identifier, practices: practices, keyValues: c.keyValues, labels: labels)
                let prepared = try csv.prepare(flags: flags, scores: scores, reasons: reasons)
                // A closure, not `prepared.member`: the partially applied method copied the whole
                // prepared value (a count for each of its arrays) for every member.
                let records = members.map { prepared.member($0) }
                let files = csv.render(members: members, records: records, prepared: prepared, previous: previousIDs)
                let ids = records.map(\.patientID)
                let current = Set(ids)
                let leavers = previous.filter { !current.contains($0.patientID) }.map { CohortLeaver.explain($0, in: prepared) }
                let leaverFiles = csv.leavers(leavers)
                try CohortCSV.write(cohort: c.name, directory: directory, files: files, leavers: leaverFiles)
                return .success(One(files: files, leaverFiles: leaverFiles, records: records, ids: ids, keys: keys,
                                    leavers: leavers, previousIDs: previousIDs))
            } catch {
                return .failure(error)
            }
        }
        for (k, c) in cohorts.enumerated() {
            let one = try done[k].get()
            let ids = one.ids, previousIDs = one.previousIDs, leavers = one.leavers
            book.add(c.about, files: one.files, leavers: one.leaverFiles)
            written.members.append((c.name, ids))
            written.details[c.name] = one.records
            let team = one.records.map(\.neighbourhood)
            written.summary += CohortSummary.rows(cohort: c.name, members: zip(team, ids).map { ($0, previousIDs.contains($1)) },
                                                  leavers: leavers.map(\.neighbourhood))
            // Every member's keys as JSON: for a shard's merge file only.
            if forShard { shard.append((c.name, ShardFile.cohort(ids: ids, neighbourhoods: team, keys: one.keys, leavers: leavers))) }
            written.sections.append((c.name, section(neighbourhoods: team, continuing: ids.filter { previousIDs.contains($0) }.count,
                                                     leavers: leavers.count)))
        }
        try book.write(directory: directory, asOf: flags.asOf)
        written.sections = [("cohorts", .object(written.sections))]
        written.shard = .object(shard)
        return written
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
        let sorted = CohortOrder.sorted(values, ids: members.map { index.key($0) }, descending: descending)
        return (sorted.map { members[$0] }, sorted.map { values[$0] })
    }
}

extension PipelineDefinition.Cohort {
    /// What a workbook's read-me says about the cohort.
    var about: CohortWorkbook.About {
        let keys = orderBy.map { "\($0.expression)\($0.descending ? " (highest first)" : " (lowest first)")" }
        return CohortWorkbook.About(name: name, description: description, reasons: reasons.map(\.label),
                                    order: orderDescription ?? (keys + ["patient id"]).joined(separator: ", then "))
    }
}
