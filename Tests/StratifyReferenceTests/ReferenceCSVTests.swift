import Foundation
import StratifyCore
import StratifyReference
import Testing

/// Every data row of a reference CSV has the header's width: readers index rows by header
/// position, so a short row would trap and an unquoted comma would shift the values after it.
@Suite struct ReferenceCSVTests {
    func read(_ text: String) -> Result<ReferenceCSV, StratifyError> {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ref-\(UUID().uuidString).csv").path
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { return .success(try ReferenceCSV(path: path)) } catch { return .failure(error) }
    }

    @Test func quotedCommaStaysInOneField() throws {
        let csv = try read("measure,source\nreg_hyp,\"QOF HYP register, all ages\"\n").get()
        #expect(csv.rows.count == 1)
        #expect(csv.rows[0].fields == ["reg_hyp", "QOF HYP register, all ages"])
    }

    @Test func unquotedCommaIsRejectedWithLineAndWidths() {
        guard case .failure(let e) = read("measure,source\nreg_hyp,ok\nreg_ast,QOF AST register, 6+\n") else {
            Issue.record("a row wider than the header was accepted"); return
        }
        #expect(e.message.contains("line 3: 3 fields where the header has 2"))
        #expect(e.help?.contains("quote") == true)
    }

    @Test func shortRowIsRejected() {
        guard case .failure(let e) = read("a,b,c\n1,2,3\n4,5\n") else {
            Issue.record("a row narrower than the header was accepted"); return
        }
        #expect(e.message.contains("line 3: 2 fields where the header has 3"))
    }

    @Test func emptyLineIsNamedAsSuch() {
        guard case .failure(let e) = read("a,b\n1,2\n\n3,4\n") else {
            Issue.record("an empty line was accepted"); return
        }
        #expect(e.message.contains("line 3: empty line"))
    }
}
