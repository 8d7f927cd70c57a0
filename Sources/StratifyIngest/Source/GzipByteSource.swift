import CZlib
import StratifyCore

/// Inflates a gzip file through the system zlib. Handles multi-member files (as `cat a.gz b.gz`
/// makes) and reports a truncated or corrupt stream as bad input, naming the file.
public final class GzipByteSource: ByteSource {
    public let file: FileByteSource
    private var stream = z_stream()
    private var input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var finished = false
    private var memberOpen = false

    public init(file: FileByteSource) throws(StratifyError) {
        self.file = file
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        // 16 + MAX_WBITS: expect a gzip header and trailer.
        let rc = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        if rc != Z_OK {
            input.deallocate()
            throw StratifyError(.runFailed, "cannot initialise zlib for '\(file.path)' (code \(rc))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(StratifyError) -> Int {
        if finished { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(buffer.count)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputEnded {
                let n = try file.read(into: input)
                if n == 0 { inputEnded = true } else {
                    stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = UInt32(n)
                }
            }
            if stream.avail_in == 0 && inputEnded {
                if memberOpen { throw truncated() }
                finished = true
                break
            }
            memberOpen = true
            let rc = inflate(&stream, Z_NO_FLUSH)
            switch rc {
            case Z_STREAM_END:
                // A member ended; another may follow.
                memberOpen = false
                inflateReset(&stream)
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                if stream.avail_in == 0 && inputEnded { throw truncated() }
            default:
                throw StratifyError(.inputData,
                                    "'\(file.path)' is not a valid gzip stream (zlib code \(rc)) after \(file.bytesRead) compressed bytes",
                                    help: "re-export or re-compress the file; check it with 'gzip -t'")
            }
        }
        return buffer.count - Int(stream.avail_out)
    }

    private func truncated() -> StratifyError {
        StratifyError(.inputData, "'\(file.path)' ends in the middle of a gzip stream (truncated after \(file.bytesRead) bytes)",
                      help: "the file was cut short, e.g. by an interrupted copy; fetch it again and check it with 'gzip -t'")
    }
}
