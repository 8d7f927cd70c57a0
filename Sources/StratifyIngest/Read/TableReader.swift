import StratifyCore

/// Counts for one table, as the manifest reports them.
public struct TableReport: Sendable {
    public var table: ExtractTable
    public var path: String
    public var gzip: Bool
    public var fileBytes: Int64 = 0
    public var checksum = ""
    public var checksumKind = ChecksumKind.xxh64
    public var rowsRead = 0
    public var rowsAccepted = 0
    public var quarantinedByReason: [QuarantineReason: Int] = [:]
    public var unknownColumns: [String] = []
    public var seconds = 0.0

    public var rowsQuarantined: Int { quarantinedByReason.values.reduce(0, +) }
}

/// One table's file, opened and with its header read, ready to stream rows.
final class TableInput {
    let located: ExtractFiles.Located
    let file: FileByteSource
    let reader: BlockReader
    let header: HeaderMap
    /// The first block, kept from reading the header; rows start at `dataOffset` in it.
    var pending: BlockReader.Block?
    var dataOffset = 0

    init(_ located: ExtractFiles.Located, blockSize: Int, checksum: ChecksumKind) throws(StratifyError) {
        self.located = located
        file = try FileByteSource(path: located.path, checksum: checksum)
        let source: any ByteSource = located.gzip ? try GzipByteSource(file: file) : file
        reader = BlockReader(source: source, blockSize: blockSize)
        guard let first = try reader.next() else {
            throw StratifyError(.inputData, "\(located.path) is empty: expected a header line",
                                help: "the first line must name the columns, e.g. \(located.table.columns.map(\.name).joined(separator: ","))")
        }
        var r = TokenizedRecord()
        ScalarTokenizer.next(first.bytes, from: 0, final: first.final, into: &r)
        guard r.status == .ok, UTF8Check.isValid(first.bytes, r.start, r.end) else {
            throw StratifyError(.inputData, "\(located.path), line 1: the header line is malformed (broken quote or invalid UTF-8)",
                                help: "the header must be a plain comma-separated list of column names")
        }
        let names = (0..<min(r.fieldCount, TokenizedRecord.maxFields)).map {
            String(decoding: r.unescaped($0, in: first.bytes), as: UTF8.self)
        }
        header = try HeaderMap(table: located.table, header: names, file: located.path)
        pending = first
        dataOffset = r.next
    }

    /// Streams every data row through `validator`, calling `merge` with each chunk's result in
    /// file order. Quarantine entries arrive with absolute lines (the header is line 1); row lines
    /// a validator kept are relative to `firstLine`.
    ///
    /// With `overlap`, the next block is read and parsed on a background thread while `merge`
    /// runs for the current one, so the merging stage (the rules engine) runs alongside parsing.
    /// The merge must then not keep pointers into the block: events and medications copy what
    /// they keep; patients read ids and records from the block, so they do not overlap.
    func readRows<V: RowValidator>(
        validator: V, tokenizer: TokenizerKind, threads: Int, overlap: Bool, report: inout TableReport,
        progress: (Int64) -> Void,
        merge: (inout ChunkResult<V.Rows>, _ firstLine: Int, _ block: UnsafeRawBufferPointer) throws(StratifyError) -> Void
    ) throws(StratifyError) {
        var line = 2
        let first = pending
        pending = nil
        // Row buffers are reused from block to block: allocating fresh multi-megabyte columns per
        // chunk made the allocator map and unmap pages constantly (system time > user time).
        var pool: [V.Rows] = []
        func seeds() -> [V.Rows] { (0..<(threads * 2)).map { _ in pool.popLast() ?? validator.makeRows() } }
        let parser = BlockParser(input: self, validator: validator, tokenizer: tokenizer, threads: threads)
        var current = first.map { parser.parse($0, from: dataOffset, seeds: seeds()) }
        var bytesSoFar = file.bytesRead
        while var block = current {
            // SIGTERM/SIGINT/SIGHUP end a long read between blocks (Interruption).
            try Interruption.check()
            var next: ParsedBlock<V.Rows>?
            if overlap {
                // Seeds are taken here, before the job starts: the pool is only touched on this thread.
                let nextSeeds = seeds()
                let job = BackgroundJob { () throws(StratifyError) in try parser.readAndParse(seeds: nextSeeds) }
                job.start()
                var mergeError: StratifyError?
                do { try mergeBlock(&block, line: &line, report: &report, merge) } catch { mergeError = error }
                let result = job.wait()
                if let mergeError { throw mergeError }
                next = try result.get()
            } else {
                try mergeBlock(&block, line: &line, report: &report, merge)
                next = try parser.readAndParse(seeds: seeds())
            }
            for k in block.results.indices {
                var spare = validator.makeRows()
                swap(&spare, &block.results[k].rows)
                validator.reset(&spare)
                pool.append(spare)
            }
            progress(bytesSoFar)
            bytesSoFar = file.bytesRead
            current = next
        }
        report.fileBytes = file.bytesRead
        report.checksum = file.checksum()
        report.checksumKind = file.checksumKind
        report.unknownColumns = header.unknownColumns
    }

    private func mergeBlock<R>(
        _ block: inout ParsedBlock<R>, line: inout Int, report: inout TableReport,
        _ merge: (inout ChunkResult<R>, Int, UnsafeRawBufferPointer) throws(StratifyError) -> Void
    ) throws(StratifyError) {
        for i in block.results.indices {
            for k in block.results[i].quarantine.indices { block.results[i].quarantine[k].line += line }
            try merge(&block.results[i], line, block.bytes)
            count(block.results[i], into: &report)
            line += block.results[i].lineFeeds
        }
    }

    private func count<R>(_ r: ChunkResult<R>, into report: inout TableReport) {
        report.rowsRead += r.records
        for q in r.quarantine { report.quarantinedByReason[q.reason, default: 0] += 1 }
    }
}
