import Foundation
import Testing

/// Cohort files, leavers and workbooks as an INT lead receives them (issue 13), from two runs over
/// the golden pipeline extract: between them one member leaves the extract, one dies, and the
/// cohort's condition narrows so that others no longer meet it.
@Suite(.serialized) struct CohortFilesTests {
    static let extract = Paths.golden.appendingPathComponent("pipeline-extract")

    struct TwoRuns {
        var dir: URL
        var first: URL
        var second: URL
        var left: [String]   // patient_id, nhs_number of the member removed from the extract
        var died: String     // patient_id
        var narrowed: String // patient_id of a member aged 60-69
    }

    /// CSV rows as cells (quoted fields; the files' own quoting), header first, BOM dropped.
    static func rows(_ url: URL) throws -> [[String]] {
        let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: ["\u{FEFF}"])
        return text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { line in
            var cells: [String] = [], cell = "", quoted = false
            var chars = Array(line)[...]
            while let c = chars.popFirst() {
                if quoted {
                    if c == "\"" { if chars.first == "\"" { cell.append("\""); chars.removeFirst() } else { quoted = false } } else { cell.append(c) }
                } else if c == "\"" { quoted = true } else if c == "," { cells.append(cell); cell = "" } else { cell.append(c) }
            }
            return cells + [cell]
        }
    }

    static func pipeline(_ dir: URL, name: String, minimumAge: Int) throws -> String {
        let p: [String: Any] = [
            "name": "leavers", "extract": extract.path, "as_of": "2026-03-31", "reference": Paths.reference,
            "labels": Paths.packageRoot.appendingPathComponent("pipelines/cohort-labels.json").path,
            "output_root": dir.appendingPathComponent("root").path, "outputs": ["cohorts"],
            "cohorts": [["name": "older", "description": "Older people", "where": "age >= \(minimumAge)",
                         "reasons": [["label": "aged 60 or over", "where": "age >= 60"], ["label": "aged 70 or over", "where": "age >= 70"]],
                         "key_values": ["efi_category"]]],
        ]
        let url = dir.appendingPathComponent(name)
        try JSONSerialization.data(withJSONObject: p).write(to: url)
        return url.path
    }

    static func latest(_ dir: URL) throws -> URL {
        let root = dir.appendingPathComponent("root")
        let id = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return root.appendingPathComponent("runs/\(id)")
    }

    /// Writes the second extract: `gone` removed (with their events and medications), `dead` died
    /// in January.
    static func secondExtract(_ dir: URL, gone: String, dead: String) throws -> URL {
        let out = dir.appendingPathComponent("extract-2")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for table in ["patients", "clinical_events", "medications"] {
            let lines = try String(contentsOf: extract.appendingPathComponent("\(table).csv"), encoding: .utf8)
                .components(separatedBy: "\n")
            let kept = lines.filter { !$0.hasPrefix(gone + ",") }.map { line -> String in
                guard table == "patients", line.hasPrefix(dead + ",") else { return line }
                var f = line.components(separatedBy: ",")
                f[4] = "2026-01-15"  // date_of_death
                return f.joined(separator: ",")
            }
            try kept.joined(separator: "\n").write(to: out.appendingPathComponent("\(table).csv"), atomically: true, encoding: .utf8)
        }
        return out
    }

    static func twoRuns(_ dir: URL) throws -> TwoRuns {
        let r1 = try stratify(["run", try pipeline(dir, name: "p1.json", minimumAge: 60), "--quiet"])
        guard r1.status == 0 else { throw CLIError(description: "first run: \(r1)") }
        let first = try latest(dir)
        let members = try rows(first.appendingPathComponent("cohorts/older.csv"))
        let header = members[0]
        let id = header.firstIndex(of: "patient_id")!, age = header.firstIndex(of: "age")!, nhs = header.firstIndex(of: "nhs_number")!
        let seventy = members.dropFirst().filter { Int($0[age])! >= 70 }
        // Under 69, so still under 70 a month later.
        let sixties = members.dropFirst().filter { Int($0[age])! < 69 }
        let gone = seventy[0], dead = seventy[1]
        sleep(1)  // run ids have one-second resolution
        // A month later: a run is compared with the run of the greatest earlier as-of date.
        let r2 = try stratify(["run", try pipeline(dir, name: "p2.json", minimumAge: 70), "--quiet", "--as-of", "2026-04-30",
                               "--extract", try secondExtract(dir, gone: gone[id], dead: dead[id]).path])
        guard r2.status == 0 else { throw CLIError(description: "second run: \(r2)") }
        return TwoRuns(dir: dir, first: first, second: try latest(dir), left: [gone[id], gone[nhs]], died: dead[id], narrowed: sixties[0][id])
    }

    @Test func nhsNumberIsInDisplayFormAndPracticeNameIsBesideItsCode() throws {
        try withTemporaryDirectory("cohort-files") { dir in
            let r = try stratify(["run", try Self.pipeline(dir, name: "p.json", minimumAge: 60), "--quiet"])
            #expect(r.status == 0, "\(r)")
            let rows = try Self.rows(try Self.latest(dir).appendingPathComponent("cohorts/older.csv"))
            #expect(Array(rows[0].prefix(6)) == ["nhs_number", "patient_id", "practice_code", "practice_name", "pcn", "neighbourhood"])
            #expect(rows.count > 10)
            for row in rows.dropFirst() {
                #expect(row[0].range(of: #"^\d{3} \d{3} \d{4}$"#, options: .regularExpression) != nil, "NHS number \(row[0])")
                #expect(!row[3].isEmpty, "practice \(row[2]) has no name")
            }
            #expect(Set(rows[0]).count == rows[0].count, "a column is named twice")
        }
    }

    /// The shipped demo pipeline on the golden extract: a Core20PLUS cohort says, for every
    /// patient, whether they are in it through Core20 or which PLUS group; SMI rows say which
    /// checks are missing.
    @Test func core20PlusRowsSayCore20OrWhichPlusGroup() throws {
        try withTemporaryDirectory("cohort-plus") { dir in
            let r = try stratify(["run", Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path, "--extract", Self.extract.path,
                                  "--output-root", dir.appendingPathComponent("root").path, "--as-of", "2026-03-31", "--quiet"],
                                 in: Paths.packageRoot)
            #expect(r.status == 0, "\(r)")
            let run = try Self.latest(dir)
            let rows = try Self.rows(run.appendingPathComponent("cohorts/cancer-screening-core20.csv"))
            let reasons = try #require(rows[0].firstIndex(of: "reasons")), core20 = try #require(rows[0].firstIndex(of: "core20"))
            #expect(rows.count > 1)
            for row in rows.dropFirst() {
                let words = row[reasons]
                #expect(words.contains("Core20: ") == (row[core20] == "true"), "\(words)")
                if row[core20] != "true" { #expect(words.contains("PLUS: "), "\(words)") }
            }
            let smi = try Self.rows(run.appendingPathComponent("cohorts/smi-health-check-due.csv"))
            let details = try #require(smi[0].firstIndex(of: "details"))
            #expect(smi.dropFirst().allSatisfy { $0[details].hasPrefix("missing: ") })
        }
    }

    @Test func manifestNamesItsRunAndPipeline() throws {
        try withTemporaryDirectory("cohort-manifest") { dir in
            let r = try stratify(["run", try Self.pipeline(dir, name: "p.json", minimumAge: 60), "--quiet"])
            #expect(r.status == 0, "\(r)")
            let run = try Self.latest(dir)
            let manifest = try readJSON(run.appendingPathComponent("manifest.json"))
            #expect(string(manifest, "run_id") == run.lastPathComponent)
            #expect(string(manifest, "pipeline") == "leavers")
        }
    }

    @Test func leaversSayWhoLeftFromWhereAndWhy() throws {
        try withTemporaryDirectory("cohort-leavers") { dir in
            let runs = try Self.twoRuns(dir)
            let leavers = try Self.rows(runs.second.appendingPathComponent("cohorts/older_leavers.csv"))
            let h = leavers[0]
            #expect(h == ["nhs_number", "patient_id", "practice_code", "practice_name", "pcn", "neighbourhood",
                          "left_because", "reasons_before", "reasons_now", "details_now", "status"])
            func row(_ id: String) -> [String: String]? {
                leavers.first { $0[1] == id }.map { Dictionary(uniqueKeysWithValues: zip(h, $0)) }
            }
            let gone = try #require(row(runs.left[0]))
            #expect(gone["left_because"] == "left the practice (no longer in the extract)")
            // Not in the extract any more: who and where come from the history.
            #expect(gone["nhs_number"] == runs.left[1] && gone["practice_name"]?.isEmpty == false)
            #expect(gone["reasons_before"] == "aged 60 or over; aged 70 or over")
            #expect(row(runs.died)?["left_because"] == "died")
            let narrowed = try #require(row(runs.narrowed))
            #expect(narrowed["left_because"] == "no longer meets the criteria")
            #expect(narrowed["reasons_before"] == "aged 60 or over" && narrowed["reasons_now"] == "aged 60 or over")
        }
    }

    @Test func eachNeighbourhoodHasItsLeaversBesideItsCohortFile() throws {
        try withTemporaryDirectory("cohort-leavers-team") { dir in
            let runs = try Self.twoRuns(dir)
            let all = try Self.rows(runs.second.appendingPathComponent("cohorts/older_leavers.csv"))
            let gone = try #require(all.first { $0[1] == runs.left[0] })
            let folder = runs.second.appendingPathComponent("cohorts/\(gone[5])")
            let team = try Self.rows(folder.appendingPathComponent("older_leavers.csv"))
            #expect(team.contains { $0[1] == runs.left[0] })
            #expect(team.dropFirst().allSatisfy { $0[5] == gone[5] })
            #expect(try mode(folder.appendingPathComponent("older_leavers.csv").path) == 0o600)
        }
    }
}

/// The neighbourhood workbook read back by scripts/check-xlsx (Python's standard library only).
@Suite(.enabled(if: Paths.hasPython3, "python3 is not on PATH, so the independent reader cannot run"))
struct CohortWorkbookCLITests {
    struct Sheet { var name: String; var rows: [[Any]] }

    static func read(_ path: String) throws -> [Sheet] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Paths.packageRoot.appendingPathComponent("scripts/check-xlsx").path, "--json", path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError(description: "check-xlsx: \(problems)") }
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (json["sheets"] as! [[String: Any]]).map { Sheet(name: $0["name"] as! String, rows: $0["rows"] as! [[Any]]) }
    }

    @Test func workbookHasReadMeCohortAndLeaversSheetsWithTextNHSNumbers() throws {
        try withTemporaryDirectory("cohort-workbook") { dir in
            let runs = try CohortFilesTests.twoRuns(dir)
            // A neighbourhood with members this run, and the one the removed patient left.
            let members = try CohortFilesTests.rows(runs.second.appendingPathComponent("cohorts/older.csv"))
            let team = members[1][5]
            let all = try CohortFilesTests.rows(runs.second.appendingPathComponent("cohorts/older_leavers.csv"))
            let leaverTeam = try #require(all.first { $0[1] == runs.left[0] })[5]
            func workbook(_ t: String) -> String { runs.second.appendingPathComponent("cohorts/\(t)/\(t) cohorts.xlsx").path }
            #expect(try mode(workbook(team)) == 0o600)
            let sheets = try Self.read(workbook(team))
            #expect(sheets.map(\.name) == ["Read me", "older", "Leavers"])
            let readMe = sheets[0].rows.compactMap { $0.first as? String }
            #expect(readMe.contains { $0.contains("as of 2026-04-30") })
            #expect(readMe.contains { $0.hasPrefix("older (") && $0.contains("Older people") })
            #expect(readMe.contains { $0.hasPrefix("P1:") } && readMe.contains { $0.hasPrefix("red:") })
            #expect(sheets[1].rows.count > 1, "the cohort sheet is empty")
            for sheet in sheets.dropFirst() {
                let header = sheet.rows[0].map { $0 as? String ?? "" }
                #expect(Set(header).count == header.count, "\(sheet.name): a column is named twice")
                let nhs = try #require(header.firstIndex(of: "nhs_number"))
                let name = try #require(header.firstIndex(of: "practice_name"))
                for row in sheet.rows.dropFirst() {
                    let number = row[nhs] as? String
                    #expect(number?.range(of: #"^\d{3} \d{3} \d{4}$"#, options: .regularExpression) != nil, "\(sheet.name): NHS number is not text")
                    #expect((row[name] as? String)?.isEmpty == false, "\(sheet.name): no practice name")
                }
            }
            let leavers = try Self.read(workbook(leaverTeam))[2]
            #expect(leavers.rows.dropFirst().contains { ($0[2] as? String) == runs.left[0] && ($0[7] as? String)?.hasPrefix("left the practice") == true })
        }
    }
}

/// LibreOffice Calc, headless, converting the neighbourhood workbook's sheets to CSV with text
/// cells quoted: NHS numbers and practice names come out quoted (text cells), ages unquoted.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PATH"].map { p in
    p.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/soffice") } } ?? false,
    "LibreOffice (soffice) is not installed"))
struct CohortWorkbookLibreOfficeTests {
    @Test func nhsNumbersAndPracticeNamesAreTextInLibreOffice() throws {
        try withTemporaryDirectory("cohort-calc") { dir in
            let r = try stratify(["run", try CohortFilesTests.pipeline(dir, name: "p.json", minimumAge: 60), "--quiet"])
            #expect(r.status == 0, "\(r)")
            let run = try CohortFilesTests.latest(dir)
            let team = try CohortFilesTests.rows(run.appendingPathComponent("cohorts/older.csv"))[1][5]
            let book = dir.appendingPathComponent("book.xlsx")
            try FileManager.default.copyItem(at: run.appendingPathComponent("cohorts/\(team)/\(team) cohorts.xlsx"), to: book)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            // Own profile: concurrent runs would otherwise hand the job to one another's LibreOffice.
            process.arguments = ["soffice", "-env:UserInstallation=file://\(dir.path)/profile", "--headless", "--convert-to",
                                 "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,-1",
                                 "--outdir", dir.appendingPathComponent("csv").path, book.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let older = try String(contentsOf: dir.appendingPathComponent("csv/book-older.csv"), encoding: .utf8)
            let lines = older.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("\"nhs_number\",\"patient_id\",\"practice_code\",\"practice_name\",") == true)
            #expect(lines.count > 1)
            for line in lines.dropFirst() {
                #expect(line.range(of: #"^"\d{3} \d{3} \d{4}","[^"]+","[^"]+","[^"]+","[^"]+","[^"]+",\d+,"#,
                                   options: .regularExpression) != nil, "not text where expected: \(line.prefix(80))")
            }
        }
    }
}
