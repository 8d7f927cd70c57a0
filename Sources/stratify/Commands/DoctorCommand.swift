import StratifyCore
import StratifyPipeline

enum DoctorCommand {
    static let spec = CommandSpec(
        name: "doctor",
        overview: "Check what a scheduled run needs: the pipeline file, reference checksums, permissions, disk space, the extract's headers and the output root.",
        positionals: [],
        flags: [
            FlagSpec(name: "pipeline", valueName: "file", help: "Pipeline definition to check. (default: pipelines/nightly.json)"),
            .extract,
            .outputRoot,
            .pipelineReference,
            .quiet,
        ])

    /// Exit 0 when nothing is wrong (warnings allowed); 64 when the pipeline definition itself is
    /// wrong, as `run` exits for the same definition; 1 when anything else would stop a run.
    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        Terminal.quiet = a.switches.contains("quiet")
        let findings = Doctor(pipeline: a.values["pipeline"] ?? "pipelines/nightly.json", reference: a.values["reference"],
                              outputRoot: a.values["output-root"], extract: a.values["extract"]).run()
        for f in findings {
            let line = "\(f.status.rawValue.padding(9))\(f.subject): \(f.detail)" + (f.fix.map { "\n         fix: \($0)" } ?? "")
            if f.status == .ok { Terminal.out(line) } else { Terminal.err(line) }
        }
        let problems = findings.filter { $0.status == .problem }.count
        if findings.contains(where: { $0.status == .problem && $0.subject == "pipeline" }) {
            throw StratifyError(.usage, "the pipeline definition is not valid; \(problems) problem(s) would stop a run",
                                help: "fix the lines marked 'problem' above, then run stratify doctor again")
        }
        if problems > 0 {
            throw StratifyError(.runFailed, "\(problems) problem(s) would stop a run", help: "fix the lines marked 'problem' above, then run stratify doctor again")
        }
        Terminal.out("no problems found")
    }
}
