import Foundation
import StratifyCore
import StratifyReference
import Testing

/// The code-list loader rejects bad reference files with the file and line.
@Suite struct CodeListLoaderTests {
    func load(_ text: String) -> Result<CodeList, StratifyError> {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("list-\(UUID().uuidString).csv").path
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { return .success(try CodeList(name: "t", path: path)) } catch { return .failure(error) }
    }

    func message(_ text: String) -> String {
        if case .failure(let e) = load(text) { return e.message }
        return "loaded"
    }

    @Test func validListLoadsSorted() throws {
        // 38341003 (hypertensive disorder) and 73211009 (diabetes mellitus) are valid SNOMED ids.
        let list = try load("code,term\n73211009,Diabetes mellitus\n38341003,Hypertensive disorder\n").get()
        #expect(list.codes == [38341003, 73211009])
        #expect(list.contains(38341003))
        #expect(!list.contains(38341004))
    }

    @Test func nonDigitCodeNamesFileAndLine() {
        #expect(message("code,term\n38341003,a\nABC123,b\n").contains(", line 3, column 'code'"))
    }

    @Test func leadingZeroIsRejected() {
        #expect(message("code,term\n038341003,a\n").contains("line 2"))
    }

    @Test func badCheckDigitIsRejected() {
        #expect(message("code,term\n38341004,a\n").contains("line 2, column 'code': 38341004 fails the Verhoeff check digit"))
    }

    @Test func duplicateCodeIsRejectedWithBothLines() {
        #expect(message("code,term\n38341003,a\n73211009,b\n38341003,c\n").contains("line 4: code 38341003 already listed on line 2"))
    }

    @Test func emptyLineIsRejected() {
        #expect(message("code,term\n38341003,a\n\n73211009,b\n").contains("line 3: empty line"))
    }

    @Test func missingCodeColumnIsRejected() {
        #expect(message("id,term\n38341003,a\n").contains("column 'code' is missing"))
    }

    @Test func extraColumnsAreKeptPerCode() throws {
        let list = try load("code,term,grade\n38341003,a,4\n").get()
        #expect(list.extras["grade"]?[38341003] == "4")
    }

    @Test func everyShippedListLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("reference/codelists")
        var count = 0
        let walker = FileManager.default.enumerator(atPath: root.path)!
        while let rel = walker.nextObject() as? String {
            guard rel.hasSuffix(".csv") else { continue }
            _ = try CodeList(name: rel, path: root.appendingPathComponent(rel).path)
            count += 1
        }
        #expect(count > 100)
    }
}
