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

    public func run(progress: (IngestProgress) -> Void = { _ in }) throws(StratifyError) -> Result {
        let d = definition
        let root = outputRoot ?? d.outputRoot
        let day = asOf ?? d.asOf ?? LocalDate.today()
        let reference = try ReferenceData(root: d.reference)
        let ruleSet = try FlagsSetup.ruleSet(d.rules, reference: reference, overrides: d.ruleOverrides)
        let practices = try PracticeTable(path: reference.practicesPath)
        let byCode = Dictionary(practices.practices.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var identifier = CohortCSV.Identifier.nhsNumber
        if d.identifiers == .pseudonym {
            guard let key = ProcessInfoLite.environment(d.pseudonymKeyEnvironment), key.utf8.count >= 16 else {
                throw StratifyError(.usage, "pipeline \(d.path) asks for pseudonyms but $\(d.pseudonymKeyEnvironment) is unset or shorter than 16 bytes",
                                    help: "export \(d.pseudonymKeyEnvironment) with a secret of at least 16 bytes (keep it out of the pipeline file)")
            }
            identifier = .pseudonym(HMACSHA256(key: Array(key.utf8)))
        }
        let runID = PipelineRun.newRunID()
        let runDirectory = "\(root)/runs/\(runID)"
        let (lock, warnings) = try PipelineRun.claim(root: root, runID: runID)
        defer { lock.release() }
        let history = try RunHistory(path: root + "/history.sqlite")
        var previous: [String: Set<String>] = [:]
        if let last = try history.latestRun() {
            for c in d.cohorts { previous[c.name] = try history.members(run: last, cohort: c.name) }
        }
        let pastSizes = try history.cohortSizes()
        var flagsRun = FlagsRun(
            ingest: IngestRun(extractDirectory: extract ?? d.extract, outputDirectory: runDirectory, options: IngestOptions(asOf: day)),
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
            let written = try CohortStage.write(cohorts, file: file, flags: stages.flags, scores: stages.scores,
                                                directory: directory + "/cohorts", identifier: chosenIdentifier,
                                                practices: byCode, previous: previousMembers)
            produced.members = written.members
            produced.prevalence = stages.prevalence
            if wantReport {
                let html = RunReport(name: d.name, runID: runID, stages: stages, cohorts: written.sections, history: pastSizes).render()
                try OutputFile.write(Array(html.utf8), to: directory + "/report.html", patientLevel: false)
            }
            let shardSection = try shardName.map { name throws(StratifyError) in
                try ShardFile.write(shard: name, pipeline: d.name, flags: stages.flags, prevalence: stages.prevalence,
                                    cohorts: written.shard, directory: directory)
            } ?? []
            return written.sections + [("outputs", .array(PipelineDefinition.outputNames.filter { d.outputs.contains($0) }.map { .string($0) }))]
                + shardSection
        }
        let outcome = try flagsRun.run(progress: progress)
        // Record the published run, then point `latest` at it: a failure before this point leaves
        // the history and `latest` as they were.
        try history.record(runID: runID, pipeline: d.name, asOf: day, manifest: outcome.manifest.render(),
                           prevalence: produced.prevalence, cohorts: produced.members)
        // Point `latest` at this run only after it has been published.
        try OutputFile.write(Array((runID + "\n").utf8), to: root + "/latest", patientLevel: false)
        return Result(runDirectory: runDirectory, outcome: outcome, warnings: warnings)
    }

    /// The run id: local date and time plus the process id, so two runs never share a folder.
    static func newRunID() -> String {
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
    var prevalence: Prevalence?
}

