import StratifyCore
import StratifyPipeline

enum DemoCommand {
    static let spec = CommandSpec(
        name: "demo",
        overview: "Synthesize a 50,000-patient extract (7 practices of 5,000-10,000 patients) under output/demo/ and run pipelines/demo.json on it.",
        positionals: [],
        flags: [
            FlagSpec(name: "patients", valueName: "n", help: "Number of synthetic patients. (default: 50000)"),
            FlagSpec(name: "out", valueName: "dir", help: "Demo folder: extract/, runs/, latest. (default: output/demo)"),
            FlagSpec(name: "pipeline", valueName: "file", help: "Pipeline definition. (default: pipelines/demo.json)"),
            FlagSpec(name: "as-of", valueName: "yyyy-mm-dd", help: "The run's as-of date; run again with a later one to see new, continuing and leaving patients. (default: 2026-10-31)"),
            .pipelineReference,
            .logJSON,
            .quiet,
        ])

    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        Terminal.quiet = a.switches.contains("quiet")
        let pipeline = a.values["pipeline"] ?? Demo.defaultPipeline
        // The reference folder is chosen as `run` chooses it for the same pipeline file.
        var definition = try PipelineDefinition(path: pipeline)
        definition.chooseReference(flag: a.values["reference"])
        var demo = Demo(reference: try ReferenceLocator.locate(definition.reference))
        demo.pipeline = pipeline
        if let n = try a.int("patients", in: spec, range: 1...10_000_000) { demo.patients = n }
        if let out = a.values["out"] { demo.root = out }
        if let d = try a.day("as-of", in: spec) { demo.asOf = d }
        let s = try demo.synthesize(progress: Progress.synth)
        Terminal.endProgress()
        Terminal.out("synthetic extract: \(demo.extractDirectory) (\(s.rows[.patients] ?? 0) patients, \(s.rows[.clinicalEvents] ?? 0) events, \(s.rows[.medications] ?? 0) medication issues)")
        let result = try JSONLog.around(a.values["log-json"], runID: demo.runID) { (log) throws(StratifyError) in
            try demo.run(progress: Progress.ingest, log: { Progress.stage($0); log($0) })
        }
        RunCommand.report(result, contents: " (report.html, patients.csv, cohorts/, prevalence/, measures/)")
    }
}
