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

/// `stratify demo`: synthesizes a 50,000-patient extract under `output/demo/extract` and runs
/// the pipeline as far as it exists (ingest, flags) into `output/demo/run`.
public struct Demo {
    public static let defaultPatients = 50_000
    public static let seed: UInt64 = 20_260_331

    public var patients = Demo.defaultPatients
    public var root = "output/demo"
    public var reference: ReferenceData

    public init(reference: ReferenceData) { self.reference = reference }

    public var extractDirectory: String { root + "/extract" }
    public var runDirectory: String { root + "/run" }

    public func synthesize(progress: (Int, Int) -> Void) throws(StratifyError) -> SyntheticExtract.Summary {
        var options = SynthOptions(patients: patients, seed: Demo.seed, outputDirectory: extractDirectory)
        options.defectRate = 0.001
        return try SyntheticExtract(options: options, reference: reference).write(progress: progress)
    }

    /// Ingest and flags, as far as the pipeline exists.
    public func run(progress: (IngestProgress) -> Void) throws(StratifyError) -> IngestRun.Outcome {
        let options = IngestOptions(asOf: SynthOptions.defaultAsOf)
        let ingest = IngestRun(extractDirectory: extractDirectory, outputDirectory: runDirectory, options: options)
        return try FlagsRun(ingest: ingest, ruleSet: FlagsSetup.ruleSet(nil, reference: reference),
                            imd: FlagsSetup.imd(.imd2019, reference: reference),
                            scores: FlagsSetup.scores(reference: reference),
                            prevalence: FlagsSetup.prevalence(reference: reference)).run(progress: progress)
    }
}
