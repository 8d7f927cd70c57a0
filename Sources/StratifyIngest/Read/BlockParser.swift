import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// A block's parsed chunks, in order, each complete: records cut by a chunk or block boundary
/// have already been re-parsed or carried to the next block.
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

    func readAndParse(seeds: [V.Rows]) throws(StratifyError) -> ParsedBlock<V.Rows>? {
        guard let block = try input.reader.next() else { return nil }
        return parse(block, from: 0, seeds: seeds)
    }

    func parse(_ b: BlockReader.Block, from offset: Int, seeds: [V.Rows]) -> ParsedBlock<V.Rows> {
        let bytes = b.bytes
        let expected = input.header.fieldCount
        let ranges = splitAtLineFeeds(bytes, from: offset, to: bytes.count, parts: threads * 2, minimum: 1 << 18)
        var seeds = seeds
        while seeds.count < ranges.count { seeds.append(validator.makeRows()) }
        if seeds.count > ranges.count { seeds.removeLast(seeds.count - ranges.count) }
        let validator = self.validator, tokenizer = self.tokenizer
        var results = parallelMap(consuming: seeds, workers: threads) { i, seed in
            parseChunk(bytes, from: ranges[i].lowerBound, to: ranges[i].upperBound,
                       final: b.final && i == ranges.count - 1, expectedFields: expected,
                       validator: validator, tokenizer: tokenizer, rows: seed)
        }
        // A record left open at a chunk's end continues in the next chunk, which therefore started
        // mid-record: drop the later chunks and parse the rest of the block again as one chunk.
        // Open at the block's end, it is carried into the next block (or, if too long to carry,
        // cut as unterminated).
        var i = 0
        while i < results.count {
            if let at = results[i].incompleteAt {
                let isLast = i == results.count - 1
                if isLast && !b.final && input.reader.keep(from: at) { break }
                results.removeSubrange((i + 1)...)
                results.append(parseChunk(bytes, from: at, to: bytes.count, final: b.final || isLast,
                                          expectedFields: expected, validator: validator, tokenizer: tokenizer,
                                          rows: validator.makeRows()))
            }
            i += 1
        }
        return ParsedBlock(bytes: bytes, results: results)
    }
}

/// Runs a throwing job on its own thread; `wait()` returns its result.
///
/// A dedicated pthread, not a Dispatch global-queue block: the job itself calls
/// `concurrentPerform`, and started from a global-queue worker that ran with less parallelism
/// (ingest got slower, not faster; BENCHMARKS.md).
final class BackgroundJob<T>: @unchecked Sendable {
    // Written once by the job before `done` is signalled, read once after: the semaphore orders them.
    private var result: Result<T, StratifyError>?
    private let done = DispatchSemaphore(value: 0)
    private let work: () throws(StratifyError) -> T
    private var thread = pthread_t()

    init(_ work: @escaping () throws(StratifyError) -> T) {
        self.work = work
    }

    /// Starts the job (separate from `init`, which the concurrency checker of Swift 6.3 crashed on
    /// when it also created the thread).
    func start() {
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, backgroundJobEntry, context)
        if rc != 0 {
            // No thread to be had: do the work here, synchronously.
            Unmanaged<AnyObject>.fromOpaque(context).release()
            run()
        } else {
            pthread_detach(thread)
        }
    }

    func run() {
        do throws(StratifyError) { result = .success(try work()) } catch { result = .failure(error) }
        done.signal()
    }

    func wait() -> Result<T, StratifyError> {
        done.wait()
        return result!
    }
}

/// Type-erased so the C entry point needs no generic context.
protocol RunnableJob: AnyObject { func run() }
extension BackgroundJob: RunnableJob {}

private func backgroundJobEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let job = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! RunnableJob
    job.run()
    return nil
}
