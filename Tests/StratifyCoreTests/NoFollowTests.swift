import Foundation
import StratifyCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Files are created without following links planted where they are written (issue 12, item 4).
@Suite struct NoFollowTests {
    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nofollow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aLinkPlantedAtTheTemporaryNameIsReplacedNotWrittenThrough() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let victim = dir.appendingPathComponent("victim")
        try Data("keep".utf8).write(to: victim)
        let target = dir.appendingPathComponent("latest").path
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent(".latest.tmp-\(getpid())").path,
                                                   withDestinationPath: victim.path)
        try OutputFile.write(Array("run\n".utf8), to: target, patientLevel: false)
        #expect(try Data(contentsOf: victim) == Data("keep".utf8))
        #expect(FileSystem.entryKind(target) == .file)
        #expect(try FileSystem.readRegularFile(target) == Array("run\n".utf8))
    }

    @Test func aLinkAtTheTargetIsReplacedByTheNewFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let victim = dir.appendingPathComponent("victim")
        try Data("keep".utf8).write(to: victim)
        let target = dir.appendingPathComponent("latest").path
        try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: victim.path)
        try OutputFile.write(Array("run\n".utf8), to: target, patientLevel: false)
        #expect(try Data(contentsOf: victim) == Data("keep".utf8))
        #expect(FileSystem.entryKind(target) == .file)
    }

    @Test func readingARegularFileRefusesALink() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let link = dir.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/etc/hostname")
        #expect(throws: StratifyError.self) { try FileSystem.readRegularFile(link) }
    }

    @Test func groupWriteAnywhereUnderAFolderIsFound() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(chmod(dir.path, 0o755) == 0)
        let sub = dir.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let file = sub.appendingPathComponent("list.csv")
        try Data("x".utf8).write(to: file)
        #expect(chmod(file.path, 0o644) == 0)
        #expect(FileSystem.firstWritableByOthers(under: dir.path) == nil)
        #expect(chmod(file.path, 0o664) == 0)
        #expect(FileSystem.firstWritableByOthers(under: dir.path) == file.path)
    }
}
