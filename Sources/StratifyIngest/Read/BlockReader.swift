import StratifyCore

/// Reads a byte source in large blocks that end on a line feed, so every block starts at the
/// beginning of a line. Bytes after the last line feed, or any the parser hands back with
/// `keep(from:)`, are carried to the front of the next block.
///
/// Memory is one block plus the carry, whatever the file size: events stream.
public final class BlockReader {
    private var source: any ByteSource
    private var storage: UnsafeMutableRawBufferPointer
    /// Bytes in `storage` that are valid.
    private var filled = 0
    /// Start of bytes not yet handed out / carried over.
    private var handedEnd = 0
    private var atEOF = false
    private var firstBlock = true
    public let blockSize: Int
    /// A quoted field open across this many bytes is treated as unterminated (docs/ingest.md).
    public let maxCarry: Int

    public init(source: any ByteSource, blockSize: Int = 8 << 20, maxCarry: Int = 64 << 20) {
        self.source = source
        self.blockSize = blockSize
        self.maxCarry = maxCarry
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
    }

    deinit { storage.deallocate() }

    public struct Block {
        public let bytes: UnsafeRawBufferPointer
        /// The block ends where the input ends.
        public let final: Bool
    }

    /// The next block, or nil when all input has been handed out.
    public func next() throws(StratifyError) -> Block? {
        // Move the carry (unconsumed tail) to the front.
        let carry = filled - handedEnd
        if carry > 0 && handedEnd > 0 {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + handedEnd, byteCount: carry)
        }
        filled = carry
        handedEnd = 0
        while true {
            // Fill the free space.
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
            // One line longer than the whole buffer: grow and read on.
            grow()
        }
    }

    /// Hands back the bytes of the last block from `offset` on (an incomplete record); they start
    /// the next block. If the carry would exceed `maxCarry`, returns false: the caller must then
    /// treat the block as final for that record.
    public func keep(from offset: Int) -> Bool {
        if handedEnd - offset >= maxCarry { return false }
        handedEnd = offset
        if filled - handedEnd >= storage.count / 2 { grow() }
        return true
    }

    public var inputEnded: Bool { atEOF && handedEnd == filled }

    private func grow() {
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: storage.count * 2, alignment: 64)
        bigger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: filled)
        storage.deallocate()
        storage = bigger
    }
}
