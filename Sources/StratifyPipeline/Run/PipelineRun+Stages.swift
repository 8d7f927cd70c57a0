import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyIngest
import StratifyReference
import StratifyScores

/// The stages of `stratify run` in order, each taking values and returning values:
/// ingest → flags → scores → prevalence → measures → cohorts → report, all written into the run's
/// own folder (`runs/.partial-<id>/`), which `run` then publishes (docs/architecture.md).
extension PipelineRun {
    /// What the run checked and loaded before reading a row, the same for every as-of date.
    struct Loaded {
        let out: OutputRoot
        let ruleSet: RuleSet
        let imd: IMDTable
        let scores: ScoreDefinitions
        let prevalence: [PrevalenceMeasure]
        let measureSet: MeasureSet
        let practices: PracticeTable
        let byCode: [String: PracticeTable.Practice]
        let measureLabels: [String: String]
        let identifier: CohortCSV.Identifier
        let labels: CohortLabels
    }

    /// One as-of date's inputs.
    @dynamicMemberLookup
    struct Prepared {
        let loaded: Loaded
        let day: Day
        /// Each cohort's members in the run this one is compared with (new, continuing, leavers).
        let previous: [String: [CohortMember]]
        let pastSizes: [(runID: String, asOf: String, cohorts: [String: Int])]
        /// Each measure's ICB rate in earlier runs, for the report's trend against target.
        let pastMeasures: [MeasureTrendPoint]
        subscript<T>(dynamicMember path: KeyPath<Loaded, T>) -> T { loaded[keyPath: path] }
    }

    /// What the history keeps of a run.
    struct Produced {
        var members: [(name: String, patientIDs: [String])] = []
        var memberDetails: [String: [CohortMember]] = [:]
        var summary: [CohortSummary] = []
        var prevalence: Prevalence?
        var measures: [MeasureResult] = []
    }

    func stages(_ p: Prepared, runID: String, progress: (IngestProgress) -> Void,
                log: (RunEvent) -> Void) throws(StratifyError) -> (ingest: IngestRun.Outcome, produced: Produced) {
        let d = definition, t0 = MonotonicClock.now()
        let directory = p.out.partial(runID)
        let extractDirectory = extract ?? d.extract
        let options = d.ingestOptions(asOf: p.day)
        let reader = try ExtractReader(directory: extractDirectory, options: options)
        try FileSystem.makeDirectories(directory, mode: 0o700)
        let disclosure = d.disclosure
        let imd = p.imd

        // Ingest, with the rules engine reading every accepted row as it streams.
        // A shard writes no measures (below), so it needs no interval engines.
        let months = shard == nil ? p.measureSet.monthlyIntervals : 0
        var engines = IntervalEngines(ruleSet: p.ruleSet, asOf: p.day,
                                      earlierEnds: months < 2 ? [] : (1..<months).map { MeasureSet.interval($0, asOf: p.day).end })
        var read = try IngestStage.read(reader, into: directory, sink: &engines, progress: progress) { result in
            FlagsStage.noteVintage(&result, imd: imd)
            for event in RunEvent.ingestStages(tables: IngestManifest.tables(result)) { log(event) }
            for w in result.warnings { log(.warning(w)) }
        }
        func manifest(_ stages: [(String, JSON)]) -> JSON {
            IngestStage.manifest(command: "flags", extractDirectory: extractDirectory, options: options, read: read,
                                 stages: stages, seconds: MonotonicClock.seconds(since: t0))
        }
        if let failure = read.failure {
            try IngestStage.writeManifest(manifest([]), directory: directory)
            let kept = try p.out.keepFailed(runID)
            throw StratifyError(.inputData, failure.message,
                                help: "previous outputs in \(p.out.path) are untouched; this run's manifest and quarantine files are in \(kept)/; \(failure.fix) (docs/input-contract.md lists the reasons)")
        }

        // Flags and scores.
        if let why = engines.dropped {
            read.result.warnings.append(why)
            log(.warning(why))
        }
        var engine = engines.take(0)
        let evaluated = try FlagsStage.evaluate(&engine, read.result, imd: imd, scores: p.scores)
        log(RunEvent("stage_finished", [("stage", .string("flags")), ("population", .int(evaluated.flags.quality.population)),
                                        ("seconds", .double(evaluated.flagSeconds))]))
        log(RunEvent("stage_finished", [("stage", .string("scores")), ("seconds", .double(evaluated.scoreSeconds))]))
        if d.outputs.contains("patients") { try FlagsStage.writePatients(evaluated, directory: directory) }
        try Interruption.check()

        // Measures: prevalence (its own files), then the measure set. A shard's measures would
        // describe its own practices under the ICB's name, so a shard writes no measure files:
        // its exact counts go to its merge file, and `stratify merge` adds them up (the run's
        // date and, for measures with monthly intervals, the newest interval only).
        let t1 = MonotonicClock.now()
        let (prevalence, prevalenceSection) = try FlagsStage.prevalence(
            evaluated, (p.prevalence, p.practices, disclosure),
            writeTo: d.outputs.contains("prevalence") ? directory : nil)
        let measured = try MeasureStage.run(
            p.measureSet, flags: evaluated.flags, scores: evaluated.scores, practices: p.practices,
            intervals: shard != nil ? min(1, p.measureSet.monthlyIntervals) : months == 0 ? 0 : engines.count,
            earlier: { k throws(StratifyError) in
                var earlier = engines.take(k)
                let e = try FlagsStage.evaluate(&earlier, read.result, imd: imd, scores: p.scores)
                return (e.flags, e.scores)
            },
            directory: d.outputs.contains("measures") && shard == nil ? directory + "/measures" : nil,
            disclosure: disclosure, secondary: d.suppressionSecondary)
        // What the run itself reports and records: a shard's measures (its own practices) go to its
        // merge file only.
        let published = shard == nil ? measured : nil
        try Interruption.check()

        // Cohorts, the report and a shard's merge file.
        let written = try CohortStage.write(d.outputs.contains("cohorts") ? d.cohorts : [], file: d.path, flags: evaluated.flags,
                                            scores: evaluated.scores, directory: directory + "/cohorts", identifier: p.identifier,
                                            practices: p.byCode, labels: p.labels, previous: p.previous, forShard: shard != nil)
        let results = StageResults(ingest: read.result, flags: evaluated.flags, scores: evaluated.scores, prevalence: prevalence)
        if d.outputs.contains("report") {
            try ReportStage.write(results, definition: d, runID: runID, cohorts: written.sections, history: p.pastSizes,
                                  practices: p.byCode, labels: p.measureLabels, measures: published?.results.first,
                                  measureTrend: p.pastMeasures, directory: directory)
        }
        let shardSection = try shard.map { name throws(StratifyError) in
            try ShardFile.write(shard: name, pipeline: d.name, flags: evaluated.flags, prevalence: prevalence,
                                cohorts: written.shard, measures: measured.results, directory: directory)
        } ?? []
        log(RunEvent.outputs(cohorts: written.sections, prevalenceRows: prevalence.rows.count, seconds: MonotonicClock.seconds(since: t1)))

        // A shard's measure section would differ from shard to shard (its rows): the merge writes one.
        let sections = [prevalenceSection] + written.sections + (published.map { [$0.section] } ?? [])
            + [("outputs", .array(PipelineDefinition.outputNames.filter { d.outputs.contains($0) }.map { .string($0) }))]
            + shardSection + [("run_id", .string(runID)), ("pipeline", .string(d.name))] + evaluated.sections(imd: imd)
        let m = manifest(sections)
        try IngestStage.writeManifest(m, directory: directory)
        let outcome = IngestRun.Outcome(result: read.result, manifest: m, manifestPath: directory + "/manifest.json",
                                        seconds: MonotonicClock.seconds(since: t0))
        return (outcome, Produced(members: written.members, memberDetails: written.details, summary: written.summary,
                                  prevalence: prevalence, measures: published?.results ?? []))
    }
}

/// `report.html`: patient-level (0600) unless the pipeline asks for the shareable variant.
enum ReportStage {
    static func write(_ results: StageResults, definition d: PipelineDefinition, runID: String, cohorts: [(String, JSON)],
                      history: [(runID: String, asOf: String, cohorts: [String: Int])], practices: [String: PracticeTable.Practice], labels: [String: String],
                      measures: MeasureResult?, measureTrend: [MeasureTrendPoint], directory: String) throws(StratifyError) {
        let shareable = d.report == .shareable
        let html = RunReport(name: d.name, runID: runID, stages: results, cohorts: cohorts, history: history,
                             practices: practices, labels: labels,
                             disclosure: shareable ? d.disclosure : nil,
                             measures: measures, measureTrend: measureTrend).render()
        try OutputFile.write(Array(html.utf8), to: directory + "/report.html", patientLevel: !shareable)
    }
}

extension PipelineDefinition {
    /// The shareable outputs' small-number suppression, from `suppression` (a run's and a merge's).
    var disclosure: DisclosureControl { DisclosureControl(threshold: suppressionThreshold, multiple: suppressionMultiple) }
}
