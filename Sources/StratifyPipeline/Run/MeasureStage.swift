import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyReference
import StratifyScores

/// The measures of `reference/measures/` (docs/measures.md): checked against the rule set before
/// any row is read, then evaluated once flags and scores exist.
public enum MeasureStage {
    /// Reads every measure file and compiles each expression against the rule set and the score
    /// fields, so `run`, `doctor` and `rules check` refuse a bad measure file the same way.
    public static func load(reference: ReferenceData, ruleSet: RuleSet) throws(StratifyError) -> MeasureSet {
        let set = try MeasureSet.load(reference: reference, ruleSet: ruleSet.name)
        let scores = ScoreStage.declaredFields
        var categories: [String: [String]] = [:]
        for f in scores { if let v = f.values { categories[f.name] = v } }
        _ = try set.compile(ruleSet: ruleSet, externals: scores.map { (name: $0.name, type: $0.type) }, categories: categories)
        return set
    }

    /// "; skipped x.json (for stratify-v2)" for the files whose rule_sets leave them out, else "".
    public static func skippedNote(_ set: MeasureSet) -> String {
        set.skipped.isEmpty ? "" : "; skipped " + set.skipped.map {
            "\($0.path.split(separator: "/").last.map(String.init) ?? $0.path) (for \($0.ruleSets.joined(separator: ", ")))"
        }.joined(separator: ", ")
    }

    /// Evaluates the measures and, when `directory` is given, writes both files there. Measures
    /// without intervals are evaluated as of the run's date (interval start = end = that date);
    /// a measure with n monthly intervals gets a row set per interval, interval k from the
    /// columns `earlier(k)` returns (k ≥ 1; interval 0 is the run's own columns), for the first
    /// `intervals` intervals (fewer than asked when memory was short: IntervalEngines).
    /// - Returns: the results (for the history and the report) and the manifest section.
    static func run(_ set: MeasureSet, flags: FlagResult, scores: [(String, Column)], practices: PracticeTable,
                    intervals: Int, earlier: (Int) throws(StratifyError) -> (flags: FlagResult, scores: [(String, Column)]),
                    directory: String?, disclosure: DisclosureControl, secondary: Bool) throws(StratifyError)
        -> (results: [MeasureResult], section: (String, JSON)) {
        let t0 = MonotonicClock.now()
        defer { StageTimings.record("measures", seconds: MonotonicClock.seconds(since: t0)) }
        let compiled = try set.compile(ruleSet: flags.ruleSet, externals: scores.map { (name: $0.0, type: CohortCondition.type(of: $0.1)) })
        let byCode = Dictionary(practices.practices.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let icb = practices.icbName.isEmpty ? Prevalence.icbGroup : practices.icbName
        let pointInTime = compiled.filter { $0.definition.monthlyIntervals == nil }
        var results = [MeasureEngine.evaluate(pointInTime, flags: flags, scores: scores, practices: byCode, icbName: icb)]
        for k in 0..<min(intervals, set.monthlyIntervals) {
            try Interruption.check()
            let due = compiled.filter { ($0.definition.monthlyIntervals ?? 0) > k }
            let columns = k == 0 ? (flags: flags, scores: scores) : try earlier(k)
            var r = MeasureEngine.evaluate(due, flags: columns.flags, scores: columns.scores, practices: byCode, icbName: icb)
            (r.intervalStart, r.intervalEnd) = MeasureSet.interval(k, asOf: flags.asOf)
            results.append(r)
        }
        if let directory {
            try MeasuresCSV.write(results, directory: directory, disclosure: disclosure, secondary: secondary)
        }
        return (results, section(set, ruleSet: flags.ruleSet.name, results: results, secondary: secondary,
                                 seconds: MonotonicClock.seconds(since: t0)))
    }

    /// The manifest's `measures` section, for a run or a merge. `results` are the run date's, then
    /// one per monthly interval computed.
    static func section(_ set: MeasureSet, ruleSet: String, results: [MeasureResult], secondary: Bool,
                        seconds: Double) -> (String, JSON) {
        ("measures", .object([
            ("measures", .int(set.measures.count)),
            ("rows", .int(results.map(\.rows.count).reduce(0, +))),
            ("monthly_intervals", .int(set.monthlyIntervals)),
            ("monthly_intervals_computed", .int(results.count - 1)),
            ("files", .array(set.files.map { .object([("file", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("skipped_files", .array(set.skipped.map {
                .object([("file", .string($0.path)), ("sha256", .string($0.sha256)), ("rule_sets", .array($0.ruleSets.map { .string($0) })),
                         ("reason", .string("rule_sets does not name \(ruleSet)"))])
            })),
            ("secondary_suppression", .bool(secondary)),
            ("seconds", .double(seconds)),
        ]))
    }

    /// The shards' measure counts added up (`MeasureResult.merging`), each shard's results given
    /// this merge's definitions by name. Shards computed the run's date and, for measures with
    /// monthly intervals, the newest interval only.
    /// - Parameter shards: per shard, its label (for errors) and what its merge file holds.
    static func merge(_ shards: [(label: String, measures: [(names: [String], result: MeasureResult)])],
                      set: MeasureSet) throws(StratifyError) -> [MeasureResult] {
        guard let first = shards.first else { return [] }
        let byName = Dictionary(set.measures.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var merged: [MeasureResult] = []
        for i in first.measures.indices {
            var parts: [MeasureResult] = []
            for s in shards {
                guard i < s.measures.count, s.measures[i].names == first.measures[i].names else {
                    throw StratifyError(.inputData, "shard \(s.label): its measures differ from shard \(first.label)'s",
                                        help: "every shard must run the same measure files; re-run the odd shard")
                }
                var r = s.measures[i].result
                r.definitions = try s.measures[i].names.map { name throws(StratifyError) in
                    guard let d = byName[name] else {
                        throw StratifyError(.inputData, "shard \(s.label) has measure '\(name)', which this pipeline's measure files do not define",
                                            help: "merge with the reference data the shards ran with, or re-run the shards")
                    }
                    return d
                }
                parts.append(r)
            }
            if let m = MeasureResult.merging(parts) { merged.append(m) }
        }
        return merged
    }
}
