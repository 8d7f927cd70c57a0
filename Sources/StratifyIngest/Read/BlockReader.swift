#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

/// Reads a byte source in large blocks that end on a line feed, so every block starts at the
/// beginning of a line. Bytes after the last line feed are carried to the front of the next block.
///
/// Memory is one buffer, whatever the input: records never span lines, and a line longer than the
/// buffer is over the line-length limit, so it is skipped while streaming (its first bytes and
/// its length kept for the quarantine), never held.
public final class BlockReader {
    private var source: any ByteSource
    private var storage: UnsafeMutableRawBufferPointer
    /// Bytes in `storage` that are valid.
    private var filled = 0
    /// Start of bytes not yet handed out.
    private var handedEnd = 0
    private var atEOF = false
    private var firstBlock = true
    public let maxLineBytes: Int

    /// The buffer holds at least a line at the limit and its CRLF, so a full buffer without a line
    /// feed is always an over-long line.
    public init(source: any ByteSource, blockSize: Int = 8 << 20, maxLineBytes: Int = 1 << 20) {
        self.source = source
        self.maxLineBytes = maxLineBytes
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(blockSize, maxLineBytes + 2), alignment: 64)
    }

    deinit { storage.deallocate() }

    /// A line too long for the buffer, already read past.
    public struct OverlongLine: Sendable {
        /// Its first `prefixBytes` bytes.
        public let prefix: [UInt8]
        /// Its length in bytes, line end excluded.
        public let length: Int
        /// It ended at a line feed (not at the end of the input).
        public let terminated: Bool
    }

    public static let prefixBytes = 4096

    public struct Block {
        /// Whole lines (empty for an over-long line).
        public let bytes: UnsafeRawBufferPointer
        /// The block ends where the input ends.
        public let final: Bool
        /// Set instead of `bytes` when the next line was too long for the buffer.
        public var overlong: OverlongLine? = nil
    }

    /// The next block, or nil when all input has been handed out. With `skipOverlong` false, a
    /// line too long for the buffer is reported at once (its `length` is then only what was read),
    /// without reading on to its end: for a header, which is fatal either way.
    public func next(skipOverlong: Bool = true) throws(StratifyError) -> Block? {
        // Move the carry (unconsumed tail) to the front.
        let carry = filled - handedEnd
        if carry > 0 && handedEnd > 0 {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + handedEnd, byteCount: carry)
        }
        filled = carry
        handedEnd = 0
        while true {
            while !atEOF && filled < storage.count {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[filled...]))
                if n == 0 { atEOF = true } else { filled += n }
            }
            if firstBlock {
                firstBlock = false
                if filled >= 3 && storage[0] == 0xEF && storage[1] == 0xBB && storage[2] == 0xBF {
                    storage.baseAddress!.copyMemory(from: storage.baseAddress! + 3, byteCount: filled - 3)
                    filled -= 3
                    continue
                }
            }
            break
        }
        if filled == 0 { return nil }
        if atEOF {
            handedEnd = filled
            return Block(bytes: UnsafeRawBufferPointer(rebasing: storage[0..<filled]), final: true)
        }
        // End the block after its last line feed.
        var i = filled - 1
        while i >= 0 && storage[i] != 0x0A { i -= 1 }
        if i >= 0 {
            handedEnd = i + 1
            return Block(bytes: UnsafeRawBufferPointer(rebasing: storage[0..<handedEnd]), final: false)
        }
        if !skipOverlong {
            let prefix = Array(UnsafeRawBufferPointer(rebasing: storage[0..<min(filled, BlockReader.prefixBytes)]))
            return Block(bytes: UnsafeRawBufferPointer(rebasing: storage[0..<0]), final: false,
                         overlong: OverlongLine(prefix: prefix, length: filled, terminated: false))
        }
        return try skipOverlongLine()
    }

    /// The buffer is full and holds no line feed: it starts a line longer than the limit. Reads on
    /// to that line's end, keeping only its first bytes.
    private func skipOverlongLine() throws(StratifyError) -> Block {
        var prefix = Array(UnsafeRawBufferPointer(rebasing: storage[0..<min(filled, BlockReader.prefixBytes)]))
        var length = filled
        var last = storage[filled - 1]
        let empty = UnsafeRawBufferPointer(rebasing: storage[0..<0])
        filled = 0
        handedEnd = 0
        while true {
            let n = try source.read(into: storage)
            if n == 0 {
                atEOF = true
                return Block(bytes: empty, final: true, overlong: OverlongLine(prefix: prefix, length: length, terminated: false))
            }
            let lf = memchr(storage.baseAddress!, 0x0A, n).map { storage.baseAddress!.distance(to: $0) }
            let lineBytes = lf ?? n
            if prefix.count < BlockReader.prefixBytes {
                prefix += UnsafeRawBufferPointer(rebasing: storage[0..<min(lineBytes, BlockReader.prefixBytes - prefix.count)])
            }
            if let at = lf {
                let cr = at > 0 ? storage[at - 1] == 0x0D : last == 0x0D
                length += at - (cr ? 1 : 0)
                // The rest of what was read starts the next block.
                filled = n
                handedEnd = at + 1
                return Block(bytes: empty, final: false, overlong: OverlongLine(prefix: prefix, length: length, terminated: true))
            }
            length += n
            last = storage[n - 1]
        }
    }
}
