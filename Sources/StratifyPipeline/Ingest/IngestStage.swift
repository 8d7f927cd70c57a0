import StratifyCore
import StratifyIngest

/// Reading an extract as a stage that takes values and returns values: rows go through a sink
/// (the rules engine, or nothing) and bad rows into `<directory>/quarantine/`; the caller decides
/// what comes next and owns the folder. `stratify ingest` and `stratify flags` wrap it in
/// `IngestRun` (which stages and publishes a folder of their own); `stratify run` calls it
/// directly inside its run folder (docs/architecture.md).
enum IngestStage {
    struct Read: Sendable {
        var result: IngestResult
        /// Why the extract fails the run, if it does (a table over the quarantine threshold, or
        /// an empty table the pipeline makes fatal).
        var failure: (message: String, fix: String)?
    }

    static func read<S: ExtractSink>(_ reader: ExtractReader, into directory: String, sink: inout S,
                                     progress: (IngestProgress) -> Void,
                                     ingested: (inout IngestResult) -> Void) throws(StratifyError) -> Read {
        var quarantine = try QuarantineFiles(directory: directory + "/quarantine",
                                             tables: ExtractTable.allCases.filter { reader.files.files[$0] != nil })
        var result = try reader.read(sink: &sink, quarantine: &quarantine, progress: progress)
        try quarantine.commit()
        // Told now, not with the manifest: flags and scores take seconds more at ICB scale, and a
        // log shipper should see ingest finish (and fail over threshold) when it does.
        ingested(&result)
        return Read(result: result, failure: IngestRun.failure(result, options: reader.options))
    }

    /// The run manifest: what was read and quarantined, then each later stage's section in the
    /// order given, then the timings.
    static func manifest(command: String, extractDirectory: String, options: IngestOptions, read: Read,
                         stages: [(String, JSON)], seconds: Double) -> JSON {
        let result = read.result
        var pairs: [(String, JSON)] = [
            ("stratify_version", .string(StratifyVersion.current)),
            ("command", .string(command)),
            ("status", .string(read.failure == nil ? "succeeded" : "failed")),
        ]
        if let failure = read.failure { pairs.append(("failure", .string(failure.message))) }
        pairs += [
            ("as_of", .string(options.asOf.description)),
            ("extract_directory", .string(extractDirectory)),
            ("quarantine_threshold", .double(options.quarantineThreshold)),
            ("quarantine_cap", .int(options.quarantineCap)),
            ("max_line_bytes", .int(options.maxLineBytes)),
            ("tables", IngestManifest.tables(result)),
            ("data_quality", IngestManifest.dataQuality(result.dataQuality)),
            ("quarantine_reason_codes", IngestManifest.reasonCodes),
            ("warnings", .array(result.warnings.map { .string($0) })),
        ]
        pairs += stages
        pairs.append(("timings", .object([
            ("total_seconds", .double(seconds)),
            ("tokenizer", .string(options.tokenizer.rawValue)),
            ("threads", .int(options.threads)),
            ("peak_rss_bytes", .int(ProcessInfoLite.peakRSS)),
        ])))
        return .object(pairs)
    }

    static func writeManifest(_ manifest: JSON, directory: String) throws(StratifyError) {
        try StageTimings.measure("manifest") { () throws(StratifyError) in
            try OutputFile.write(Array((manifest.render() + "\n").utf8), to: directory + "/manifest.json", patientLevel: false)
        }
    }
}
