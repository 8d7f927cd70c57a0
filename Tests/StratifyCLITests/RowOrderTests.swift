import Foundation
import Testing

/// `synth --order patient|date|shuffled` (issue 16): the same rows in another order, fixed by the
/// seed, and the pipeline's results do not depend on the order.
@Suite("CLI: synth row orders")
struct RowOrderTests {
    static let tables = ["clinical_events.csv", "medications.csv"]

    /// 2,000 patients with 0.2% defective rows (so the defects' unparseable dates are ordered
    /// too), seed 9, in `order` (nil: no --order), written into a fresh folder.
    static func synth(_ order: String?, threads: Int = 2, extra: [String] = []) -> Result<URL, CLIError> {
        do {
            let root = try makeTemporaryDirectory("row-order")
            TemporaryFolders.removeAtExit(root)
            let out = root.appendingPathComponent("extract")
            let r = try stratify(["synth", "--patients", "2000", "--seed", "9", "--defects", "0.002", "--list-size", "700",
                                  "--threads", String(threads), "--out", out.path, "--reference", Paths.reference, "--quiet"]
                                 + (order.map { ["--order", $0] } ?? []) + extra)
            guard r.status == 0 else { return .failure(CLIError(description: "synth failed: \(r)")) }
            return .success(out)
        } catch {
            return .failure(error as? CLIError ?? CLIError(description: "\(error)"))
        }
    }

    static let patient = synth("patient")
    static let date = synth("date")
    static let shuffled = synth("shuffled")

    /// The file's lines (the defects include invalid UTF-8, so bytes are decoded line by line,
    /// invalid bytes replaced).
    static func lines(_ dir: URL, _ name: String) throws -> [Substring] {
        let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(name)))
        return bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring(String(decoding: $0, as: UTF8.self)) }
    }

    @Test("--order patient is the default: the same bytes without the flag")
    func patientIsDefault() throws {
        let a = try Self.patient.get(), b = try Self.synth(nil).get()
        for name in Self.tables + ["patients.csv", "synth_manifest.json"] {
            #expect(try Data(contentsOf: a.appendingPathComponent(name)) == Data(contentsOf: b.appendingPathComponent(name)), "\(name)")
        }
    }

    @Test("the same seed and order give the same bytes, whatever the thread count", arguments: ["date", "shuffled"])
    func deterministic(order: String) throws {
        let a = try (order == "date" ? Self.date : Self.shuffled).get()
        let b = try Self.synth(order, threads: 1).get()
        for name in Self.tables + ["patients.csv"] {
            #expect(try Data(contentsOf: a.appendingPathComponent(name)) == Data(contentsOf: b.appendingPathComponent(name)), "\(order): \(name)")
        }
    }

    @Test("every order holds the same multiset of lines; patients.csv is unchanged", arguments: ["date", "shuffled"])
    func sameLines(order: String) throws {
        let a = try Self.patient.get(), b = try (order == "date" ? Self.date : Self.shuffled).get()
        for name in Self.tables {
            let x = try Self.lines(a, name), y = try Self.lines(b, name)
            #expect(x.first == y.first, "\(order): \(name) header")
            #expect(x.count > 1000)
            #expect(x.sorted() == y.sorted(), "\(order): \(name) holds other lines")
            #expect(x != y, "\(order): \(name) is still in patient order")
        }
        #expect(try Data(contentsOf: a.appendingPathComponent("patients.csv")) == Data(contentsOf: b.appendingPathComponent("patients.csv")))
    }

    @Test("--order date sorts by the date column (rows whose date does not parse first)")
    func dateSorted() throws {
        let dir = try Self.date.get()
        for name in Self.tables {
            let dates = try Self.lines(dir, name).dropFirst().dropLast().map { line -> String in
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                let d = f.count > 1 ? String(f[1]) : ""
                return d.count == 10 && d.allSatisfy({ $0.isNumber || $0 == "-" }) ? d : ""
            }
            #expect(dates == dates.sorted(), "\(name) is not in date order")
            #expect(Set(dates).count > 100)
        }
    }

    @Test("the pipeline's patients.csv, prevalence and cohort files are identical in every order")
    func pipelineOutputsIdentical() throws {
        var runs: [URL] = []
        for extract in [try Self.patient.get(), try Self.date.get(), try Self.shuffled.get()] {
            let root = extract.deletingLastPathComponent().appendingPathComponent("root")
            let r = try stratify(["run", Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path,
                                  "--extract", extract.path, "--output-root", root.path, "--as-of", "2026-03-31", "--quiet"])
            #expect(r.status == 0, "run failed: \(r)")
            let id = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            runs.append(root.appendingPathComponent("runs/" + id))
        }
        let files = FileManager.default.enumerator(atPath: runs[0].path)!.compactMap { $0 as? String }
            .filter { $0 == "patients.csv" || (($0.hasPrefix("prevalence/") || $0.hasPrefix("cohorts/")) && $0.hasSuffix(".csv")) }
        #expect(files.contains("patients.csv") && files.contains("prevalence/prevalence_internal.csv"))
        #expect(files.count > 5)
        for other in runs.dropFirst() {
            for f in files {
                #expect(try Data(contentsOf: runs[0].appendingPathComponent(f)) == Data(contentsOf: other.appendingPathComponent(f)),
                        "\(f) differs in \(other.path)")
            }
        }
    }

    @Test("--events-per-patient-scale 2: each patient's rows twice, the copies on other dates")
    func eventsPerPatientScale() throws {
        let base = try Self.patient.get()
        let scaled = try Self.synth("patient", extra: ["--events-per-patient-scale", "2"]).get()
        #expect(try Data(contentsOf: base.appendingPathComponent("patients.csv")) == Data(contentsOf: scaled.appendingPathComponent("patients.csv")))
        for name in Self.tables {
            // Without defects in the way: compare the rows whose patient id is clean.
            func rows(_ dir: URL) throws -> [String: [(date: Substring, rest: Substring)]] {
                var out: [String: [(Substring, Substring)]] = [:]
                for line in try Self.lines(dir, name).dropFirst() where line.hasPrefix("P") {
                    let f = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
                    guard f.count == 3, f[1].count == 10 else { continue }
                    out[String(f[0]), default: []].append((f[1], f[2]))
                }
                return out
            }
            let a = try rows(base), b = try rows(scaled)
            var patients = 0
            for (id, original) in a where original.count > 3 {
                guard let copies = b[id] else { Issue.record("\(name): a patient lost their rows"); continue }
                // Defects may take a row or two from either extract.
                #expect(abs(copies.count - 2 * original.count) <= 4, "\(name): \(copies.count) rows for \(original.count)")
                let originalDates = Set(original.map(\.date)), allDates = Set(copies.map(\.date))
                #expect(allDates.count > originalDates.count, "\(name): the copies fell on the same dates")
                patients += 1
            }
            #expect(patients > 500)
        }
        let manifest = try readJSON(scaled.appendingPathComponent("synth_manifest.json"))
        #expect(int(manifest, "events_per_patient_scale") == 2)
    }
}
