import StratifyCore
import StratifyPipeline
import StratifySynth

enum SynthCommand {
    static let spec = CommandSpec(
        name: "synth",
        overview: "Write a deterministic synthetic extract in the input contract's format.",
        positionals: [],
        flags: [
            FlagSpec(name: "patients", valueName: "n", help: "Number of patients. (required)"),
            FlagSpec(name: "seed", valueName: "s", help: "Random seed; the same arguments give the same bytes. (default: 1)"),
            FlagSpec(name: "out", valueName: "dir", help: "Folder to write the extract to. (required)"),
            FlagSpec(name: "defects", valueName: "rate", help: "Share of rows to corrupt, one quarantine kind each. (default: 0)"),
            FlagSpec(name: "as-of", valueName: "yyyy-mm-dd", help: "Date the histories lead up to. (default: 2026-03-31)"),
            FlagSpec(name: "threads", valueName: "n", help: "Generator threads. (default: all cores)"),
            FlagSpec(name: "list-size", valueName: "n", help: "About n patients per practice, in as few of the ICB's practices as that needs (the demo uses 7500). (default: all practices, evenly)"),
            FlagSpec(name: "order", valueName: "patient|date|shuffled", help: "Order of the event and medication rows: each patient's together, by date, or shuffled (fixed by the seed). (default: patient)"),
            FlagSpec(name: "events-per-patient-scale", valueName: "k", help: "Each patient's events and medications k times over, the extra copies on other dates of their life. (default: 1)"),
            .reference,
            .quiet,
        ])

    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        Terminal.quiet = a.switches.contains("quiet")
        guard let n = try a.int("patients", in: spec, range: 1...100_000_000) else { throw spec.usageError("missing '--patients <n>'") }
        guard let out = a.values["out"] else { throw spec.usageError("missing '--out <dir>'") }
        let seedText = a.values["seed"] ?? "1"
        guard let seed = UInt64(seedText) else { throw spec.usageError("'--seed' expects a non-negative whole number") }
        var options = SynthOptions(patients: n, seed: seed, outputDirectory: out)
        if let d = try a.fraction("defects", in: spec) { options.defectRate = d }
        if let d = try a.day("as-of", in: spec) { options.asOf = d }
        if let t = try a.int("threads", in: spec, range: 1...256) { options.threads = t }
        if let s = try a.int("list-size", in: spec, range: 1...1_000_000) { options.listSize = s }
        if let o = a.values["order"] {
            guard let order = RowOrder(rawValue: o) else { throw spec.usageError("'--order' expects patient, date or shuffled") }
            options.order = order
        }
        if let k = try a.int("events-per-patient-scale", in: spec, range: 1...64) { options.eventsPerPatientScale = k }
        let reference = try ReferenceLocator.locate(a.values["reference"])
        let summary = try SyntheticExtract(options: options, reference: reference).write(progress: Progress.synth)
        Terminal.endProgress()
        Terminal.out("wrote \(out): \(summary.rows[.patients] ?? 0) patient rows, \(summary.rows[.clinicalEvents] ?? 0) events, "
                     + "\(summary.rows[.medications] ?? 0) medication issues in \(JSON.format((summary.seconds * 10).rounded() / 10)) s")
    }
}
