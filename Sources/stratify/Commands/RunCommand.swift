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
            .logJSON,
            .quiet,
        ])

    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        Terminal.quiet = a.switches.contains("quiet")
        let definition = try PipelineDefinition(path: a.positionals[0])
        let run = PipelineRun(definition: definition, asOf: try a.day("as-of", in: spec), extract: a.values["extract"],
                              outputRoot: a.values["output-root"])
        let result = try JSONLog.around(a.values["log-json"]) { (log) throws(StratifyError) in
            try run.run(progress: Progress.ingest, log: { Progress.stage($0); log($0) })
        }
        report(result)
    }

    /// What `run` and `demo` print after a pipeline run: warnings, the summary, cohort sizes.
    static func report(_ result: PipelineRun.Result, contents: String = "") {
        Terminal.endProgress()
        for w in result.warnings { Terminal.err("warning: \(w)") }
        Summary.print(result.outcome)
        printCohorts(result)
        Terminal.out("run: \(result.runDirectory)" + contents)
    }

    private static func printCohorts(_ result: PipelineRun.Result) {
        guard case .object(let cohorts)? = result.outcome.manifest["cohorts"] else { return }
        for (name, c) in cohorts {
            if case .int(let n)? = c["members"], case .int(let new)? = c["new"], case .int(let left)? = c["leavers"] {
                Terminal.out("  cohort \(name): \(n) patients (\(new) new, \(left) left)")
            }
        }
    }
}
