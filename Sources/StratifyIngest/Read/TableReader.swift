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
    /// Every quarantined row, by reason and by column (exact, whatever the quarantine cap).
    public var quarantined = QuarantineTally()
    /// Quarantined rows not written to the quarantine file because of the cap.
    public var quarantineRowsLeftOut = 0
    /// Unknown header cells shaped like column names (the others are only counted).
    public var unknownColumns: [String] = []
    /// Unknown header cells not shown: not shaped like a column name (docs/input-contract.md).
    public var unknownColumnsNotShown = 0
    public var seconds = 0.0

    public var quarantinedByReason: [QuarantineReason: Int] { quarantined.byReason }
    public var rowsQuarantined: Int { quarantined.total }
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

    init(_ located: ExtractFiles.Located, blockSize: Int, maxLineBytes: Int, checksum: ChecksumKind) throws(StratifyError) {
        self.located = located
        file = try FileByteSource(path: located.path, checksum: checksum)
        let source: any ByteSource = located.gzip ? try GzipByteSource(file: file) : file
        reader = BlockReader(source: source, blockSize: blockSize, maxLineBytes: maxLineBytes)
        let example = located.table.columns.map(\.name).joined(separator: ",")
        guard let first = try reader.next(skipOverlong: false) else {
            throw StratifyError(.inputData, "\(located.path) is empty: expected a header line",
                                help: "the first line must name the columns, e.g. \(example)")
        }
        if let long = first.overlong {
            throw StratifyError(.inputData, "\(located.path), line 1: the first line has no line end in its first \(long.length) bytes, over the limit of \(maxLineBytes) bytes; it cannot be a header",
                                help: "the first line must name the columns, e.g. \(example)")
        }
        var r = TokenizedRecord()
        ScalarTokenizer.next(first.bytes, from: 0, into: &r)
        if r.end - r.start > maxLineBytes {
            throw StratifyError(.inputData, "\(located.path), line 1: the first line is \(r.end - r.start) bytes long, over the limit of \(maxLineBytes) bytes; it cannot be a header",
                                help: "the first line must name the columns, e.g. \(example)")
        }
        let line = UnsafeRawBufferPointer(rebasing: first.bytes[r.start..<r.end])
        if !line.contains(COMMA), let found = line.contains(0x09) ? "tab" : line.contains(0x3B) ? "semicolon" : nil {
            throw StratifyError(.inputData, "\(located.path), line 1: the file is \(found)-separated; the contract requires commas",
                                help: "export the file as comma-separated values (RFC 4180), e.g. \(example)")
        }
        guard r.status == .ok, UTF8Check.isValid(first.bytes, r.start, r.end) else {
            throw StratifyError(.inputData, "\(located.path), line 1: the header line is malformed (broken quote or invalid UTF-8)",
                                help: "the header must be a plain comma-separated list of column names")
        }
        let names = (0..<min(r.fieldCount, TokenizedRecord.maxFields)).map {
            String(decoding: r.unescaped($0, in: first.bytes), as: UTF8.self)
        }
        header = try HeaderMap(table: located.table, header: names, fieldCount: r.fieldCount, file: located.path)
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
        validator: V, tokenizer: TokenizerKind, threads: Int, limits: ChunkLimits, overlap: Bool, report: inout TableReport,
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
        let parser = BlockParser(input: self, validator: validator, tokenizer: tokenizer, threads: threads, limits: limits)
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
        report.unknownColumnsNotShown = header.unknownColumnsNotShown
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
        report.quarantined.add(r.tally)
    }
}
