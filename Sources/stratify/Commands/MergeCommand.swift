import StratifyCore
import StratifyPipeline

enum MergeCommand {
    static let spec = CommandSpec(
        name: "merge",
        overview: "Merge the latest runs of a sharded run's shards into one run, identical to a run over the whole population.",
        positionals: [("pipeline", "The pipeline definition every shard ran, e.g. pipelines/national.json (docs/sharding.md).")],
        flags: [
            FlagSpec(name: "shards", valueName: "dir", help: "Folder holding one output root per shard (each made by 'stratify run PIPELINE --shard NAME --output-root DIR/NAME')."),
            FlagSpec(name: "expect", valueName: "n", help: "Fail unless there are exactly n shards (catches a shard whose run failed)."),
            FlagSpec(name: "output-root", valueName: "dir", help: "Override the definition's output root for the merged run."),
            FlagSpec(name: "backfill", valueName: nil, help: "Allow shards whose as-of date is earlier than the latest published run's: published and recorded, latest not moved."),
            .quiet,
        ])

    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        Terminal.quiet = a.switches.contains("quiet")
        guard let shards = a.values["shards"] else { throw spec.usageError("missing '--shards <dir>'") }
        let definition = try PipelineDefinition(path: a.positionals[0])
        var merge = ShardMerge(definition: definition, shardsDirectory: shards, outputRoot: a.values["output-root"],
                               expectedShards: try a.int("expect", in: spec, range: 1...100_000))
        merge.backfill = a.switches.contains("backfill")
        let result = try merge.run()
        for w in result.warnings { Terminal.err("warning: \(w)") }
        RunCommand.printCohorts(result.manifest)
        Terminal.out("merged \(result.shards) shards: \(result.runDirectory)")
    }
}
