import StratifyCore

/// Refuses shards that do not make one population together, before anything is written: each
/// check names the shard's folder and says the fix (exit 65, bad input).
enum ShardChecks {
    static func consistent(_ inputs: [ShardMerge.Input], pipeline d: PipelineDefinition, ruleSetChecksum: String,
                           measures: [String]) throws(StratifyError) {
        var names: [String: String] = [:], practiceOwner: [String: String] = [:]
        let known = Set(measures)
        for i in inputs {
            let f = i.file
            guard f.pipeline == d.name else {
                throw StratifyError(.inputData, "shard \(i.root) ran pipeline '\(f.pipeline)', not '\(d.name)' (\(d.path))",
                                    help: "merge shards of one pipeline: pass that pipeline's definition, or re-run the shard with \(d.path)")
            }
            if case .string(let status)? = i.manifest["status"], status != "succeeded" {
                throw StratifyError(.inputData, "shard \(i.root): its run did not succeed (status \(status))", help: "re-run that shard")
            }
            if case .string(let sha)? = i.manifest["rules"]?["sha256"], sha != ruleSetChecksum {
                throw StratifyError(.inputData, "shard \(i.root) ran rule set checksum \(sha), but \(d.path)'s rule set has \(ruleSetChecksum)",
                                    help: "every shard must run the same rule set: re-run that shard with the current rules")
            }
            if let other = names[f.shard] {
                throw StratifyError(.inputData, "shards \(other) and \(i.root) are both named '\(f.shard)'",
                                    help: "give each shard its own --shard NAME (e.g. its array index) and re-run one of them")
            }
            names[f.shard] = i.root
            for p in f.practices {
                if let other = practiceOwner[p] {
                    throw StratifyError(.inputData, "practice \(p) is in shard \(other) and in shard \(i.root)",
                                        help: "shards must hold disjoint practices: fix the practice lists (docs/sharding.md) and re-run both shards")
                }
                practiceOwner[p] = i.root
            }
            if let unknown = f.prevalence.rows.first(where: { !known.contains($0.measure) }) {
                throw StratifyError(.inputData, "shard \(i.root) has prevalence measure '\(unknown.measure)', which \(d.reference)/measures/prevalence.csv lacks",
                                    help: "every shard must run the same reference data: re-run that shard")
            }
        }
    }
}
