import Foundation
import StratifyCore
import StratifyIngest
import StratifyPipeline
import StratifyReference
@testable import StratifySynth

enum Paths {
    /// <root>/Tests/StratifySynthTests/SynthSupport.swift → <root>
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let reference = packageRoot.appendingPathComponent("reference").path
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

func makeTemporaryDirectory(_ label: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stratify-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Reference lists as the tests read them: straight from the CSV files, independent of the
/// loader under test. Codes are the first column (code lists never quote a code).
enum ReferenceFiles {
    /// Every `.csv` under `reference/codelists/<folder>` (recursively), by path relative to codelists/.
    static func codeLists(under folder: String = "") -> [String: Set<UInt64>] {
        let root = URL(fileURLWithPath: Paths.reference).appendingPathComponent("codelists")
        let base = folder.isEmpty ? root : root.appendingPathComponent(folder)
        var out: [String: Set<UInt64>] = [:]
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return out }
        while let rel = walker.nextObject() as? String {
            guard rel.hasSuffix(".csv") else { continue }
            let name = (folder.isEmpty ? "" : folder + "/") + String(rel.dropLast(4))
            out[name] = Set(firstColumn(base.appendingPathComponent(rel)).compactMap { UInt64($0) })
        }
        return out
    }

    static func firstColumn(_ url: URL) -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            String(line.prefix { $0 != "," })
        }
    }

    /// LSOA 2011 code → IMD 2019 decile.
    static let imdDecile: [String: Int] = {
        guard let text = try? String(contentsOfFile: Paths.reference + "/imd/imd2019_lsoa11.csv", encoding: .utf8) else { return [:] }
        var out: [String: Int] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(separator: ",")
            if f.count >= 2, let d = Int(f[1]) { out[String(f[0])] = d }
        }
        return out
    }()

    static let practiceCodes = Set(firstColumn(URL(fileURLWithPath: Paths.reference + "/practices/north_central_london.csv")))
}

/// Collects what the realism tests need from an ingest pass: per patient, the distinct event
/// codes and the number of medication issues.
struct CollectingSink: ExtractSink {
    var eventCodes: [Set<UInt64>] = []
    var medicationIssues: [Int] = []
    var events = 0
    var medications = 0
    var allMedicationCodes = Set<UInt64>()

    init(patients: Int) {
        eventCodes = Array(repeating: [], count: patients)
        medicationIssues = Array(repeating: 0, count: patients)
    }

    mutating func consume(events batch: EventBatch, patients: PatientTable) {
        events += batch.count
        for i in 0..<batch.count { eventCodes[Int(batch.patient[i])].insert(batch.code[i]) }
    }

    mutating func consume(medications batch: MedicationBatch, patients: PatientTable) {
        medications += batch.count
        for i in 0..<batch.count {
            medicationIssues[Int(batch.patient[i])] += 1
            allMedicationCodes.insert(batch.code[i])
        }
    }
}

/// Quarantine entries in arrival order, per table.
struct CollectingQuarantine: QuarantineSink {
    var entries: [ExtractTable: [QuarantineEntry]] = [:]
    mutating func quarantine(_ entry: QuarantineEntry, table: ExtractTable) throws(StratifyError) {
        entries[table, default: []].append(entry)
    }
}

/// One synthetic population, generated once and read back through the ingest reader, shared by
/// the realism tests.
struct Population: Sendable {
    static let size = 10_000
    let asOf: Day
    let summary: SyntheticExtract.Summary
    let reports: [TableReport]
    let quarantined: Int
    let ages: [Int]
    let lsoas: [String?]
    let practices: [String]
    let eventCodes: [Set<UInt64>]
    let medicationIssues: [Int]
    let events: Int
    let medications: Int
    let allMedicationCodes: Set<UInt64>

    var count: Int { ages.count }

    static let shared: Result<Population, FixtureError> = {
        do throws(StratifyError) {
            let dir: URL
            do { dir = try makeTemporaryDirectory("synth-population") } catch {
                return .failure(FixtureError(description: "\(error)"))
            }
            defer { try? FileManager.default.removeItem(at: dir) }
            let options = SynthOptions(patients: size, seed: 20_260_331, outputDirectory: dir.path)
            let summary = try SyntheticExtract(options: options, reference: ReferenceData(root: Paths.reference)).write()
            let reader = try ExtractReader(directory: dir.path, options: IngestOptions(asOf: options.asOf))
            var sink = CollectingSink(patients: size + 1)
            var quarantine = CollectingQuarantine()
            let result = try reader.read(sink: &sink, quarantine: &quarantine)
            let p = result.patients
            return .success(Population(
                asOf: options.asOf, summary: summary, reports: result.tables,
                quarantined: quarantine.entries.values.map(\.count).reduce(0, +),
                ages: p.dateOfBirth.map { Day(rawValue: $0).age(on: options.asOf) },
                lsoas: p.lsoa.map { PatientTable.lsoaCode($0) },
                practices: p.practice.map { PatientTable.practiceCode($0) },
                eventCodes: Array(sink.eventCodes.prefix(p.count)),
                medicationIssues: Array(sink.medicationIssues.prefix(p.count)),
                events: sink.events, medications: sink.medications, allMedicationCodes: sink.allMedicationCodes))
        } catch {
            return .failure(FixtureError(description: "\(error.message)"))
        }
    }()

    /// Share of patients with at least one code from `codes`.
    func share(having codes: Set<UInt64>) -> Double {
        Double(eventCodes.filter { !$0.isDisjoint(with: codes) }.count) / Double(count)
    }
}
