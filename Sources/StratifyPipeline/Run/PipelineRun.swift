#if canImport(Glibc)
import Glibc
#endif
import StratifyCore
import StratifyExport
import StratifyFlags
import StratifyIngest
import StratifyReference

/// `stratify run PIPELINE`: every stage into `<output root>/runs/<run id>/`, then `latest` is
/// pointed at the run. Flags override the definition, so one file serves test, demo and
/// production.
public struct PipelineRun {
    public var definition: PipelineDefinition
    public var asOf: Day?
    public var extract: String?
    public var outputRoot: String?
    /// This run is one shard of a sharded run: it also writes `shard.json` for `stratify merge`
    /// (docs/sharding.md).
    public var shard: String?
    /// A run for an as-of date earlier than the latest published one: recorded in the history
    /// and published, without moving `latest` (`--backfill`). Without it such a run is refused.
    public var backfill = false
    /// Allows an as-of date after today (`--allow-future-as-of`).
    public var allowFutureAsOf = false
    /// Starts a new history although published runs exist (`--new-history`).
    public var newHistory = false
    /// Chosen before the run starts so that a log can name it in every event, a failure before
    /// `run_started` included.
    public var runID = PipelineRun.newRunID()

    public init(definition: PipelineDefinition, asOf: Day? = nil, extract: String? = nil, outputRoot: String? = nil) {
        self.definition = definition
        self.asOf = asOf
        self.extract = extract
        self.outputRoot = outputRoot
    }

    public struct Result: Sendable {
        public var runDirectory: String
        public var outcome: IngestRun.Outcome
        /// Things the analyst should know: a stale lock taken over, leftovers of a killed run cleaned.
        public var warnings: [String] = []
    }

    public func run(progress: (IngestProgress) -> Void = { _ in }, log untagged: (RunEvent) -> Void = { _ in }) throws(StratifyError) -> Result {
        let runID = self.runID
        func log(_ e: RunEvent) { untagged(e.tagged(runID: runID)) }
        let t0 = MonotonicClock.now()
        let d = definition
        let out = OutputRoot(path: outputRoot ?? d.outputRoot)
        let day = asOf ?? d.asOf ?? LocalDate.today()
        let today = LocalDate.today()
        if day > today && !allowFutureAsOf {
            throw StratifyError(.usage, "the as-of date \(day) is after today (\(today))",
                                help: "check --as-of and the definition's as_of; pass --allow-future-as-of if a future date is intended")
        }
        try Interruption.check()
        log(RunEvent("run_started", [("run_id", .string(runID)), ("pipeline", .string(d.name)), ("as_of", .string(day.description))]))
        var clock = StageClock()

        // Everything that can be checked before any patient row is read.
        try SafetyChecks.refuseWritableReference(d.reference)
        let reference = try ReferenceData(root: d.reference)
        let verified = try ReferenceIntegrity(reference: reference).verify()
        let ruleSet = try FlagsSetup.ruleSet(d.rules, reference: reference, overrides: d.ruleOverrides)
        try d.validate(ruleSet: ruleSet)
        let measureSet = try MeasureStage.load(reference: reference, ruleSet: ruleSet)
        // Inputs must be regular files, checked without blocking, before the lock is taken (and
        // after the definition, so a bad definition is exit 64 whatever the extract).
        _ = try ExtractFiles(directory: extract ?? d.extract)
        let practices = try PracticeTable(path: reference.practicesPath)
        let measureLabels = try MeasureLabels.load(reference: reference)
        let byCode = Dictionary(practices.practices.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let identifier = try PseudonymKey.identifier(for: d)
        let labels = try d.labels.map { path throws(StratifyError) in try CohortLabels(path: path) } ?? .none
        try Interruption.check()
        let (lock, claimWarnings, history) = try PipelineRun.claim(out, newHistory: newHistory)
        defer { lock.release() }
        var warnings = claimWarnings
        for w in warnings { log(RunEvent("warning", [("message", .string(w))], level: "warning")) }
        let newest = try PipelineRun.backfilling(history: history, asOf: day, backfill: backfill, what: "the as-of date")
        let movesLatest = newest == nil
        if let newest {
            let w = "backfill: run \(runID) as of \(day) is recorded in the history; latest stays on the run as of \(newest)"
            warnings.append(w)
            log(RunEvent("warning", [("message", .string(w))], level: "warning"))
        }
        // New, continuing and leavers are against the run of the greatest earlier as-of date,
        // never a later one (a backfill compares with what came before it too).
        var previous: [String: [CohortMember]] = [:]
        if let last = try history.previousRun(before: day) {
            for c in d.cohorts { previous[c.name] = try history.memberDetails(run: last, cohort: c.name) }
        }
        let pastSizes = try history.cohortSizes(), pastMeasures = try history.icbMeasureTrend()
        log(.stage("prepare", seconds: clock.lap(), [("reference_files_verified", .int(verified))]))

        var flagsRun = FlagsRun(
            ingest: IngestRun(extractDirectory: extract ?? d.extract, outputDirectory: out.partial(runID), options: d.ingestOptions(asOf: day)),
            ruleSet: ruleSet, imd: try FlagsSetup.imd(IMDVersion(rawValue: d.imd)!, reference: reference),
            scores: try FlagsSetup.scores(reference: reference),
            prevalence: (try PrevalenceMeasure.load(reference: reference), practices,
                         DisclosureControl(threshold: d.suppressionThreshold, multiple: d.suppressionMultiple)))
        flagsRun.writePatients = d.outputs.contains("patients")
        flagsRun.writePrevalence = d.outputs.contains("prevalence")
        let wantCohorts = d.outputs.contains("cohorts"), wantReport = d.outputs.contains("report")
        let cohorts = wantCohorts ? d.cohorts : [], file = d.path, chosenIdentifier = identifier, previousMembers = previous
        let produced = Produced(), shardName = shard
        flagsRun.extraOutputs = { @Sendable (stages, directory) throws(StratifyError) in
            try Interruption.check()
            let t = MonotonicClock.now()
            let written = try CohortStage.write(cohorts, file: file, flags: stages.flags, scores: stages.scores,
                                                directory: directory + "/cohorts", identifier: chosenIdentifier,
                                                practices: byCode, labels: labels, previous: previousMembers)
            produced.members = written.members
            produced.memberDetails = written.details
            produced.summary = written.summary
            produced.prevalence = stages.prevalence
            // A shard's measures would describe its own practices under the ICB's name, and
            // `stratify merge` does not combine measures yet: shards leave them out.
            let measured = shardName != nil ? nil : try MeasureStage.run(
                measureSet, flags: stages.flags, scores: stages.scores, practices: practices,
                directory: d.outputs.contains("measures") ? directory + "/measures" : nil,
                disclosure: DisclosureControl(threshold: d.suppressionThreshold, multiple: d.suppressionMultiple),
                secondary: d.suppressionSecondary)
            produced.measures = measured?.result
            if wantReport {
                let shareable = d.report == .shareable
                let html = RunReport(name: d.name, runID: runID, stages: stages, cohorts: written.sections, history: pastSizes,
                                     practices: byCode, labels: measureLabels,
                                     disclosure: shareable ? DisclosureControl(threshold: d.suppressionThreshold, multiple: d.suppressionMultiple) : nil,
                                     measures: measured?.result, measureTrend: pastMeasures).render()
                try OutputFile.write(Array(html.utf8), to: directory + "/report.html", patientLevel: !shareable)
            }
            let shardSection = try shardName.map { name throws(StratifyError) in
                try ShardFile.write(shard: name, pipeline: d.name, flags: stages.flags, prevalence: stages.prevalence,
                                    cohorts: written.shard, directory: directory)
            } ?? []
            produced.outputSeconds = MonotonicClock.seconds(since: t)
            return written.sections + (measured.map { [$0.section] } ?? []) + [("outputs", .array(PipelineDefinition.outputNames.filter { d.outputs.contains($0) }.map { .string($0) }))]
                + shardSection + [("run_id", .string(runID)), ("pipeline", .string(d.name))]
        }
        var outcome: IngestRun.Outcome
        do {
            outcome = try flagsRun.run(progress: progress) { result in
                for event in RunEvent.ingestStages(tables: IngestManifest.tables(result)) { log(event) }
                for w in result.warnings { log(.warning(w)) }
            }
        } catch {
            throw PipelineRun.failed(error, runID: runID, root: out)
        }
        _ = clock.lap()  // ingest, flags, scores and outputs report their own seconds
        for event in RunEvent.stages(of: outcome.manifest, outputSeconds: produced.outputSeconds) { log(event) }
        do { try Interruption.check() } catch { throw PipelineRun.failed(error, runID: runID, root: out) }
        // No check after this: a signal during publishing lets it finish (the commit point is atomic).
        try out.publish(runID, movesLatest: movesLatest) { () throws(StratifyError) in
            try history.record(runID: runID, pipeline: d.name, asOf: day, manifest: outcome.manifest.render(),
                               prevalence: produced.prevalence, cohorts: produced.members, members: produced.memberDetails,
                               summary: produced.summary, measures: produced.measures)
        }
        log(.stage("publish", seconds: clock.lap()))
        outcome.manifestPath = out.run(runID) + "/manifest.json"
        log(RunEvent("run_finished", [("run_id", .string(runID)), ("status", .string("succeeded")),
                                      ("seconds", .double(MonotonicClock.seconds(since: t0))),
                                      ("peak_rss_bytes", .int(ProcessInfoLite.peakRSS))]))
        return Result(runDirectory: out.run(runID), outcome: outcome, warnings: warnings)
    }

    /// Time goes forwards: `latest` only ever moves to a later or equal as-of date. Returns the
    /// latest published as-of date when this run is earlier (a backfill, which must be asked for
    /// and leaves `latest` alone), nil when the run moves `latest`.
    static func backfilling(history: RunHistory, asOf: Day, backfill: Bool, what: String) throws(StratifyError) -> Day? {
        guard let newest = try history.latestAsOf(), asOf < newest else { return nil }
        guard backfill else {
            throw StratifyError(.usage, "\(what) \(asOf) is earlier than the latest published run's (\(newest))",
                                help: "to add a run for an earlier date without moving latest, run again with --backfill; otherwise check --as-of")
        }
        return newest
    }

    /// Takes the output root's lock, opens its history and completes or removes what a killed
    /// run left, for every command that publishes a run there (`run`, `merge`).
    static func claim(_ out: OutputRoot, newHistory: Bool = false) throws(StratifyError) -> (lock: RunLock, warnings: [String], history: RunHistory) {
        guard !out.path.isEmpty else {
            throw StratifyError(.usage, "the output root is empty", help: "pass --output-root a folder, or set output_root in the definition")
        }
        try FileSystem.makeDirectories(out.path, mode: 0o700)
        try SafetyChecks.refuseWritableOutputRoot(out.path)
        try out.refuseLinks()
        try FileSystem.makeDirectories(out.runs, mode: 0o700)
        let lock = try RunLock(root: out.path)
        var warnings: [String] = []
        if let pid = lock.tookOverFrom {
            warnings.append("took over a stale lock left by process \(pid), which is no longer running")
        }
        let history = try RunHistory(path: out.history, publishedRunsExist: out.hasPublishedRuns, allowNew: newHistory)
        warnings += try out.recover(history: history)
        return (lock, warnings, history)
    }

    /// A failed run's partial folder is removed; bad-input runs keep their manifest and
    /// quarantine files in `<root>/failed/<id>/`, and the error says where.
    static func failed(_ error: StratifyError, runID: String, root: OutputRoot) -> StratifyError {
        var error = error
        if error.kind == .interrupted {
            try? FileSystem.removeTree(root.partial(runID))
            return error
        }
        if let kept = try? root.keepFailed(runID) {
            error.help = "previous outputs in \(root.path) are untouched; this run's manifest and quarantine files are in \(kept)/; fix the extract (docs/input-contract.md lists the reasons)"
        } else {
            try? FileSystem.removeTree(root.partial(runID))
        }
        return error
    }

    /// The run id: local date and time plus the process id, so two runs never share a folder.
    public static func newRunID() -> String {
        var now = time(nil)
        var t = tm()
        localtime_r(&now, &t)
        func pad(_ v: Int32, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(t.tm_year + 1900, 4))\(pad(t.tm_mon + 1, 2))\(pad(t.tm_mday, 2))-\(pad(t.tm_hour, 2))\(pad(t.tm_min, 2))\(pad(t.tm_sec, 2))-\(getpid())"
    }

}

/// What the stage closure produced, read after the run (written once, on the run's thread).
final class Produced: @unchecked Sendable {
    var members: [(name: String, patientIDs: [String])] = []
    var memberDetails: [String: [CohortMember]] = [:]
    var summary: [CohortSummary] = []
    var prevalence: Prevalence?
    var measures: MeasureResult?
    var outputSeconds = 0.0
}

