import CZlib

// Test-only: the pointer code of the tests' ZIP reader, which inflates entries through zlib
// (the Swift side of the independent check; scripts/check-xlsx is the other). The buffers live
// for the whole call and nothing points into them afterwards.

enum TestInflate {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Inflates a raw DEFLATE stream (windowBits -15) that must decode to exactly `size` bytes
    /// and end there.
    static func raw(_ data: [UInt8], size: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        // One spare byte, so output longer than the header's size shows up as a mismatch.
        var out = [UInt8](repeating: 0, count: size + 1)
        let rc: Int32 = data.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                stream.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
                stream.avail_in = uInt(input.count)
                stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(output.count)
                let rc = inflate(&stream, Z_FINISH)
                stream.next_in = nil
                stream.next_out = nil
                return rc
            }
        }
        guard rc == Z_STREAM_END else { throw Failure(description: "inflate stopped with code \(rc)") }
        guard stream.avail_in == 0 else { throw Failure(description: "\(stream.avail_in) bytes after the end of the deflate stream") }
        guard Int(stream.total_out) == size else {
            throw Failure(description: "inflated to \(stream.total_out) bytes, header says \(size)")
        }
        return Array(out[..<size])
    }
}
