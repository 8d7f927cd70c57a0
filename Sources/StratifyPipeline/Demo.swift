import StratifyCore
import StratifyIngest
import StratifyReference
import StratifySynth

/// Finds `reference/`: an explicit path, else $STRATIFY_REFERENCE, else ./reference.
public enum ReferenceLocator {
    public static func locate(_ explicit: String?) throws(StratifyError) -> ReferenceData {
        let root = explicit ?? ProcessInfoLite.environment("STRATIFY_REFERENCE") ?? "reference"
        return try ReferenceData(root: root)
    }
}

/// `stratify demo`: synthesizes a 50,000-patient extract (real-sized practices) under `output/demo/extract` and runs
/// `pipelines/demo.json` on it: ingest, flags, scores, prevalence, cohorts and the report, into
/// `output/demo/runs/<run id>/` (`output/demo/latest` names the run).
public struct Demo {
    public static let defaultPatients = 50_000
    public static let seed: UInt64 = 20_260_331
    /// Real-sized practices: 50,000 patients in 7 practices of 5,000–10,000 (docs/synth.md).
    public static let listSize = 7_500

    public var patients = Demo.defaultPatients
    public var root = "output/demo"
    public static let defaultPipeline = "pipelines/demo.json"
    public var pipeline = Demo.defaultPipeline
    /// The demo extract's histories lead up to 2026-10-31, inside the autumn 2026 flu and COVID
    /// campaigns (rules.md §16), so every v2 field has values; a later date shows the next run.
    public static let defaultAsOf = Day(year: 2026, month: 10, day: 31)!
    public var asOf = Demo.defaultAsOf
    public var reference: ReferenceData
    public var runID = PipelineRun.newRunID()

    public init(reference: ReferenceData) { self.reference = reference }

    public var extractDirectory: String { root + "/extract" }

    public func synthesize(progress: (Int, Int) -> Void) throws(StratifyError) -> SyntheticExtract.Summary {
        var options = SynthOptions(patients: patients, seed: Demo.seed, outputDirectory: extractDirectory)
        options.defectRate = 0.001
        options.listSize = Demo.listSize
        options.asOf = Demo.defaultAsOf
        return try SyntheticExtract(options: options, reference: reference).write(progress: progress)
    }

    /// The whole pipeline, as far as it exists, on the demo extract.
    public func run(progress: (IngestProgress) -> Void, log: (RunEvent) -> Void = { _ in }) throws(StratifyError) -> PipelineRun.Result {
        var definition = try PipelineDefinition(path: pipeline)
        definition.reference = reference.root
        var run = PipelineRun(definition: definition, asOf: asOf, extract: extractDirectory, outputRoot: root)
        run.runID = runID
        return try run.run(progress: progress, log: log)
    }
}
