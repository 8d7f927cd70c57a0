import StratifyCore
@testable import StratifyExport
import Testing

/// ZipWriter's archive structure, read back by the tests' own reader.
@Suite struct WorkbookZipTests {
    /// Enough repetition that DEFLATE visibly shrinks it, and some bytes of every value.
    let text = Array(String(repeating: "<row r=\"1\"><c t=\"inlineStr\"><is><t>999 136 4315</t></is></c></row>\n", count: 200).utf8)
    let binary = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }

    func archive(_ method: ZipWriter.Method = .deflated) throws -> [UInt8] {
        var zip = ZipWriter(method: method)
        try zip.add("[Content_Types].xml", text)
        try zip.add("xl/worksheets/sheet1.xml", binary)
        try zip.add("empty.xml", [])
        return try zip.finish()
    }

    @Test func entriesReadBackWithTheirNamesAndContentsInOrder() throws {
        let zip = try ZipTestReader(archive())
        #expect(zip.names == ["[Content_Types].xml", "xl/worksheets/sheet1.xml", "empty.xml"])
        #expect(zip["[Content_Types].xml"] == text)
        #expect(zip["xl/worksheets/sheet1.xml"] == binary)
        #expect(zip["empty.xml"] == [])
    }

    @Test func crcsMatchAnIndependentCRC32() throws {
        let zip = try ZipTestReader(archive())
        // The reader already rejects a mismatch; check the known value of the standard check string too.
        #expect(TestCRC32.of(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Deflate.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(zip.entries.map(\.crc) == [TestCRC32.of(text), TestCRC32.of(binary), 0])
    }

    @Test func deflatedEntriesUseMethod8AndAreSmaller() throws {
        let zip = try ZipTestReader(archive())
        let entry = try #require(zip.entries.first)
        #expect(entry.method == 8)
        #expect(entry.versionNeeded == 20)
        #expect(entry.compressedSize < entry.size / 10)
    }

    @Test func storedEntriesUseMethod0AndHoldTheBytes() throws {
        let zip = try ZipTestReader(archive(.stored))
        #expect(zip.entries.allSatisfy { $0.method == 0 && $0.compressedSize == $0.size && $0.versionNeeded == 10 })
        #expect(zip["xl/worksheets/sheet1.xml"] == binary)
    }

    @Test func everyEntryIsStampedWithTheDOSEpochAndNoHostAttributes() throws {
        let zip = try ZipTestReader(archive())
        for e in zip.entries {
            #expect(e.dosDate == 0x0021, "1980-01-01")
            #expect(e.dosTime == 0)
            #expect(e.externalAttributes == 0)
            #expect(e.versionMadeBy == 20)
            #expect(e.flags == 0)
        }
    }

    @Test func theCentralDirectoryFollowsTheLastEntry() throws {
        let bytes = try archive()
        let zip = try ZipTestReader(bytes)
        let last = try #require(zip.entries.last)
        #expect(zip.directoryOffset == last.localHeaderOffset + 30 + last.name.utf8.count + last.compressedSize)
        #expect(zip.entries.first?.localHeaderOffset == 0)
    }

    @Test func sameEntriesGiveTheSameBytes() throws {
        #expect(try archive() == archive())
        #expect(try archive(.stored) == archive(.stored))
    }

    @Test func aStoredArchiveMatchesItsGoldenBytes() throws {
        var zip = ZipWriter(method: .stored)
        try zip.add("a.txt", Array("hi".utf8))
        let bytes = try zip.finish()
        let crc: [UInt8] = [0xAC, 0x2A, 0x93, 0xD8] // crc32("hi") = 0xD8932AAC (Python zlib.crc32)
        let local: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 10, 0, 0, 0, 0, 0, 0, 0, 0x21, 0] + crc + [2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0]
            + Array("a.txt".utf8) + Array("hi".utf8)
        let central: [UInt8] = [0x50, 0x4B, 0x01, 0x02, 20, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0x21, 0] + crc
            + [2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + Array("a.txt".utf8)
        let endRecord: [UInt8] = [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, UInt8(central.count), 0, 0, 0,
                                  UInt8(local.count), 0, 0, 0, 0, 0]
        #expect(bytes == local + central + endRecord)
    }

    @Test func aNonASCIINameSetsTheUTF8Flag() throws {
        var zip = ZipWriter()
        try zip.add("café.xml", [1, 2, 3])
        let reader = try ZipTestReader(zip.finish())
        #expect(reader.entries.first?.flags == 0x0800)
        #expect(reader.names == ["café.xml"])
    }

    @Test func aRepeatedNameIsRejectedIgnoringCase() throws {
        var zip = ZipWriter()
        try zip.add("xl/workbook.xml", [])
        #expect(throws: StratifyError.self) { try zip.add("XL/Workbook.xml", []) }
        #expect(zip.count == 1)
    }

    @Test(arguments: ["", "/xl/workbook.xml", "xl\\workbook.xml", "xl//a.xml", "../a.xml", "xl/./a.xml", "xl/"])
    func anInvalidNameIsRejected(name: String) {
        var zip = ZipWriter()
        #expect(throws: StratifyError.self) { try zip.add(name, []) }
    }

    @Test func anEntryAtTheSizeLimitFailsClearly() throws {
        var zip = ZipWriter(method: .stored, limit: 100)
        try zip.add("small", [UInt8](repeating: 1, count: 10))
        let error = try #require(throws: StratifyError.self) { try zip.add("big", [UInt8](repeating: 1, count: 100)) }
        #expect(error.message.contains("4 GiB"))
        #expect(error.message.contains("'big'"))
    }

    @Test func anArchiveGrowingPastTheLimitFailsClearly() throws {
        var zip = ZipWriter(method: .stored, limit: 100)
        try zip.add("a", [UInt8](repeating: 1, count: 40))
        // Each entry alone fits; together with headers they pass the limit.
        #expect(throws: StratifyError.self) { try zip.add("b", [UInt8](repeating: 1, count: 40)) }
    }

    @Test func aCentralDirectoryPastTheLimitFailsClearly() throws {
        var zip = ZipWriter(method: .stored, limit: 100)
        try zip.add("a", [UInt8](repeating: 1, count: 40))
        #expect(throws: StratifyError.self) { try zip.finish() }
    }

    @Test func theEntryCountStopsBelowTheZIP64Marker() throws {
        var zip = ZipWriter(method: .stored)
        for i in 0..<0xFFFE { try zip.add("\(i)", []) }
        #expect(throws: StratifyError.self) { try zip.add("one-more", []) }
        let reader = try ZipTestReader(zip.finish())
        #expect(reader.entries.count == 0xFFFE)
    }
}
