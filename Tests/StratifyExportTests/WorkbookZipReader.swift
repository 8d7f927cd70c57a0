/// A minimal ZIP reader for the tests, written from APPNOTE 6.3.4 rather than from ZipWriter:
/// it finds the end record, walks the central directory, checks each local header agrees with
/// its directory entry, inflates the data and checks it against a CRC-32 computed here (not by
/// zlib, which the writer uses).
struct ZipTestReader {
    struct Failure: Error, CustomStringConvertible { var description: String }

    struct Entry {
        var name: String
        var versionMadeBy: UInt16
        var versionNeeded: UInt16
        var flags: UInt16
        var method: UInt16
        var dosTime: UInt16
        var dosDate: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var externalAttributes: UInt32
        var localHeaderOffset: Int
        var contents: [UInt8]
    }

    let entries: [Entry]
    /// Bytes between the last local entry and the central directory (should be none).
    let directoryOffset: Int

    init(_ bytes: [UInt8]) throws {
        func u16(_ at: Int) throws -> UInt16 {
            guard at >= 0, at + 2 <= bytes.count else { throw Failure(description: "read past the end at \(at)") }
            return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> UInt32 {
            UInt32(try u16(at)) | UInt32(try u16(at + 2)) << 16
        }
        // The end record is the last 22 bytes when there is no archive comment, as here.
        let end = bytes.count - 22
        guard end >= 0, try u32(end) == 0x0605_4B50 else { throw Failure(description: "no end-of-central-directory record") }
        guard try u16(end + 20) == 0 else { throw Failure(description: "unexpected archive comment") }
        let count = Int(try u16(end + 10))
        guard try u16(end + 8) == count else { throw Failure(description: "entry counts disagree") }
        let directorySize = Int(try u32(end + 12))
        directoryOffset = Int(try u32(end + 16))
        guard directoryOffset + directorySize == end else { throw Failure(description: "central directory does not end at the end record") }

        var entries: [Entry] = []
        var at = directoryOffset
        for _ in 0..<count {
            guard try u32(at) == 0x0201_4B50 else { throw Failure(description: "bad central directory signature at \(at)") }
            let nameLength = Int(try u16(at + 28)), extraLength = Int(try u16(at + 30)), commentLength = Int(try u16(at + 32))
            var e = Entry(name: String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self),
                          versionMadeBy: try u16(at + 4), versionNeeded: try u16(at + 6), flags: try u16(at + 8),
                          method: try u16(at + 10), dosTime: try u16(at + 12), dosDate: try u16(at + 14),
                          crc: try u32(at + 16), compressedSize: Int(try u32(at + 20)), size: Int(try u32(at + 24)),
                          externalAttributes: try u32(at + 38), localHeaderOffset: Int(try u32(at + 42)), contents: [])
            at += 46 + nameLength + extraLength + commentLength

            let local = e.localHeaderOffset
            guard try u32(local) == 0x0403_4B50 else { throw Failure(description: "\(e.name): bad local header signature") }
            guard try u16(local + 4) == e.versionNeeded, try u16(local + 6) == e.flags, try u16(local + 8) == e.method,
                  try u16(local + 10) == e.dosTime, try u16(local + 12) == e.dosDate, try u32(local + 14) == e.crc,
                  Int(try u32(local + 18)) == e.compressedSize, Int(try u32(local + 22)) == e.size,
                  Int(try u16(local + 26)) == nameLength else {
                throw Failure(description: "\(e.name): local header disagrees with the central directory")
            }
            let localName = local + 30
            guard String(decoding: bytes[localName..<(localName + nameLength)], as: UTF8.self) == e.name else {
                throw Failure(description: "\(e.name): local header names a different file")
            }
            let dataStart = localName + nameLength + Int(try u16(local + 28))
            guard dataStart + e.compressedSize <= directoryOffset else { throw Failure(description: "\(e.name): data runs into the directory") }
            let data = Array(bytes[dataStart..<(dataStart + e.compressedSize)])
            switch e.method {
            case 0:
                guard data.count == e.size else { throw Failure(description: "\(e.name): stored sizes differ") }
                e.contents = data
            case 8:
                e.contents = try TestInflate.raw(data, size: e.size)
            default:
                throw Failure(description: "\(e.name): unexpected method \(e.method)")
            }
            guard TestCRC32.of(e.contents) == e.crc else { throw Failure(description: "\(e.name): CRC-32 does not match the data") }
            entries.append(e)
        }
        guard at == end else { throw Failure(description: "central directory size is wrong") }
        self.entries = entries
    }

    var names: [String] { entries.map(\.name) }

    subscript(name: String) -> [UInt8]? { entries.first(where: { $0.name == name })?.contents }

    func text(_ name: String) -> String? { self[name].map { String(decoding: $0, as: UTF8.self) } }
}

/// CRC-32 (reflected polynomial 0xEDB88320), bit by bit: slow, obvious, and not zlib's.
enum TestCRC32 {
    static func of(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
