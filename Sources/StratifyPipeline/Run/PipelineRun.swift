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
    /// Seeds the history first with runs as of the n month-ends before the as-of date that it
    /// lacks (`--seed-months n`, 0 to 60).
    public var seedMonths = 0
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
        /// Runs published first to seed the history (`seedMonths`).
        public var seedRuns = 0
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
        let imd = try FlagsSetup.imd(IMDVersion(rawValue: d.imd)!, reference: reference)
        let scores = try FlagsSetup.scores(reference: reference)
        let prevalenceMeasures = try PrevalenceMeasure.load(reference: reference)
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
        log(.stage("prepare", seconds: clock.lap(), [("reference_files_verified", .int(verified))]))
        let loaded = Loaded(out: out, ruleSet: ruleSet, imd: imd, scores: scores, prevalence: prevalenceMeasures, measureSet: measureSet,
                            practices: practices, byCode: byCode, measureLabels: measureLabels, identifier: identifier, labels: labels)

        // `--seed-months n`: the n earlier month-ends the history lacks, oldest first, each a
        // whole run of its own, so trends exist from the first night (docs/history.md).
        let recorded = Set(try history.cohortSizes().map(\.asOf))
        let seeds = seedMonths < 1 ? [] : (1...seedMonths).reversed().map { day.minusMonths($0) }.filter { !recorded.contains($0.description) }
        for (k, seedDay) in seeds.enumerated() {
            let seedID = runID + "-seed" + String(k + 1)
            log(RunEvent("seed_run_started", [("seed_run_id", .string(seedID)), ("as_of", .string(seedDay.description))]))
            let seeded = try once(loaded, day: seedDay, runID: seedID, backfill: true, history: history, progress: progress, log: log)
            warnings += seeded.warnings
        }
        var result = try once(loaded, day: day, runID: runID, backfill: backfill, history: history, progress: progress, log: log)
        result.warnings = warnings + result.warnings
        result.seedRuns = seeds.count
        log(RunEvent("run_finished", [("run_id", .string(runID)), ("status", .string("succeeded")),
                                      ("seconds", .double(MonotonicClock.seconds(since: t0))),
                                      ("peak_rss_bytes", .int(ProcessInfoLite.peakRSS))]))
        return result
    }

    /// One as-of date, from the stages to publishing, under the lock `run` holds.
    private func once(_ loaded: Loaded, day: Day, runID: String, backfill: Bool, history: RunHistory,
                      progress: (IngestProgress) -> Void, log: (RunEvent) -> Void) throws(StratifyError) -> Result {
        let d = definition, out = loaded.out
        var clock = StageClock()
        var warnings: [String] = []
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
        let outcome: (ingest: IngestRun.Outcome, produced: PipelineRun.Produced)
        do {
            outcome = try stages(Prepared(loaded: loaded, day: day, previous: previous, pastSizes: pastSizes, pastMeasures: pastMeasures),
                                 runID: runID,
                                 progress: progress, log: log)
        } catch {
            throw PipelineRun.failed(error, runID: runID, root: out)
        }
        _ = clock.lap()  // the stages log their own seconds
        do { try Interruption.check() } catch { throw PipelineRun.failed(error, runID: runID, root: out) }
        // No check after this: a signal during publishing lets it finish (the commit point is atomic).
        try out.publish(runID, movesLatest: movesLatest) { () throws(StratifyError) in
            try history.record(runID: runID, pipeline: d.name, asOf: day, manifest: outcome.ingest.manifest.render(),
                               prevalence: outcome.produced.prevalence, cohorts: outcome.produced.members,
                               members: outcome.produced.memberDetails, summary: outcome.produced.summary,
                               measures: outcome.produced.measures)
        }
        log(.stage("publish", seconds: clock.lap()))
        var ingestOutcome = outcome.ingest
        ingestOutcome.manifestPath = out.run(runID) + "/manifest.json"
        return Result(runDirectory: out.run(runID), outcome: ingestOutcome, warnings: warnings)
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

    /// A failed run's partial folder is removed. (A run that failed on its input has already
    /// moved its manifest and quarantine files to `<root>/failed/`, and its error says where.)
    static func failed(_ error: StratifyError, runID: String, root: OutputRoot) -> StratifyError {
        try? FileSystem.removeTree(root.partial(runID))
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
