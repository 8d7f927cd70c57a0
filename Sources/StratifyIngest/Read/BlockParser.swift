import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// A block's parsed chunks, in order. Records never span lines and blocks end at a line feed,
/// so every chunk is complete.
struct ParsedBlock<Rows: Sendable> {
    let bytes: UnsafeRawBufferPointer
    var results: [ChunkResult<Rows>]
}

/// Reads blocks and parses them in parallel chunks. Used from one thread at a time (the reader
/// thread, or the background job that reads ahead).
struct BlockParser<V: RowValidator> {
    let input: TableInput
    let validator: V
    let tokenizer: TokenizerKind
    let threads: Int
    let limits: ChunkLimits

    func readAndParse(seeds: [V.Rows]) throws(StratifyError) -> ParsedBlock<V.Rows>? {
        guard let block = try input.reader.next() else { return nil }
        return parse(block, from: 0, seeds: seeds)
    }

    func parse(_ b: BlockReader.Block, from offset: Int, seeds: [V.Rows]) -> ParsedBlock<V.Rows> {
        let bytes = b.bytes
        if let long = b.overlong {
            // One over-long line, already read past by the reader: one malformed record.
            var result = ChunkResult(rows: seeds.first ?? validator.makeRows())
            result.records = 1
            result.lineFeeds = long.terminated ? 1 : 0
            result.quarantine(QuarantineEntry(line: 0, reason: .fieldCount, column: "",
                                              detail: RowIssue.overlong(length: long.length, limit: limits.maxLineBytes).detail,
                                              record: long.prefix), keep: limits.keptEntries)
            return ParsedBlock(bytes: bytes, results: [result])
        }
        let expected = input.header.fieldCount
        let ranges = splitAtLineFeeds(bytes, from: offset, to: bytes.count, parts: threads * 2, minimum: 1 << 18)
        var seeds = seeds
        while seeds.count < ranges.count { seeds.append(validator.makeRows()) }
        if seeds.count > ranges.count { seeds.removeLast(seeds.count - ranges.count) }
        let validator = self.validator, tokenizer = self.tokenizer, limits = self.limits
        let results = parallelMap(consuming: consume seeds, workers: threads) { i, seed in
            parseChunk(bytes, from: ranges[i].lowerBound, to: ranges[i].upperBound, expectedFields: expected,
                       limits: limits, validator: validator, tokenizer: tokenizer, rows: consume seed)
        }
        return ParsedBlock(bytes: bytes, results: results)
    }
}
