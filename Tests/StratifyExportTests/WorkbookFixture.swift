import Foundation
import StratifyCore
import StratifyExport

/// A small cohort workbook with one of every kind of cell, shared by the workbook suites.
enum WorkbookFixture {
    static let asOf = Day(iso: "2025-03-31")!

    static let readMe = [
        "Cohorts for the North neighbourhood, as of 2025-03-31.",
        "",
        "Rows are ordered by priority (P1 first), then by score.",
        "=SUM(A1:A9) stays text in a workbook.",
    ]

    static let header = ["nhs_number", "practice_code", "age", "score", "on_register", "last_review", "reasons"]

    static let rows: [[XLSXCell]] = [
        [.nhsNumber(9_991_364_315), .text("A81001"), .integer(81), .number(0.69), .bool(true), .date(asOf), .text("=1+2")],
        [.nhsNumber(123_456_789), .text("0123"), .integer(7), .number(-1.5), .bool(false), .empty, .text("'=HYPERLINK(\"x\")")],
        [.nhsNumber(0), .text("  padded "), .integer(-3), .number(.nan), .bool(true), .date(Day(iso: "1899-06-01")!),
         .text("bell\u{07}, tab\t, CRLF\r\nline, _x0041_ & <b>\"q\"</b>")],
    ]

    static func book() throws -> XLSXWorkbook {
        var book = XLSXWorkbook()
        try book.addTextSheet(name: "Read me", title: "About this workbook", lines: readMe)
        try book.addSheet(name: "Frailty P1", header: header, rows: rows)
        try book.addSheet(name: "Leavers", header: ["nhs_number", "why"], rows: [[.nhsNumber(9_434_765_919), .text("died")]])
        return book
    }

    /// A fresh folder under the system temporary folder, removed by the caller.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// The repository root, found from this file's path (Tests/StratifyExportTests/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The full path of `command` on PATH, if it is there and executable.
    static func which(_ command: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(command)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether scripts/check-xlsx-calc can run: LibreOffice and the system Python's UNO bridge.
    static let calcAvailable: Bool = {
        guard which("soffice") != nil, FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return false }
        return (try? run("/usr/bin/python3", ["-c", "import uno"]).status) == 0
    }()

    /// Runs a program to completion and returns its exit status, standard output and error.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
        -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting, so a full stdout pipe cannot stall the child (the tools run here
        // write little to stderr, so reading it second cannot stall either).
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
    }
}
