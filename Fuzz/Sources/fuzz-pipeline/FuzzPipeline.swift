import FuzzSupport
import StratifyPipeline

/// Fuzz target (c): the pipeline-definition parser (`pipelines/*.json`), from bytes, as
/// `stratify run PIPELINE` reads them. Properties: no input traps or hangs; a rejected input gets
/// one error naming the file; an accepted one satisfies the checks docs/pipelines.md promises
/// (cohort names usable as file names and distinct, known outputs and PLUS groups, multiple >= 1).
private let file = "fuzz.json"

func fuzzPipeline(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do {
        let p = try PipelineDefinition(json: Array(Fuzz.bytes(data, size)), path: file)
        let names = p.cohorts.map(\.name)
        Fuzz.check(Set(names).count == names.count, "duplicate cohort names accepted: \(names)")
        for name in names {
            Fuzz.check(!name.isEmpty && !name.contains("/") && name != "." && name != "..", "cohort name '\(name)' is not a file name")
        }
        Fuzz.check(p.outputs.isSubset(of: PipelineDefinition.outputNames), "unknown outputs accepted: \(p.outputs)")
        Fuzz.check(Set(p.plusGroups ?? []).isSubset(of: PipelineDefinition.plusGroupNames), "unknown PLUS groups accepted")
        Fuzz.check(p.suppressionMultiple >= 1, "suppression multiple \(p.suppressionMultiple) accepted")
        _ = p.ruleOverrides
    } catch {
        Fuzz.check(error.message.hasPrefix(file), "error does not name the file: \(error.message)")
    }
    return 0
}
