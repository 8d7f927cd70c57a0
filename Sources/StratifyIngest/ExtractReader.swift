import StratifyCore

public struct IngestOptions: Sendable {
    public var asOf: Day
    public var tokenizer: TokenizerKind = .swar
    public var threads: Int
    public var blockSize = 8 << 20
    /// A table fails the run when its quarantined share is strictly greater than this.
    public var quarantineThreshold = 0.01
    public var checksum = ChecksumKind.xxh64
    /// A longer line (bytes, line end excluded) is a malformed row, skipped while streaming.
    public var maxLineBytes = 1 << 20
    /// Each table's quarantine file keeps at most this many rows; the counts stay exact.
    public var quarantineCap = 100_000
    /// A table present with a header and no rows fails the run (exit 65) instead of warning.
    public var failOnEmptyTable = false
    /// A missing medications table fails the run (exit 65) instead of warning.
    public var requireMedications = false

    public init(asOf: Day, threads: Int = IngestOptions.defaultThreads) {
        self.asOf = asOf
        self.threads = threads
    }

    public static var defaultThreads: Int { max(1, ProcessInfoLite.activeProcessorCount) }
}

/// What reading an extract produced.
public struct IngestResult: Sendable {
    public var patients: PatientTable
    public var tables: [TableReport]
    public var dataQuality: DataQualityCounts
    public var medicationsPresent: Bool
    public var threshold: Double
    /// Things the analyst should know (an empty table, no medications), free of patient values.
    /// The CLI prints them, the JSON log and the manifest carry them.
    public var warnings: [String] = []
    /// Tables present with a header and no rows.
    public var emptyTables: [ExtractTable] {
        tables.filter { $0.rowsRead == 0 }.map(\.table)
    }

    /// Tables whose quarantined share is strictly greater than the threshold.
    /// Compares the share itself: `threshold * rows` can round below the exact product (0.29 × 100
    /// is 28.999…), which would fail a table at exactly the threshold.
    public var tablesOverThreshold: [ExtractTable] {
        tables.filter { $0.rowsRead > 0 && Double($0.rowsQuarantined) / Double($0.rowsRead) > threshold }.map(\.table)
    }
}

/// Progress of a long read, for the CLI to show on a terminal. Counts only, never values.
public struct IngestProgress: Sendable {
    public var table: ExtractTable
    public var bytesRead: Int64
    public var fileBytes: Int64
}

/// Reads an extract folder: finds the files, checks every header before any row is read, then
/// streams patients, clinical events and medications through validation, in that order.
public final class ExtractReader {
    public let files: ExtractFiles
    public let options: IngestOptions
    private var inputs: [ExtractTable: TableInput] = [:]

    public init(directory: String, options: IngestOptions) throws(StratifyError) {
        files = try ExtractFiles(directory: directory)
        self.options = options
        if options.requireMedications && files.files[.medications] == nil {
            throw StratifyError(.inputData, "\(ExtractReader.missingMedications) (the pipeline requires it)",
                                help: "add medications.csv to the extract, or set \"require_medications\": false to run without it")
        }
        for table in ExtractTable.allCases {
            if let located = files.files[table] {
                inputs[table] = try TableInput(located, blockSize: options.blockSize, maxLineBytes: options.maxLineBytes,
                                               checksum: options.checksum)
            }
        }
    }

    public static let missingMedications = "medications.csv is absent: medication-based rules will see no prescriptions"

    public static func emptyTable(_ t: ExtractTable) -> String {
        "\(t.rawValue).csv has a header and no rows"
    }

    private var limits: ChunkLimits { ChunkLimits(maxLineBytes: options.maxLineBytes, keptEntries: options.quarantineCap) }

    public func read<S: ExtractSink, Q: QuarantineSink>(
        sink: inout S, quarantine: inout Q, progress: (IngestProgress) -> Void = { _ in }
    ) throws(StratifyError) -> IngestResult {
        var patients = PatientTable()
        var quality = DataQualityCounts()
        var reports: [TableReport] = []
        let asOf = options.asOf

        // Patients: duplicates are resolved here, in file order: the first valid row wins.
        let pInput = inputs[.patients]!
        var pReport = report(for: pInput)
        let start = MonotonicClock.now()
        let pValidator = PatientValidator(map: pInput.header)
        var accepted = 0
        var written = 0
        try pInput.readRows(validator: pValidator, tokenizer: options.tokenizer, threads: options.threads, limits: limits, overlap: false,
                            report: &pReport, progress: { progress(.init(table: .patients, bytesRead: $0, fileBytes: fileSize(pInput))) }
        ) { (chunk: inout ChunkResult<PatientRows>, firstLine: Int, block: UnsafeRawBufferPointer) throws(StratifyError) in
            let rows = chunk.rows
            var duplicates: [QuarantineEntry] = []
            for j in 0..<rows.line.count {
                let s = chunk.base + rows.idStart[j], e = chunk.base + rows.idEnd[j]
                if patients.index.insert(block, s, e) == nil {
                    let detail = "this patient_id was already accepted on an earlier line"
                    chunk.tally.count(.duplicatePatientID, column: "patient_id", detail: detail)
                    duplicates.append(QuarantineEntry(
                        line: firstLine + rows.line[j], reason: .duplicatePatientID, column: "patient_id", detail: detail,
                        record: Array(block[(chunk.base + rows.recordStart[j])..<(chunk.base + rows.recordEnd[j])])))
                    continue
                }
                let t = rows.table
                patients.nhsNumber.append(t.nhsNumber[j])
                patients.dateOfBirth.append(t.dateOfBirth[j])
                patients.sex.append(t.sex[j])
                patients.dateOfDeath.append(t.dateOfDeath[j])
                patients.practice.append(t.practice[j])
                patients.registrationStart.append(t.registrationStart[j])
                patients.lsoa.append(t.lsoa[j])
                patients.ethnicCategory.append(t.ethnicCategory[j])
                if t.dateOfDeath[j] != PatientTable.noDay && t.dateOfDeath[j] <= asOf.rawValue { quality.patientsDiedOnOrBeforeAsOf += 1 }
                if t.registrationStart[j] != PatientTable.noDay && t.registrationStart[j] > asOf.rawValue { quality.patientsRegisteredAfterAsOf += 1 }
                if t.dateOfBirth[j] > asOf.rawValue { quality.patientsBornAfterAsOf += 1 }
                accepted += 1
            }
            if !duplicates.isEmpty {
                chunk.quarantine = (chunk.quarantine + duplicates).sorted { $0.line < $1.line }
            }
            try ExtractReader.write(chunk.quarantine, table: .patients, to: &quarantine, written: &written, cap: options.quarantineCap)
        }
        pReport.rowsAccepted = accepted
        pReport.quarantineRowsLeftOut = pReport.rowsQuarantined - written
        pReport.seconds = MonotonicClock.seconds(since: start)
        StageTimings.record("read patients", seconds: pReport.seconds)
        reports.append(pReport)

        // Clinical events and medications stream through the sink: memory stays per block.
        let frozen = patients
        if let input = inputs[.clinicalEvents] {
            reports.append(try stream(input, EventValidator(map: input.header, asOf: asOf, patients: frozen),
                                      sink: &sink, quarantine: &quarantine, quality: &quality, progress: progress))
        }
        if let input = inputs[.medications] {
            reports.append(try stream(input, MedicationValidator(map: input.header, asOf: asOf, patients: frozen),
                                      sink: &sink, quarantine: &quarantine, quality: &quality, progress: progress))
        }
        var result = IngestResult(patients: frozen, tables: reports, dataQuality: quality,
                                  medicationsPresent: inputs[.medications] != nil, threshold: options.quarantineThreshold)
        if !result.medicationsPresent { result.warnings.append(ExtractReader.missingMedications) }
        result.warnings += result.emptyTables.map(ExtractReader.emptyTable)
        return result
    }

    /// Hands quarantined rows to the sink up to the table's cap; later rows are only counted.
    private static func write<Q: QuarantineSink>(_ entries: [QuarantineEntry], table: ExtractTable, to sink: inout Q,
                                                 written: inout Int, cap: Int) throws(StratifyError) {
        for q in entries where written < cap {
            try sink.quarantine(q, table: table)
            written += 1
        }
    }

    /// Reads one streamed table, handing accepted batches to the sink in file order.
    private func stream<V: StreamValidator, S: ExtractSink, Q: QuarantineSink>(
        _ input: TableInput, _ validator: V, sink: inout S, quarantine: inout Q, quality: inout DataQualityCounts,
        progress: (IngestProgress) -> Void
    ) throws(StratifyError) -> TableReport {
        let table = input.located.table
        var r = report(for: input)
        let t0 = MonotonicClock.now()
        var accepted = 0, written = 0
        let patients = validator.patients
        let cap = options.quarantineCap
        try input.readRows(validator: validator, tokenizer: options.tokenizer, threads: options.threads, limits: limits, overlap: true,
                           report: &r, progress: { progress(.init(table: table, bytesRead: $0, fileBytes: fileSize(input))) }
        ) { (chunk: inout ChunkResult<V.Rows>, _: Int, _: UnsafeRawBufferPointer) throws(StratifyError) in
            accepted += chunk.rows.acceptedCount
            quality.add(chunk.rows.quality)
            try ExtractReader.write(chunk.quarantine, table: table, to: &quarantine, written: &written, cap: cap)
            chunk.rows.deliver(to: &sink, patients: patients)
        }
        r.rowsAccepted = accepted
        r.quarantineRowsLeftOut = r.rowsQuarantined - written
        r.seconds = MonotonicClock.seconds(since: t0)
        // The sink (the rules engine in a pipeline) runs inside this time, overlapped with parsing.
        StageTimings.record("stream \(table.rawValue) + sink", seconds: r.seconds)
        return r
    }

    private func report(for input: TableInput) -> TableReport {
        TableReport(table: input.located.table, path: input.located.path, gzip: input.located.gzip)
    }

    private func fileSize(_ input: TableInput) -> Int64 { FileSystem.fileSize(input.located.path) ?? 0 }
}
