import StratifyCore
import StratifyIngest

/// `stratify ingest`: reads an extract, writes `manifest.json` and `quarantine/<table>.csv`, and
/// fails with bad-input status when a table's quarantined share is over the threshold. Outputs are
/// staged and published only on success; a run over the threshold leaves the previous outputs
/// untouched and keeps its own manifest and quarantine files in `<out>/failed/`.
public struct IngestRun {
    public var extractDirectory: String
    public var outputDirectory: String
    public var options: IngestOptions

    public init(extractDirectory: String, outputDirectory: String, options: IngestOptions) {
        self.extractDirectory = extractDirectory
        self.outputDirectory = outputDirectory
        self.options = options
    }

    public struct Outcome: Sendable {
        public var result: IngestResult
        public var manifest: JSON
        public var manifestPath: String
        public var seconds: Double
    }

    public func run(progress: (IngestProgress) -> Void = { _ in }) throws(StratifyError) -> Outcome {
        var sink = DiscardingSink()
        return try run(command: "ingest", sink: &sink, progress: progress) { _, _, _ throws(StratifyError) in [] }
    }

    /// Reads the extract through `sink`, then (unless a table is over the quarantine threshold)
    /// lets `after` run the next stages, writing into the staging folder it is given, and return
    /// their manifest sections.
    public func run<S: ExtractSink>(
        command: String, sink: inout S, progress: (IngestProgress) -> Void = { _ in },
        ingested: (inout IngestResult) -> Void = { _ in },
        after: (IngestResult, inout S, _ directory: String) throws(StratifyError) -> [(String, JSON)]
    ) throws(StratifyError) -> Outcome {
        let t0 = MonotonicClock.now()
        // Every file and header is checked before any row is read (and before output is made).
        let reader = try ExtractReader(directory: extractDirectory, options: options)
        let staging = try Staging(outputDirectory: outputDirectory)
        do {
            return try run(reader: reader, staging: staging, command: command, sink: &sink, t0: t0,
                           progress: progress, ingested: ingested, after: after)
        } catch {
            staging.discard()
            throw error
        }
    }

    private func run<S: ExtractSink>(
        reader: ExtractReader, staging: Staging, command: String, sink: inout S, t0: UInt64,
        progress: (IngestProgress) -> Void, ingested: (inout IngestResult) -> Void,
        after: (IngestResult, inout S, _ directory: String) throws(StratifyError) -> [(String, JSON)]
    ) throws(StratifyError) -> Outcome {
        let read = try IngestStage.read(reader, into: staging.path, sink: &sink, progress: progress, ingested: ingested)
        let stages = read.failure == nil ? try after(read.result, &sink, staging.path) : []
        let seconds = MonotonicClock.seconds(since: t0)
        let manifest = IngestStage.manifest(command: command, extractDirectory: extractDirectory, options: options, read: read,
                                            stages: stages, seconds: seconds)
        try IngestStage.writeManifest(manifest, directory: staging.path)
        if let failure = read.failure {
            let kept = try staging.keepAsFailed()
            throw StratifyError(.inputData, failure.message,
                                help: "previous outputs in \(outputDirectory) are untouched; this run's manifest and quarantine files are in \(kept)/; \(failure.fix)")
        }
        try staging.publish()
        return Outcome(result: read.result, manifest: manifest, manifestPath: outputDirectory + "/manifest.json", seconds: seconds)
    }

    /// Why the extract fails the run after its rows were read, if it does: tables over the
    /// quarantine threshold, or (when the options make it fatal) a table with no rows.
    static func failure(_ result: IngestResult, options: IngestOptions) -> (message: String, fix: String)? {
        let failed = result.tablesOverThreshold
        if !failed.isEmpty {
            return (thresholdMessage(failed, result), "fix the extract, or raise --max-quarantine if this share is expected")
        }
        if options.failOnEmptyTable, !result.emptyTables.isEmpty {
            return (result.emptyTables.map(ExtractReader.emptyTable).joined(separator: "; ") + " (the pipeline fails on an empty table)",
                    "check the extract's export, or set \"fail_on_empty_table\": false if an empty table is expected")
        }
        return nil
    }

    /// Names each failed table, its quarantined share, and its most frequent reason with the
    /// column and what was expected (never a value).
    static func thresholdMessage(_ failed: [ExtractTable], _ result: IngestResult) -> String {
        let parts = result.tables.filter { failed.contains($0.table) }.map { t in
            let share = JSON.format((Double(t.rowsQuarantined) / Double(t.rowsRead) * 10_000).rounded() / 100)
            var text = "\(t.table.rawValue): \(share)% of rows quarantined (\(t.rowsQuarantined) of \(t.rowsRead))"
            if let top = t.quarantined.mostFrequent {
                text += ", mostly \(top.cause.reason.code)"
                if !top.cause.column.isEmpty { text += " in \(top.cause.column)" }
                if !top.expectation.isEmpty { text += ": \(top.expectation)" }
            }
            return text
        }
        let pct = JSON.format(result.threshold * 100)
        return parts.joined(separator: "; ") + " (more than the \(pct)% allowed)"
    }
}

extension PipelineDefinition {
    /// The ingest options this definition sets, for a run as of `day`.
    public func ingestOptions(asOf day: Day) -> IngestOptions {
        var o = IngestOptions(asOf: day)
        o.failOnEmptyTable = failOnEmptyTable
        o.requireMedications = requireMedications
        return o
    }
}
