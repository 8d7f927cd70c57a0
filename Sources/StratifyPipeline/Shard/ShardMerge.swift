import StratifyCore
import StratifyExport
import StratifyReference

/// `stratify merge PIPELINE --shards DIR`: combines the latest runs of a sharded run's shards
/// (each `stratify run PIPELINE --shard NAME` into its own output root under DIR) into
/// `<output root>/runs/<run id>/`, with the prevalence, cohort files and manifest one run over the
/// whole population would have written (docs/sharding.md). Shards that do not belong together
/// (another pipeline, rule set or as-of date; overlapping practices) are refused as bad input.
public struct ShardMerge {
    public var definition: PipelineDefinition
    /// The folder holding one output root per shard.
    public var shardsDirectory: String
    public var outputRoot: String?
    /// How many shards there must be (a shard whose run failed has no published run to find).
    public var expectedShards: Int?
    /// Publish a merged run for an as-of date earlier than the latest published one without
    /// moving `latest` (`--backfill`, as for `stratify run`).
    public var backfill = false

    public init(definition: PipelineDefinition, shardsDirectory: String, outputRoot: String? = nil, expectedShards: Int? = nil) {
        self.definition = definition
        self.shardsDirectory = shardsDirectory
        self.outputRoot = outputRoot
        self.expectedShards = expectedShards
    }

    public struct Result: Sendable {
        public var runDirectory: String
        public var manifest: JSON
        public var shards: Int
        public var warnings: [String] = []
    }

    /// One shard's published run, read and checked.
    struct Input {
        var root: String
        var runDirectory: String
        var manifestBytes: [UInt8]
        var manifest: JSON
        var file: ShardFile
    }

    public func run() throws(StratifyError) -> Result {
        let t0 = MonotonicClock.now()
        let d = definition
        let root = outputRoot ?? d.outputRoot
        // The merged root must not be read back as a shard by the next merge.
        let shardsFolder = shardsDirectory.hasSuffix("/") ? String(shardsDirectory.dropLast()) : shardsDirectory
        guard !root.hasPrefix(shardsFolder + "/") else {
            throw StratifyError(.usage, "output root '\(root)' is inside the shards folder '\(shardsDirectory)'",
                                help: "write the merged run elsewhere, e.g. --output-root next to the shards folder")
        }
        let inputs = try readShards()
        try SafetyChecks.refuseWritableReference(d.reference)
        let reference = try ReferenceData(root: d.reference)
        let ruleSet = try FlagsSetup.ruleSet(d.rules, reference: reference, overrides: d.ruleOverrides)
        let measures = try PrevalenceMeasure.load(reference: reference).map(\.name)
        let measureSet = try MeasureStage.load(reference: reference, ruleSet: ruleSet)
        try ShardChecks.consistent(inputs, pipeline: d, ruleSetChecksum: ruleSet.sha256, measures: measures)

        var merged: JSON
        do { merged = try ManifestMerge.merge(inputs.map(\.manifest)) } catch {
            throw StratifyError(.inputData,
                                "shard \(inputs[error.shard].root): \(error.path) is \(error.value), but shard \(inputs[0].root) has \(error.expected)",
                                help: "every shard must run the same pipeline, rule set, reference data and as-of date; re-run the odd shard")
        }
        merged = ManifestMerge.recomputeTables(merged)
        merged = ManifestMerge.recomputeRuleSetShares(merged)
        guard case .string(let asOfText)? = merged["as_of"], let asOf = Day(iso: asOfText) else {
            throw StratifyError(.inputData, "shard manifests have no as_of date", help: "re-run the shards with this version of stratify")
        }

        let runID = PipelineRun.newRunID()
        let out = OutputRoot(path: root)
        // Written under runs/.partial-<id>/ and published like a run (OutputRoot).
        let runDirectory = out.partial(runID)
        // Leavers are written here, so pseudonym mode needs its key, before the lock is taken.
        let identifier = try PseudonymKey.identifier(for: d)
        let (lock, warnings, history) = try PipelineRun.claim(out)
        defer { lock.release() }
        let movesLatest = try PipelineRun.backfilling(history: history, asOf: asOf, backfill: backfill, what: "the shards' as-of date") == nil
        try FileSystem.makeDirectories(runDirectory, mode: 0o700)
        do {
            let disclosure = d.disclosure
            let prevalence = Prevalence(merging: inputs.map(\.file.prevalence), measures: measures)
            if d.outputs.contains("prevalence") {
                try PrevalenceCSV.write(prevalence, asOf: asOf, directory: runDirectory + "/prevalence", disclosure: disclosure)
            }
            merged = merged.setting(["prevalence", "rows"], to: .int(prevalence.rows.count))
            // Measures: added up from the shards' exact counts (shard files from before measures
            // were merged carry none: then the merged run has no measures, as before).
            let tm = MonotonicClock.now()
            var measureResults: [MeasureResult] = []
            var measureSection: (String, JSON)? = nil
            if inputs.allSatisfy({ !$0.file.measures.isEmpty }) {
                measureResults = try MeasureStage.merge(inputs.map { ($0.root, $0.file.measures) }, set: measureSet)
                if d.outputs.contains("measures") {
                    try MeasuresCSV.write(measureResults, directory: runDirectory + "/measures", disclosure: disclosure,
                                          secondary: d.suppressionSecondary)
                }
                measureSection = MeasureStage.section(measureSet, ruleSet: ruleSet.name, results: measureResults,
                                                      secondary: d.suppressionSecondary, seconds: MonotonicClock.seconds(since: tm))
            }
            var sections: [(String, JSON)] = [], members: [(name: String, patientIDs: [String])] = []
            var details: [String: [CohortMember]] = [:], summary: [CohortSummary] = []
            if d.outputs.contains("cohorts") {
                let shards = inputs.map { CohortMerge.Shard(label: $0.root, runDirectory: $0.runDirectory, file: $0.file) }
                let table = try PracticeTable(path: reference.practicesPath)
                let practices = Dictionary(table.practices.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
                var book = CohortWorkbook.Inputs()
                for c in d.cohorts {
                    let m = try CohortMerge.merge(c, shards: shards, csv: CohortCSV(identifier: identifier, practices: practices, keyValues: c.keyValues))
                    try CohortCSV.write(cohort: c.name, directory: runDirectory + "/cohorts", files: m.files, leavers: m.leavers)
                    book.add(c.about, files: m.files, leavers: m.leavers)
                    sections.append((c.name, m.section))
                    members.append((c.name, m.ids))
                    details[c.name] = m.members
                    summary += m.summary
                }
                try book.write(directory: runDirectory + "/cohorts", asOf: asOf)
                merged = merged.setting(["cohorts"], to: .object(sections))
            }
            guard case .object(var pairs) = merged else { preconditionFailure("a manifest is an object") }
            if let measureSection { pairs.append(measureSection) }
            pairs.append(("shards", .array(inputs.map { i in
                .object([
                    ("name", .string(i.file.shard)),
                    ("run_directory", .string(i.runDirectory)),
                    ("manifest_sha256", .string(SHA256.hex(SHA256.hash(i.manifestBytes)))),
                    ("practices", .int(i.file.practices.count)),
                ])
            })))
            pairs.append(("timings", .object([("merge_seconds", .double(MonotonicClock.seconds(since: t0)))])))
            // Each shard's own run id was dropped: the merged run is a run of its own.
            pairs.append(("run_id", .string(runID)))
            merged = .object(pairs)
            try OutputFile.write(Array((merged.render() + "\n").utf8), to: runDirectory + "/manifest.json", patientLevel: false)
            let manifest = merged
            try out.publish(runID, movesLatest: movesLatest) { () throws(StratifyError) in
                try history.record(runID: runID, pipeline: d.name, asOf: asOf, manifest: manifest.render(), prevalence: prevalence,
                                   cohorts: members, members: details, summary: summary, measures: measureResults)
            }
        } catch {
            try? FileSystem.removeTree(runDirectory)
            throw error
        }
        return Result(runDirectory: out.run(runID), manifest: merged, shards: inputs.count, warnings: warnings)
    }

    /// Every folder under `--shards` (hidden ones aside) is a shard's output root; its `latest`
    /// names the run to merge.
    func readShards() throws(StratifyError) -> [Input] {
        guard FileSystem.isDirectory(shardsDirectory) else {
            throw StratifyError(.usage, "shards folder '\(shardsDirectory)' does not exist",
                                help: "pass the folder that holds one output root per shard (docs/sharding.md)")
        }
        let roots = FileSystem.list(shardsDirectory).filter { !$0.hasPrefix(".") }.sorted()
            .map { shardsDirectory + "/" + $0 }.filter(FileSystem.isDirectory)
        guard !roots.isEmpty else {
            throw StratifyError(.inputData, "shards folder '\(shardsDirectory)' holds no shard output roots",
                                help: "run each shard with `stratify run PIPELINE --shard NAME --output-root \(shardsDirectory)/NAME` first")
        }
        if let expected = expectedShards, expected != roots.count {
            throw StratifyError(.inputData, "found \(roots.count) shard output roots in '\(shardsDirectory)', expected \(expected)",
                                help: "a shard is missing or extra: check the scheduler's log for a failed task and re-run it")
        }
        return try roots.map { root throws(StratifyError) in
            let latest = root + "/latest"
            guard FileSystem.exists(latest) else {
                throw StratifyError(.inputData, "shard \(root) has no published run (\(latest) is missing)",
                                    help: "that shard's run failed or has not run yet: re-run it, then merge")
            }
            let id = String(decoding: try FileSystem.readAll(latest), as: UTF8.self).trimmed("\n ")
            let runDirectory = root + "/runs/" + id
            let manifestPath = runDirectory + "/manifest.json"
            guard FileSystem.exists(manifestPath) else {
                throw StratifyError(.inputData, "shard \(root): \(manifestPath) is missing",
                                    help: "re-run that shard; its latest run was not published")
            }
            let bytes = try FileSystem.readAll(manifestPath)
            let manifest: JSON
            do throws(JSON.ParseError) { manifest = try JSON.parse(bytes) } catch {
                throw StratifyError(.inputData, "\(manifestPath): not valid JSON at byte \(error.offset) (\(error.message))",
                                    help: "re-run that shard; do not edit its manifest")
            }
            return Input(root: root, runDirectory: runDirectory, manifestBytes: bytes, manifest: manifest,
                         file: try ShardFile(path: runDirectory + "/" + ShardFile.name))
        }
    }
}

extension JSON {
    /// This object with the value at `path` replaced (in place, keeping key order); unchanged when
    /// the path does not exist.
    func setting(_ path: [String], to value: JSON) -> JSON {
        guard let key = path.first, case .object(let pairs) = self else { return path.isEmpty ? value : self }
        return .object(pairs.map { $0.0 == key ? ($0.0, $0.1.setting(Array(path.dropFirst()), to: value)) : $0 })
    }
}
