import StratifyCore

/// A ZIP archive built in memory (PKWARE APPNOTE 6.3.4): a local header and data per entry, then
/// the central directory and the end-of-central-directory record. Enough for an Office Open XML
/// package: no ZIP64, no encryption, no data descriptors (sizes are known before each header is
/// written, because the whole entry is compressed first).
///
/// The bytes are a function of the entries alone: every entry is stamped 1980-01-01 00:00 (the DOS
/// epoch), carries no extra fields, comments or host attributes, and entries stay in the order they
/// were added. Two runs over the same parts give the same archive with the same zlib; a different
/// zlib build may compress differently, so golden files across machines should use `.stored`.
public struct ZipWriter: Sendable {
    public enum Method: Sendable, Equatable {
        /// Uncompressed (method 0): bytes independent of the zlib build.
        case stored
        /// Raw DEFLATE (method 8) at a zlib level, 1 (fastest) to 9 (smallest).
        case deflated(level: Int32)

        /// zlib's fastest level, 1. At ICB scale the neighbourhood workbooks hold some 280 MB of
        /// sheet XML; level 6 spent about 1.2 s more of the run's wall time on it for files 20%
        /// smaller (36 MB against 45 MB over 29 workbooks at 1.2M patients; docs/workbook.md).
        public static let deflated = Method.deflated(level: 1)
    }

    private struct Entry {
        var name: [UInt8]
        var flags: UInt16
        var method: UInt16
        var versionNeeded: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var offset: Int
    }

    public let method: Method
    /// Every size and offset must stay below this; 0xFFFF_FFFF itself means "see ZIP64".
    let limit: Int
    private var archive: [UInt8] = []
    private var entries: [Entry] = []
    private var namesSeen: Set<String> = []

    public init(method: Method = .deflated) {
        self.init(method: method, limit: 0xFFFF_FFFF)
    }

    /// A smaller `limit` lets tests reach the "too large" paths without 4 GiB of data.
    init(method: Method, limit: Int) {
        if case .deflated(let level) = method {
            precondition((1...9).contains(level), "zlib levels run from 1 to 9")
        }
        self.method = method
        self.limit = limit
    }

    /// The number of entries added so far.
    public var count: Int { entries.count }

    /// Adds one entry. `name` is a relative path with '/' separators (an OPC part name without its
    /// leading '/'); names must be unique, because OPC packages may not repeat a part.
    public mutating func add(_ name: String, _ contents: [UInt8]) throws(StratifyError) {
        try ZipWriter.validate(name: name)
        // OPC part names compare case-insensitively (ECMA-376 Part 2 §9.1.1.1).
        guard namesSeen.insert(name.lowercased()).inserted else {
            throw StratifyError(.runFailed, "ZIP entry '\(name)' added twice")
        }
        guard entries.count < 0xFFFE else {
            throw StratifyError(.runFailed, "a ZIP archive without ZIP64 holds at most 65,534 entries",
                                help: "write fewer parts per archive")
        }
        try checkFits(contents.count, what: "entry '\(name)'")
        let data: [UInt8]
        let methodCode: UInt16
        switch method {
        case .stored:
            data = contents
            methodCode = 0
        case .deflated(let level):
            data = try Deflate.raw(contents, level: level)
            methodCode = 8
        }
        try checkFits(data.count, what: "compressed entry '\(name)'")
        let nameBytes = Array(name.utf8)
        let offset = archive.count
        try checkFits(offset + 30 + nameBytes.count + data.count, what: "the archive")
        let entry = Entry(name: nameBytes,
                          // Bit 11: the name is UTF-8. Left clear for ASCII names, as most writers do.
                          flags: nameBytes.allSatisfy { $0 < 0x80 } ? 0 : 0x0800,
                          method: methodCode,
                          versionNeeded: methodCode == 8 ? 20 : 10,
                          crc: Deflate.crc32(contents),
                          compressedSize: data.count, size: contents.count, offset: offset)
        archive.reserveCapacity(archive.count + 30 + nameBytes.count + data.count)
        append32(0x0403_4B50)
        appendCommon(entry)
        append16(0)                      // extra field length
        archive += nameBytes
        archive += data
        entries.append(entry)
    }

    /// The finished archive: the entries followed by the central directory and its end record.
    public consuming func finish() throws(StratifyError) -> [UInt8] {
        var out = self
        let directoryOffset = out.archive.count
        for e in out.entries {
            out.append32(0x0201_4B50)
            out.append16(20)             // version made by: 2.0, host 0 (MS-DOS: no Unix mode bits)
            out.appendCommon(e)
            out.append16(0)              // extra field length
            out.append16(0)              // comment length
            out.append16(0)              // disk number start
            out.append16(0)              // internal attributes
            out.append32(0)              // external attributes
            out.append32(UInt32(e.offset))
            out.archive += e.name
        }
        let directorySize = out.archive.count - directoryOffset
        try out.checkFits(directoryOffset, what: "the central directory offset")
        try out.checkFits(directoryOffset + directorySize + 22, what: "the archive")
        out.append32(0x0605_4B50)
        out.append16(0)                  // this disk
        out.append16(0)                  // disk with the central directory
        out.append16(UInt16(out.entries.count))
        out.append16(UInt16(out.entries.count))
        out.append32(UInt32(directorySize))
        out.append32(UInt32(directoryOffset))
        out.append16(0)                  // comment length
        return out.archive
    }

    /// The fields a local header and a central directory entry share, from "version needed" to
    /// "file name length".
    private mutating func appendCommon(_ e: Entry) {
        append16(e.versionNeeded)
        append16(e.flags)
        append16(e.method)
        append16(ZipWriter.dosTime)
        append16(ZipWriter.dosDate)
        append32(e.crc)
        append32(UInt32(e.compressedSize))
        append32(UInt32(e.size))
        append16(UInt16(e.name.count))
    }

    /// 00:00:00 on 1980-01-01: ((year - 1980) << 9) | (month << 5) | day. A fixed stamp makes the
    /// archive reproducible.
    static let dosTime: UInt16 = 0
    static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1

    private func checkFits(_ n: Int, what: String) throws(StratifyError) {
        if n >= limit {
            throw StratifyError(.runFailed, "\(what) reaches \(n) bytes, beyond the 4 GiB a ZIP archive holds without ZIP64",
                                help: "split the output into smaller workbooks (for example one per neighbourhood)")
        }
    }

    static func validate(name: String) throws(StratifyError) {
        let bytes = Array(name.utf8)
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !bytes.isEmpty, bytes.count <= 0xFFFF, bytes.first != 0x2F, !bytes.contains(0x5C), !bytes.contains(0),
              !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw StratifyError(.runFailed, "'\(name)' is not a valid ZIP entry name",
                                help: "use a relative path of non-empty '/'-separated parts, without '.', '..' or '\\'")
        }
    }

    private mutating func append16(_ v: UInt16) {
        archive.append(UInt8(truncatingIfNeeded: v))
        archive.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    private mutating func append32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { archive.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }
}
