import Foundation
import FuzzSupport
import StratifyFlags
import StratifyIngest
import StratifyReference
import StratifyScores
import StratifySynth

/// Flags and scores for 300 synthetic patients, built once at start-up with the shipped rule set
/// and reference data, as a pipeline run builds them, so conditions evaluate over real columns.
struct CohortPopulation {
    let flags: FlagResult
    let scores: [(String, Column)]

    static func make() throws -> CohortPopulation {
        let reference = try ReferenceData(root: Fuzz.root + "/reference")
        let ruleSet = try RuleSetCompiler.compile(path: Fuzz.root + "/reference/rules/stratify-v1.rules", reference: reference)
        let dir = NSTemporaryDirectory() + "stratify-fuzz-cohort-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = SynthOptions(patients: 300, seed: 6, outputDirectory: dir)
        options.threads = 1
        _ = try SyntheticExtract(options: options, reference: reference).write()
        var ingest = IngestOptions(asOf: options.asOf, threads: 1)
        ingest.quarantineThreshold = 1
        var engine = FlagEngine(ruleSet: ruleSet, asOf: options.asOf)
        var quarantine = IgnoreQuarantine()
        let read = try ExtractReader(directory: dir, options: ingest).read(sink: &engine, quarantine: &quarantine)
        let flags = engine.finish(patients: read.patients, imd: try IMDTable(path: Fuzz.root + "/reference/imd/imd2019_lsoa11.csv"))
        return CohortPopulation(flags: flags, scores: try ScoreStage.run(flags, try ScoreDefinitions(reference: reference)))
    }
}

/// Synthetic extracts have no defects at rate 0; nothing needs keeping if one is quarantined.
struct IgnoreQuarantine: QuarantineSink {
    mutating func quarantine(_ entry: QuarantineEntry, table: ExtractTable) throws(StratifyError) {}
}
