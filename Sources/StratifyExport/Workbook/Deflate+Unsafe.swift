import CZlib
import StratifyCore

// The only pointer code of the workbook writer: zlib takes C buffers. Each function hands zlib
// buffers that live for the whole call (withUnsafeBytes / a preallocated output array) and
// copies nothing out after they end. Callers have already rejected inputs of 4 GiB or more, so
// every length fits zlib's 32-bit `uInt`.

enum Deflate {
    /// Raw DEFLATE (RFC 1951, no zlib header or Adler-32 trailer), which is what a ZIP entry with
    /// method 8 holds; `compress()` output would corrupt the entry.
    static func raw(_ input: [UInt8], level: Int32) throws(StratifyError) -> [UInt8] {
        precondition(input.count < 0xFFFF_FFFF, "caller checks the ZIP size limit first")
        var stream = z_stream()
        // windowBits -15: raw stream with a 32 KiB window; memLevel 8 is zlib's default.
        let initCode = deflateInit2_(&stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                     ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initCode == Z_OK else {
            throw StratifyError(.runFailed, "cannot initialise zlib deflate (code \(initCode))")
        }
        defer { deflateEnd(&stream) }
        // deflateBound is an upper limit for a single Z_FINISH call, so one call always completes.
        // The output is left uninitialised (zlib writes it, and only its first total_out bytes
        // are kept): zero-filling a buffer the size of the input, of which deflate uses about a
        // sixth, touched every page of it for nothing.
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var code: Int32 = Z_OK
        let output = [UInt8](unsafeUninitializedCapacity: bound) { outBuf, count in
            code = input.withUnsafeBytes { inBuf in
                // zlib's next_in is not const-qualified, but deflate never writes through it.
                stream.next_in = inBuf.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress!
                stream.avail_out = uInt(outBuf.count)
                let rc = deflate(&stream, Z_FINISH)
                // Do not let the pointers outlive the buffers.
                stream.next_in = nil
                stream.next_out = nil
                return rc
            }
            count = code == Z_STREAM_END ? Int(stream.total_out) : 0
        }
        guard code == Z_STREAM_END else {
            throw StratifyError(.runFailed, "zlib deflate did not finish (code \(code))")
        }
        return output
    }

    /// CRC-32 (ISO 3309, as ZIP uses) of the uncompressed bytes.
    static func crc32(_ input: [UInt8]) -> UInt32 {
        precondition(input.count < 0xFFFF_FFFF, "caller checks the ZIP size limit first")
        let value = input.withUnsafeBytes { buf -> uLong in
            guard let base = buf.baseAddress else { return 0 }
            return CZlib.crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(buf.count))
        }
        return UInt32(truncatingIfNeeded: value)
    }
}
