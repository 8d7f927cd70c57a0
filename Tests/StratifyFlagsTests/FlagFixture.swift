import Foundation
import StratifyCore
import StratifyFlags
import StratifyIngest
import StratifyReference
import StratifyScores

/// Spec-test support: small hand-built patients in compact CSV, run through the real ingest and
/// the shipped rule set, then read back by patient and field.
///
/// Patients: `id,date_of_birth,sex[,lsoa[,ethnic[,date_of_death[,registration_start]]]]`.
/// Events: `id,date,LIST[,value]` where LIST names a reference code list (a code from it that is in
/// no other list is used) or is a literal code. Medications: `id,date,dmd/LIST`.
struct FlagFixture {
    static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()
    static let reference = try! ReferenceData(root: root + "/reference")
    static let ruleSet = try! FlagsSetupForTests.ruleSet()
    /// The v2 rule set (rules.md §12–§19).
    static let ruleSetV2 = try! RuleSetCompiler.compile(path: root + "/reference/rules/stratify-v2.rules", reference: reference)
    static let imd = try! IMDTable(path: root + "/reference/imd/imd2019_lsoa11.csv")

    /// Every code list file under codelists/, loaded once.
    static let allLists: [String: [UInt64]] = {
        var out: [String: [UInt64]] = [:]
        func walk(_ dir: String, _ prefix: String) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                let path = dir + "/" + name
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
                if isDir.boolValue { walk(path, prefix + name + "/") }
                else if name.hasSuffix(".csv") { out[prefix + String(name.dropLast(4))] = try! CodeList(name: name, path: path).codes }
            }
        }
        walk(root + "/reference/codelists", "")
        return out
    }()

    /// A code in `list` and in no other list file (so a test exercises one rule only).
    static func code(_ list: String) -> UInt64 {
        guard let codes = allLists[list] else { fatalError("no list \(list)") }
        let others = allLists.filter { $0.key != list }.values.reduce(into: Set<UInt64>()) { $0.formUnion($1) }
        return codes.first { !others.contains($0) } ?? codes[0]
    }

    /// A code with a given value in a list's extra column (e.g. MRC grade 5).
    static func code(_ list: String, column: String, value: String) -> UInt64 {
        let cl = try! CodeList(name: list, path: root + "/reference/codelists/\(list).csv")
        return cl.codes.first { cl.extras[column]?[$0] == value }!
    }

    static func expand(_ field: String) -> String {
        if field.allSatisfy(\.isNumber) { return field }
        if let hash = field.firstIndex(of: "#") {  // LIST#k → the k-th code of the list
            let list = String(field[..<hash])
            return String(allLists[list]![Int(field[field.index(after: hash)...])!])
        }
        if let eq = field.firstIndex(of: "=") {  // LIST=grade=5 → coded by an extra column value
            let list = String(field[..<eq])
            let rest = field[field.index(after: eq)...].split(separator: "=")
            return String(code(list, column: String(rest[0]), value: String(rest[1])))
        }
        return String(code(field))
    }

    static let scoreDefinitions = try! ScoreDefinitions(reference: reference)

    struct Result {
        let flags: FlagResult
        let scores: [(String, Column)]
        func value(_ patient: String, _ field: String) -> String {
            guard let p = flags.patients.index.find(Array(patient.utf8)) else { return "<no patient>" }
            guard flags.inPopulation[Int(p)] else { return "<not in population>" }
            let column: Column
            if let c = flags.column(named: field) { column = c }
            else if let s = scores.first(where: { $0.0 == field }) { column = s.1 }
            else if let a = PatientAttribute(rawValue: field) { column = flags.attributes[a]! }
            else { return "<no field \(field)>" }
            return column.text(at: Int(p))
        }
        subscript(_ patient: String, _ field: String) -> String { value(patient, field) }
    }

    static func run(asOf: String, patients: String, events: String = "", medications: String = "",
                    ruleSet: RuleSet = FlagFixture.ruleSet, scoreColumns: [(String, Column)] = []) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flagfixture-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var p = "patient_id,date_of_birth,sex,practice_code,lsoa_code,ethnic_category,date_of_death,registration_start_date\n"
        for line in patients.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            var f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            while f.count < 7 { f.append("") }
            p += "\(f[0]),\(f[1]),\(f[2]),A81001,\(f[3]),\(f[4]),\(f[5]),\(f[6])\n"
        }
        var e = "patient_id,date,snomedct_code,numeric_value\n"
        for line in events.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            e += "\(f[0]),\(f[1]),\(expand(f[2])),\(f.count > 3 ? f[3] : "")\n"
        }
        var m = "patient_id,date,dmd_code\n"
        for line in medications.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let f = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            m += "\(f[0]),\(f[1]),\(expand(f[2]))\n"
        }
        try p.write(toFile: dir + "/patients.csv", atomically: true, encoding: .utf8)
        try e.write(toFile: dir + "/clinical_events.csv", atomically: true, encoding: .utf8)
        try m.write(toFile: dir + "/medications.csv", atomically: true, encoding: .utf8)
        let d = Day(iso: asOf)!
        var options = IngestOptions(asOf: d)
        options.quarantineThreshold = 1
        let reader = try ExtractReader(directory: dir, options: options)
        var engine = FlagEngine(ruleSet: ruleSet, asOf: d)  // the given rule set (default: the shipped one)
        var q = RejectQuarantine()
        let ingest = try reader.read(sink: &engine, quarantine: &q)
        let flags = engine.finish(patients: ingest.patients, imd: imd)
        // Small rule sets written in a test have no eFI deficits: no score stage, only the score
        // columns the test hands in.
        let scored = ruleSet.values.contains { $0.name == scoreDefinitions.efiDeficits.first }
        let scores = (scored ? try ScoreStage.run(flags, scoreDefinitions) : []) + scoreColumns
        return Result(flags: try flags.completing(scores: scores), scores: scores)
    }
}

/// Fixtures must be valid input: any quarantined row is a mistake in the test.
struct RejectQuarantine: QuarantineSink {
    mutating func quarantine(_ entry: QuarantineEntry, table: ExtractTable) throws(StratifyError) {
        throw StratifyError(.inputData, "fixture row quarantined: \(table.rawValue) line \(entry.line) \(entry.reason.code) \(entry.column) \(entry.detail)")
    }
}

enum FlagsSetupForTests {
    static func ruleSet() throws -> RuleSet {
        try RuleSetCompiler.compile(path: FlagFixture.root + "/reference/rules/stratify-v1.rules", reference: FlagFixture.reference)
    }
}
