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
    func readRows<V: RowValidator>(
        validator: V, tokenizer: TokenizerKind, threads: Int, report: inout TableReport,
        progress: (Int64) -> Void,
        merge: (inout ChunkResult<V.Rows>, _ firstLine: Int, _ block: UnsafeRawBufferPointer) throws(StratifyError) -> Void
    ) throws(StratifyError) {
        var line = 2
        var block = pending
        var offset = dataOffset
        pending = nil
        let expected = header.fieldCount
        // Row buffers are reused from block to block: allocating fresh multi-megabyte columns per
        // chunk made the allocator map and unmap pages constantly (system time > user time).
        var pool: [V.Rows] = []
        func rows() -> V.Rows { pool.popLast() ?? validator.makeRows() }
        while let b = block {
            let bytes = b.bytes
            var ranges = splitAtLineFeeds(bytes, from: offset, to: bytes.count, parts: threads * 2, minimum: 1 << 18)
            let seeds = ranges.map { _ in rows() }
            var results = parallelMap(consuming: seeds, workers: threads) { i, seed in
                parseChunk(bytes, from: ranges[i].lowerBound, to: ranges[i].upperBound,
                           final: b.final && i == ranges.count - 1, expectedFields: expected,
                           validator: validator, tokenizer: tokenizer, rows: seed)
            }
            var i = 0
            while i < results.count {
                for k in results[i].quarantine.indices { results[i].quarantine[k].line += line }
                try merge(&results[i], line, bytes)
                count(results[i], into: &report)
                line += results[i].lineFeeds
                if let at = results[i].incompleteAt {
                    let isLast = i == results.count - 1
                    if isLast && !b.final && reader.keep(from: at) { break }
                    // A quoted field crossed a chunk boundary (or is too long to carry): parse the
                    // rest of the block again as one chunk, from that record on.
                    let final = b.final || isLast
                    ranges = [at..<bytes.count]
                    results = [parseChunk(bytes, from: at, to: bytes.count, final: final, expectedFields: expected,
                                          validator: validator, tokenizer: tokenizer, rows: validator.makeRows())]
                    i = 0
                    continue
                }
                i += 1
            }
            for k in results.indices {
                var spare = validator.makeRows()
                swap(&spare, &results[k].rows)
                validator.reset(&spare)
                pool.append(spare)
            }
            progress(file.bytesRead)
            block = try reader.next()
            offset = 0
        }
        report.fileBytes = file.bytesRead
        report.checksum = file.checksum()
        report.checksumKind = file.checksumKind
        report.unknownColumns = header.unknownColumns
    }

    private func count<R>(_ r: ChunkResult<R>, into report: inout TableReport) {
        report.rowsRead += r.records
        for q in r.quarantine { report.quarantinedByReason[q.reason, default: 0] += 1 }
    }
}
