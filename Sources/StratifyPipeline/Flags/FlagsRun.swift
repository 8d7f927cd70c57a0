import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyIngest
import StratifyReference
import StratifyScores

/// `stratify flags`: ingest, then evaluate the rule set in the same streaming pass, and write
/// `patients.csv` (0600) beside `manifest.json` and `quarantine/`.
public struct FlagsRun {
    public var ingest: IngestRun
    public var ruleSet: RuleSet
    public var imd: IMDTable
    public var scores: ScoreDefinitions
    /// Prevalence measures and the practice structure; nil skips prevalence entirely.
    public var prevalence: FlagsStage.PrevalenceInputs?

    public init(ingest: IngestRun, ruleSet: RuleSet, imd: IMDTable, scores: ScoreDefinitions,
                prevalence: FlagsStage.PrevalenceInputs? = nil) {
        self.ingest = ingest
        self.ruleSet = ruleSet
        self.imd = imd
        self.scores = scores
        self.prevalence = prevalence
    }

    public func run(progress: (IngestProgress) -> Void = { _ in }) throws(StratifyError) -> IngestRun.Outcome {
        var engine = FlagEngine(ruleSet: ruleSet, asOf: ingest.options.asOf)
        let imd = self.imd, scores = self.scores, prevalence = self.prevalence
        return try ingest.run(command: "flags", sink: &engine, progress: progress, ingested: { result in
            FlagsStage.noteVintage(&result, imd: imd)
        }) { (result, engine, directory) throws(StratifyError) in
            let evaluated = try FlagsStage.evaluate(&engine, result, imd: imd, scores: scores)
            try FlagsStage.writePatients(evaluated, directory: directory)
            var sections: [(String, JSON)] = []
            if let prevalence {
                sections.append(try FlagsStage.prevalence(evaluated, prevalence, writeTo: directory).section)
            }
            return sections + evaluated.sections(imd: imd)
        }
    }
}

/// The flags and scores stages over an engine that has seen every row (`stratify flags` and
/// `stratify run` share them).
public enum FlagsStage {
    public typealias PrevalenceInputs = (measures: [PrevalenceMeasure], practices: PracticeTable, disclosure: DisclosureControl)

    /// Flags and score columns, with the seconds each took.
    struct Evaluated: Sendable {
        let flags: FlagResult
        let scores: [(String, Column)]
        let flagSeconds: Double
        let scoreSeconds: Double

        /// The manifest's rules, flags and scores sections.
        func sections(imd: IMDTable) -> [(String, JSON)] {
            [("rules", FlagsManifest.ruleSet(flags.ruleSet, imd: imd)),
             ("flags", FlagsManifest.quality(flags, seconds: flagSeconds)),
             ("scores", FlagsManifest.scores(scores, flags: flags, seconds: scoreSeconds))]
        }
    }

    /// Said once ingest ends, with the other warnings: a mixed-vintage extract loses deciles
    /// quietly otherwise (docs/reference-data.md, LSOA vintages).
    static func noteVintage(_ result: inout IngestResult, imd: IMDTable) {
        if let w = imd.vintageWarning(result.patients.lsoa) { result.warnings.append(w) }
    }

    static func evaluate(_ engine: inout FlagEngine, _ result: IngestResult, imd: IMDTable,
                         scores: ScoreDefinitions) throws(StratifyError) -> Evaluated {
        let t0 = MonotonicClock.now()
        let streamed = StageTimings.measure("flags: evaluate") { engine.finish(patients: result.patients, imd: imd) }
        let t1 = MonotonicClock.now()
        let scored = try StageTimings.measure("scores") { () throws(StratifyError) in try ScoreStage.run(streamed, scores) }
        let flags = try streamed.completing(scores: scored)
        return Evaluated(flags: flags, scores: scored, flagSeconds: MonotonicClock.seconds(since: t0) - MonotonicClock.seconds(since: t1),
                         scoreSeconds: MonotonicClock.seconds(since: t1))
    }

    static func writePatients(_ e: Evaluated, directory: String) throws(StratifyError) {
        try StageTimings.measure("patients.csv") { () throws(StratifyError) in
            try PatientsCSV.write(e.flags, extra: e.scores, to: directory + "/patients.csv")
        }
    }

    /// Prevalence by practice and group; its files are written when `directory` is given.
    static func prevalence(_ e: Evaluated, _ p: PrevalenceInputs, writeTo directory: String?) throws(StratifyError)
        -> (prevalence: Prevalence, section: (String, JSON)) {
        let computed = try StageTimings.measure("prevalence") { () throws(StratifyError) in
            try FlagsRun.prevalence(e.flags, e.scores, p.measures, p.practices)
        }
        if let directory {
            try StageTimings.measure("prevalence files") { () throws(StratifyError) in
                try PrevalenceCSV.write(computed, asOf: e.flags.asOf, directory: directory + "/prevalence", disclosure: p.disclosure)
            }
        }
        return (computed, ("prevalence", .object([
            ("measures", .int(p.measures.count)),
            ("rows", .int(computed.rows.count)),
            ("practice_table", .string(p.practices.path)),
            ("suppression_threshold", .int(p.disclosure.threshold)),
            ("rounding_multiple", .int(p.disclosure.multiple)),
        ])))
    }
}

extension FlagsRun {
    static func prevalence(_ flags: FlagResult, _ scored: [(String, Column)], _ measures: [PrevalenceMeasure],
                           _ practices: PracticeTable) throws(StratifyError) -> Prevalence {
        let columns = flags.namedColumns(adding: scored)
        guard case .int(let age)? = flags.attributes[.age], case .int(let quintile)? = flags.attributes[.imdQuintile],
              case .string(let practiceIndex, let practiceTable)? = flags.attributes[.practiceCode] else {
            preconditionFailure("patient attributes have fixed types")
        }
        let byCode = Dictionary(practices.practices.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        return try Prevalence(measures: measures, columns: columns, inPopulation: flags.inPopulation, age: age,
                              practiceOf: practiceIndex.map { practiceTable[Int($0)] }, imdQuintile: quintile,
                              ethnicCategory: flags.patients.ethnicCategory, practices: byCode)
    }
}

enum FlagsManifest {
    /// Distribution of each categorical score field in the population (counts only).
    static func scores(_ columns: [(String, Column)], flags: FlagResult, seconds: Double) -> JSON {
        var pairs: [(String, JSON)] = []
        for (name, column) in columns {
            guard case .string(let idx, let table) = column, ["efi_category", "priority", "segment", "efi2_category"].contains(name) else { continue }
            var counts = [Int](repeating: 0, count: table.count)
            for p in idx.indices where flags.inPopulation[p] && idx[p] >= 0 { counts[Int(idx[p])] += 1 }
            pairs.append((name, .object(zip(table, counts).map { ($0, .int($1)) })))
        }
        pairs.append(("kernel", .string("simd")))
        pairs.append(("seconds", .double(seconds)))
        return .object(pairs)
    }

    static func ruleSet(_ r: RuleSet, imd: IMDTable) -> JSON {
        .object([
            ("name", .string(r.name)),
            ("version", .string(r.version)),
            ("file", .string(r.path)),
            ("sha256", .string(r.sha256)),
            ("imd_table", .string(imd.path)),
            ("params", .object(r.values.filter { $0.kind == .param }.map { v in
                if case .constant(let c) = v.expr {
                    switch c {
                    case .bool(let b): return (v.name, .bool(b))
                    case .int(let i): return (v.name, .int(Int(i)))
                    case .number(let d): return (v.name, .double(d))
                    case .string(let s): return (v.name, .string(s))
                    default: break
                    }
                }
                return (v.name, .null)
            })),
            ("code_lists", .object(r.lists.map { l in
                (l.name, .object([
                    ("kind", .string(l.domain.rawValue)),
                    ("codes", .int(l.codes.count)),
                    ("sources", .array(l.sources.map { .object([("file", .string($0.path)), ("sha256", .string($0.sha256))]) })),
                ]))
            })),
        ])
    }

    static func quality(_ f: FlagResult, seconds: Double) -> JSON {
        let q = f.quality
        var members: [(String, JSON)] = []
        for i in f.ruleSet.fields where f.ruleSet.values[i].type == .bool {
            guard case .bool(let v) = f.values[i] else { continue }
            var n = 0
            for p in 0..<v.count where f.inPopulation[p] && v[p] == 1 { n += 1 }
            members.append((f.ruleSet.values[i].name, .int(n)))
        }
        // `quality` statements: summed over the population; a `<name>_denominator` companion
        // also gives `<name>_share` (e.g. the share of 90-day issues with no BNF paragraph).
        var ruleQuality: [(String, JSON)] = []
        var sums: [String: Int] = [:]
        for (i, v) in f.ruleSet.values.enumerated() where v.kind == .quality {
            guard case .int(let c) = f.values[i] else { continue }
            var total = 0
            for p in 0..<c.count where f.inPopulation[p] && c[p] != Column.nullInt { total += Int(c[p]) }
            sums[v.name] = total
            ruleQuality.append((v.name, .int(total)))
        }
        for (name, total) in sums.sorted(by: { $0.key < $1.key }) {
            if let d = sums[name + "_denominator"] { ruleQuality.append((name + "_share", d > 0 ? .double(Double(total) / Double(d)) : .null)) }
        }
        var dataQuality: [(String, JSON)] = [
            ("lsoa_not_in_imd_table", .int(q.lsoaNotInIMD)),
            ("bp_values_out_of_range", .int(q.bpValuesOutOfRange)),
            ("bp_pairing_unresolved", .int(q.bpPairingUnresolved)),
            ("events_matching_no_list", .int(q.eventsMatchingNoList)),
            ("medications_matching_no_list", .int(q.medicationsMatchingNoList)),
        ]
        if !ruleQuality.isEmpty { dataQuality.append(("rule_set", .object(ruleQuality))) }
        return .object([
            ("population", .int(q.population)),
            ("outside_population", .object([
                ("died_on_or_before_as_of", .int(q.patientsDied)),
                ("registered_after_as_of", .int(q.patientsRegisteredAfterAsOf)),
            ])),
            ("data_quality", .object(dataQuality)),
            ("true_counts_in_population", .object(members)),
            ("seconds", .double(seconds)),
        ])
    }
}
