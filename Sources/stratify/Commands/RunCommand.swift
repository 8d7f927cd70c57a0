import StratifyCore
import StratifyPipeline

enum RunCommand {
    static let spec = CommandSpec(
        name: "run",
        overview: "Run a pipeline definition: every stage into <output root>/runs/<run id>/, then point <output root>/latest at it.",
        positionals: [("pipeline", "A pipeline definition, e.g. pipelines/nightly.json (docs/pipelines.md).")],
        flags: [
            FlagSpec(name: "as-of", valueName: "yyyy-mm-dd", help: "Override the definition's as-of date."),
            .extract,
            .outputRoot,
            .pipelineReference,
            FlagSpec(name: "shard", valueName: "name", help: "This run is one shard of a sharded run: also write shard.json for 'stratify merge' (docs/sharding.md)."),
            FlagSpec(name: "backfill", valueName: nil, help: "Allow an as-of date earlier than the latest published run's: the run is published and recorded in the history, and latest is not moved (docs/history.md)."),
            FlagSpec(name: "seed-months", valueName: "n", help: "First seed the run history with a run as of each of the n month-ends (same day of month) before the as-of date that it lacks, oldest first, so trends exist from the first night (0 to 60; docs/history.md)."),
            FlagSpec(name: "allow-future-as-of", valueName: nil, help: "Allow an as-of date after today (refused otherwise, exit 64)."),
            FlagSpec(name: "new-history", valueName: nil, help: "Start a new run history although the output root has published runs and its history is missing or empty (refused otherwise, exit 1)."),
            .logJSON,
            .quiet,
        ])

    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        Terminal.quiet = a.switches.contains("quiet")
        let shard = try shardName(a.values["shard"])
        var definition = try PipelineDefinition(path: a.positionals[0])
        definition.chooseReference(flag: a.values["reference"])
        var run = PipelineRun(definition: definition, asOf: try a.day("as-of", in: spec), extract: a.values["extract"],
                              outputRoot: a.values["output-root"])
        run.shard = shard
        run.backfill = a.switches.contains("backfill")
        run.allowFutureAsOf = a.switches.contains("allow-future-as-of")
        run.newHistory = a.switches.contains("new-history")
        if let text = a.values["seed-months"] {
            guard let n = Int(text), (0...60).contains(n) else { throw spec.usageError("'--seed-months' expects a whole number from 0 to 60") }
            run.seedMonths = n
        }
        Signals.handleInterruptions()
        let result = try JSONLog.around(a.values["log-json"], runID: run.runID) { (log) throws(StratifyError) in
            try run.run(progress: Progress.ingest, log: { Progress.stage($0); log($0) })
        }
        report(result)
    }

    /// A shard name labels the shard in the merged manifest: keep it short and printable.
    static func shardName(_ text: String?) throws(StratifyError) -> String? {
        guard let text else { return nil }
        guard !text.isEmpty, text.count <= 64, text.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw spec.usageError("'--shard' expects a name of letters, digits, '-', '_' and '.' (at most 64), e.g. 003")
        }
        return text
    }

    /// What `run` and `demo` print after a pipeline run: warnings, the summary, cohort sizes.
    static func report(_ result: PipelineRun.Result, contents: String = "") {
        Terminal.endProgress()
        for w in result.warnings { Terminal.err("warning: \(w)") }
        Summary.print(result.outcome)
        printCohorts(result.outcome.manifest)
        if result.seedRuns > 0 { Terminal.out("seeded the history with \(result.seedRuns) earlier run(s)") }
        Terminal.out("run: \(result.runDirectory)" + contents)
    }

    /// Each cohort's size, new and left, from a run's (or a merge's) manifest.
    static func printCohorts(_ manifest: JSON) {
        guard case .object(let cohorts)? = manifest["cohorts"] else { return }
        for (name, c) in cohorts {
            if case .int(let n)? = c["members"], case .int(let new)? = c["new"], case .int(let left)? = c["leavers"] {
                Terminal.out("  cohort \(name): \(n) patients (\(new) new, \(left) left)")
            }
        }
    }
}
