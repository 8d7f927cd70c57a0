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
        after: (IngestResult, inout S, _ directory: String) throws(StratifyError) -> [(String, JSON)]
    ) throws(StratifyError) -> Outcome {
        let t0 = MonotonicClock.now()
        // Every file and header is checked before any row is read (and before output is made).
        let reader = try ExtractReader(directory: extractDirectory, options: options)
        let staging = try Staging(outputDirectory: outputDirectory)
        do {
            return try run(reader: reader, staging: staging, command: command, sink: &sink, t0: t0,
                           progress: progress, after: after)
        } catch {
            staging.discard()
            throw error
        }
    }

    private func run<S: ExtractSink>(
        reader: ExtractReader, staging: Staging, command: String, sink: inout S, t0: UInt64,
        progress: (IngestProgress) -> Void,
        after: (IngestResult, inout S, _ directory: String) throws(StratifyError) -> [(String, JSON)]
    ) throws(StratifyError) -> Outcome {
        var quarantine = try QuarantineFiles(directory: staging.path + "/quarantine",
                                             tables: ExtractTable.allCases.filter { reader.files.files[$0] != nil })
        let result = try reader.read(sink: &sink, quarantine: &quarantine, progress: progress)
        try quarantine.commit()
        let failed = result.tablesOverThreshold
        let stages = failed.isEmpty ? try after(result, &sink, staging.path) : []
        let seconds = MonotonicClock.seconds(since: t0)
        var warnings: [JSON] = []
        if !result.medicationsPresent {
            warnings.append(.string("medications.csv is absent: medication-based rules will see no prescriptions"))
        }
        let status: JSON = failed.isEmpty ? .string("succeeded") : .string("failed")
        var pairs: [(String, JSON)] = [
            ("stratify_version", .string(StratifyVersion.current)),
            ("command", .string(command)),
            ("status", status),
        ]
        if !failed.isEmpty {
            pairs.append(("failure", .string(IngestRun.thresholdMessage(failed, result))))
        }
        pairs += [
            ("as_of", .string(options.asOf.description)),
            ("extract_directory", .string(extractDirectory)),
            ("quarantine_threshold", .double(options.quarantineThreshold)),
            ("tables", IngestManifest.tables(result)),
            ("data_quality", IngestManifest.dataQuality(result.dataQuality)),
            ("quarantine_reason_codes", IngestManifest.reasonCodes),
            ("warnings", .array(warnings)),
        ]
        pairs += stages
        pairs += [
            ("timings", .object([
                ("total_seconds", .double(seconds)),
                ("tokenizer", .string(options.tokenizer.rawValue)),
                ("threads", .int(options.threads)),
                ("peak_rss_bytes", .int(ProcessInfoLite.peakRSS)),
            ])),
        ]
        let manifest = JSON.object(pairs)
        try StageTimings.measure("manifest") { () throws(StratifyError) in
            try OutputFile.write(Array((manifest.render() + "\n").utf8), to: staging.path + "/manifest.json", patientLevel: false)
        }
        if !failed.isEmpty {
            let kept = try staging.keepAsFailed()
            throw StratifyError(.inputData, IngestRun.thresholdMessage(failed, result),
                                help: "previous outputs in \(outputDirectory) are untouched; this run's manifest and quarantine files are in \(kept)/; fix the extract, or raise --max-quarantine if this share is expected")
        }
        try staging.publish()
        return Outcome(result: result, manifest: manifest, manifestPath: outputDirectory + "/manifest.json", seconds: seconds)
    }

    static func thresholdMessage(_ failed: [ExtractTable], _ result: IngestResult) -> String {
        let parts = result.tables.filter { failed.contains($0.table) }.map { t in
            "\(t.table.rawValue): \(t.rowsQuarantined) of \(t.rowsRead) rows quarantined"
        }
        let pct = JSON.format(result.threshold * 100)
        return "more than \(pct)% of rows were quarantined (\(parts.joined(separator: "; ")))"
    }
}

