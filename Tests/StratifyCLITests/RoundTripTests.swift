#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `synth --defects` then `ingest` of the same extract: ingest must find exactly the defects synth
/// says it injected.
struct SynthIngestRun: Sendable {
    let root: URL
    let extract: URL
    let out: URL
    let synth: CLIResult
    let ingest: CLIResult

    /// Runs synth and ingest in a new temporary folder (removed when the test process exits).
    static func make(patients: Int, seed: Int, defects: String) -> Result<SynthIngestRun, CLIError> {
        do {
            let root = try makeTemporaryDirectory("roundtrip")
            TemporaryFolders.removeAtExit(root)
            let extract = root.appendingPathComponent("extract"), out = root.appendingPathComponent("run")
            let synth = try stratify(["synth", "--patients", String(patients), "--seed", String(seed), "--defects", defects,
                                      "--out", extract.path, "--reference", Paths.reference])
            let ingest = try stratify(["ingest", extract.path, "--as-of", "2026-03-31", "--out", out.path])
            return .success(SynthIngestRun(root: root, extract: extract, out: out, synth: synth, ingest: ingest))
        } catch let e as CLIError {
            return .failure(e)
        } catch {
            return .failure(CLIError(description: "\(error)"))
        }
    }

    var synthManifest: [String: Any] { get throws { try readJSON(extract.appendingPathComponent("synth_manifest.json")) } }
    var manifest: [String: Any] { get throws { try readJSON(out.appendingPathComponent("manifest.json")) } }
}

/// Folders shared by several tests live until the test process exits.
enum TemporaryFolders {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var paths: [String] = []
    nonisolated(unsafe) private static var registered = false

    static func removeAtExit(_ url: URL) {
        lock.lock(); defer { lock.unlock() }
        paths.append(url.path)
        if !registered {
            registered = true
            atexit { TemporaryFolders.removeAll() }
        }
    }

    static func removeAll() {
        lock.lock(); defer { lock.unlock() }
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
        paths.removeAll()
    }
}

enum RoundTrip {
    /// 10,000 patients at a 0.2% defect rate: every reason occurs, and no table is over 1%.
    static let lowDefects = SynthIngestRun.make(patients: 10_000, seed: 3, defects: "0.002")
}

@Suite("CLI: synth → ingest round trip")
struct RoundTripTests {
    @Test("at --defects 0.002, ingest quarantines exactly what synth injected, and conservation holds")
    func lowDefectRate() throws {
        let run = try RoundTrip.lowDefects.get()
        #expect(run.synth.status == 0, "\(run.synth)")
        #expect(run.ingest.status == 0, "\(run.ingest)")
        let synth = try run.synthManifest, manifest = try run.manifest
        #expect(string(manifest, "status") == "succeeded")
        for t in extractTables {
            let expected = try #require(intMap(synth, "expected_quarantine", t), "synth_manifest has no expected_quarantine.\(t)")
            let found = try #require(intMap(manifest, "tables", t, "quarantined_by_reason"), "manifest has no tables.\(t)")
            #expect(found == expected, "\(t): quarantined_by_reason differs from synth's expected_quarantine")
            let read = try #require(int(manifest, "tables", t, "rows_read"))
            let accepted = try #require(int(manifest, "tables", t, "rows_accepted"))
            let quarantined = try #require(int(manifest, "tables", t, "rows_quarantined"))
            #expect(read == int(synth, "rows", t), "\(t): rows_read differs from synth's rows")
            #expect(read == accepted + quarantined, "\(t): conservation")
            #expect(quarantined == expected.values.reduce(0, +), "\(t)")
            #expect(value(manifest, "tables", t, "conservation_holds") as? Bool == true)
            #expect(value(manifest, "tables", t, "over_threshold") as? Bool == false)
            #expect(quarantined > 0, "\(t): no defects were injected, so the comparison shows nothing")
            let q = try Data(contentsOf: run.out.appendingPathComponent("quarantine/\(t).csv"))
            #expect(csvRecordCount(q) == quarantined + 1, "\(t): quarantine file should hold a header and one record per row")
        }
    }

    @Test("at --defects 0.05, ingest exits 65, publishes nothing, and keeps a failed manifest and quarantine files in out/failed")
    func highDefectRate() throws {
        let run = try SynthIngestRun.make(patients: 10_000, seed: 3, defects: "0.05").get()
        defer { try? FileManager.default.removeItem(at: run.root) }
        #expect(run.synth.status == 0, "\(run.synth)")
        #expect(run.ingest.status == 65, "\(run.ingest)")
        // The message names each table over the threshold, its share and its most frequent reason.
        #expect(run.ingest.stderr.contains("% of rows quarantined ("), "\(run.ingest)")
        #expect(run.ingest.stderr.contains(", mostly "), "\(run.ingest)")
        #expect(run.ingest.stderr.contains("(more than the 1% allowed)"), "\(run.ingest)")
        #expect(run.ingest.stderr.contains("\(run.out.path)/failed/"), "the error says where the failed run's files are")
        #expect(!FileManager.default.fileExists(atPath: run.out.appendingPathComponent("manifest.json").path),
                "a failed run publishes no manifest")
        let failed = run.out.appendingPathComponent("failed")
        let manifest = try readJSON(failed.appendingPathComponent("manifest.json")), synth = try run.synthManifest
        #expect(string(manifest, "status") == "failed")
        #expect(string(manifest, "failure")?.isEmpty == false)
        var reasonsSeen = Set<String>()
        for t in extractTables {
            reasonsSeen.formUnion((intMap(synth, "expected_quarantine", t) ?? [:]).filter { $0.value > 0 }.keys)
            #expect(value(manifest, "tables", t, "over_threshold") as? Bool == true, "\(t) should be over 1%")
            // Counting is still exact when the run fails.
            #expect(intMap(manifest, "tables", t, "quarantined_by_reason") == intMap(synth, "expected_quarantine", t), "\(t)")
            let read = int(manifest, "tables", t, "rows_read") ?? -1
            #expect(read == (int(manifest, "tables", t, "rows_accepted") ?? 0) + (int(manifest, "tables", t, "rows_quarantined") ?? 0))
            let q = failed.appendingPathComponent("quarantine/\(t).csv").path
            let size = try #require(try FileManager.default.attributesOfItem(atPath: q)[.size] as? NSNumber)
            #expect(size.intValue > 1000, "\(t): quarantine file should hold the bad rows")
            #expect(try mode(q) == 0o600, "\(t)")
        }
        // At this rate every reason occurs many times, so the exact comparison covers all of them.
        #expect(reasonsSeen.count == 8, "reasons exercised: \(reasonsSeen.sorted())")
    }

    @Test("synth extract files and quarantine files are created owner-only (0600)")
    func patientLevelFilesAreOwnerOnly() throws {
        let run = try RoundTrip.lowDefects.get()
        for t in extractTables {
            let extractFile = run.extract.appendingPathComponent("\(t).csv").path
            let quarantineFile = run.out.appendingPathComponent("quarantine/\(t).csv").path
            #expect(try mode(extractFile) == 0o600, "\(extractFile)")
            #expect(try mode(quarantineFile) == 0o600, "\(quarantineFile)")
        }
        #expect(try mode(run.out.appendingPathComponent("quarantine").path) & 0o077 == 0, "quarantine folder is open to others")
        // No temporary file is left beside the outputs.
        for dir in [run.extract, run.out, run.out.appendingPathComponent("quarantine")] {
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(!names.contains { $0.hasPrefix(".") }, "leftover files in \(dir.path): \(names)")
        }
    }

    @Test("synth and ingest print no patient_id, NHS number, date of birth or SNOMED code")
    func outputCarriesNoPatientData() throws {
        let run = try RoundTrip.lowDefects.get()
        let output = run.synth.output + run.ingest.output
        #expect(!output.isEmpty)
        let leaked = patientValuesIn(output, extract: run.extract)
        #expect(leaked.isEmpty, "values from the extract appear in the output: \(leaked.prefix(5))")
    }
}

/// Patient values of `extract` (ids, NHS numbers, dates of birth, SNOMED codes) found in `output`,
/// as "column value" for the failure message; `allowed` holds run parameters that may legitimately
/// look like one (the as-of date is a date).
func patientValuesIn(_ output: String, extract: URL, allowed: Set<String> = []) -> [String] {
    let tokens = Set(output.split { !($0.isLetter || $0.isNumber || $0 == "-") }.map(String.init))
    // Any synthetic patient id (P + 8 digits), whether or not it is in the sample below.
    let idShape = tokens.filter { $0.count == 9 && $0.hasPrefix("P") && $0.dropFirst().allSatisfy(\.isNumber) }
    var leaked = idShape.sorted().map { "patient_id shape \($0)" }
    let patients = sampleRows(extract.appendingPathComponent("patients.csv"), count: 300)
    let events = sampleRows(extract.appendingPathComponent("clinical_events.csv"), count: 400)
    if patients.count < 250 || events.count < 350 { return ["sampling found too few rows"] }
    var values: [(String, String)] = []
    for row in patients where row.count == 9 {
        values += [("patient_id", row[0]), ("nhs_number", row[1]), ("date_of_birth", row[2])]
    }
    for row in events where row.count == 4 { values.append(("snomedct_code", row[2])) }
    for (column, v) in values where !v.isEmpty && !allowed.contains(v) {
        // Whole-token matches, plus substring matches for the long identifiers.
        if tokens.contains(v) || (v.count >= 9 && output.contains(v)) { leaked.append("\(column) \(v)") }
    }
    return leaked
}

/// About `count` rows spread evenly through a CSV file (header skipped), split on commas.
func sampleRows(_ url: URL, count: Int) -> [[String]] {
    guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else { return [] }
    return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [[String]] in
        let bytes = raw.bindMemory(to: UInt8.self)
        guard let headerEnd = bytes.firstIndex(of: 0x0A) else { return [] }
        var rows: [[String]] = []
        let span = bytes.count - headerEnd - 1
        for k in 0..<count {
            // Start of the first line at or after an evenly spaced offset.
            var i = headerEnd + 1 + span * k / count
            if i > headerEnd + 1 { while i < bytes.count && bytes[i - 1] != 0x0A { i += 1 } }
            var e = i
            while e < bytes.count && bytes[e] != 0x0A { e += 1 }
            guard e > i else { continue }
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<e]), as: UTF8.self)
            rows.append(line.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        }
        return rows
    }
}

/// Records in CSV bytes: line feeds outside quoted fields (a quoted record may hold a line feed).
func csvRecordCount(_ data: Data) -> Int {
    var inQuotes = false, records = 0, pending = false
    for b in data {
        if b == 0x22 { inQuotes.toggle() }
        if b == 0x0A && !inQuotes { records += 1; pending = false } else { pending = true }
    }
    return records + (pending ? 1 : 0)
}
