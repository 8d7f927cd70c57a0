import StratifyCore
import StratifyIngest
import StratifyPipeline

enum FlagsCommand {
    static let spec = CommandSpec(
        name: "flags",
        overview: "Ingest an extract, evaluate the rule set and scores: writes patients.csv, manifest.json and quarantine/.",
        positionals: [("extract-dir", "Folder holding patients.csv, clinical_events.csv and optionally medications.csv.")],
        flags: IngestFlags.specs(writes: "patients.csv, manifest.json and quarantine/", extra: [
            FlagSpec(name: "rules", valueName: "file", help: "Rule set. (default: reference/rules/stratify-v1.rules)"),
            FlagSpec(name: "imd", valueName: "2019|2025", help: "IMD table: 2019 on LSOA 2011, or 2025 on LSOA 2021. (default: 2019)"),
            .reference,
        ]))

    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        let (out, options) = try IngestFlags.apply(a, spec)
        let imdText = a.values["imd"] ?? "2019"
        guard let imdVersion = IMDVersion(rawValue: imdText) else { throw spec.usageError("'--imd' expects 2019 or 2025") }
        let reference = try ReferenceLocator.locate(a.values["reference"])
        try SafetyChecks.refuseWritableReference(reference.root)
        // Its --out folder plays the output root's part: nobody else may plant files there.
        if FileSystem.entryKind(out) == .directory { try SafetyChecks.refuseWritableOutputRoot(out) }
        let run = FlagsRun(ingest: IngestRun(extractDirectory: a.positionals[0], outputDirectory: out, options: options),
                           ruleSet: try FlagsSetup.ruleSet(a.values["rules"], reference: reference),
                           imd: try FlagsSetup.imd(imdVersion, reference: reference),
                           scores: try FlagsSetup.scores(reference: reference),
                           prevalence: try FlagsSetup.prevalence(reference: reference))
        do {
            let outcome = try run.run(progress: Progress.ingest)
            Terminal.endProgress()
            Summary.print(outcome)
            Terminal.out("patients: \(out)/patients.csv")
        } catch {
            Terminal.endProgress()
            throw error
        }
    }
}

enum RulesCommand {
    static let spec = CommandSpec(
        name: "rules",
        overview: "Check a rule set: 'stratify rules check FILE' reports every error with its line and column.",
        positionals: [("action", "The action: check."), ("file", "The rule-set file, e.g. reference/rules/stratify-v1.rules.")],
        flags: [
            FlagSpec(name: "reference", valueName: "dir", help: "Reference data folder the lists resolve against. (default: $STRATIFY_REFERENCE or ./reference)"),
            .quiet,
        ])

    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        Terminal.quiet = a.switches.contains("quiet")
        guard a.positionals[0] == "check" else { throw spec.usageError("unknown action '\(a.positionals[0])'; expected 'check'") }
        let reference = try ReferenceLocator.locate(a.values["reference"])
        let rules = try FlagsSetup.ruleSet(a.positionals[1], reference: reference)
        Terminal.out("\(rules.path): rule set '\(rules.name)' version \(rules.version) is valid: "
                     + "\(rules.lists.count) lists, \(rules.aggregations.count) aggregations, \(rules.fields.count) fields")
        let measures = try MeasureStage.load(reference: reference, ruleSet: rules)
        Terminal.out("\(reference.root)/measures: \(measures.measures.count) measures check against '\(rules.name)'"
                     + MeasureStage.skippedNote(measures))
    }
}
