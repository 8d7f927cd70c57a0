import Foundation
import Testing

/// `synth` is a pure function of its arguments: same arguments, same bytes, whatever the thread
/// count; another seed, another extract.
@Suite("CLI: synth determinism")
struct DeterminismTests {
    static let files = ["patients.csv", "clinical_events.csv", "medications.csv", "synth_manifest.json"]

    /// One synth run into a fresh folder (removed at exit); the folder, or why it failed.
    static func synth(seed: Int, threads: Int) -> Result<URL, CLIError> {
        do {
            let root = try makeTemporaryDirectory("determinism")
            TemporaryFolders.removeAtExit(root)
            let out = root.appendingPathComponent("extract")
            let r = try stratify(["synth", "--patients", "3000", "--seed", String(seed), "--threads", String(threads),
                                  "--defects", "0.01", "--out", out.path, "--reference", Paths.reference, "--quiet"])
            guard r.status == 0 else { return .failure(CLIError(description: "synth failed: \(r)")) }
            return .success(out)
        } catch {
            return .failure(error as? CLIError ?? CLIError(description: "\(error)"))
        }
    }

    /// seed 7 on two threads, shared by the tests below.
    static let base = synth(seed: 7, threads: 2)

    static func contents(_ dir: URL) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(Set(names) == Set(files), "unexpected files in \(dir.path): \(names.sorted())")
        var out: [String: Data] = [:]
        for n in files { out[n] = try Data(contentsOf: dir.appendingPathComponent(n)) }
        return out
    }

    static func expectIdentical(_ a: URL, _ b: URL, _ what: String) throws {
        let x = try contents(a), y = try contents(b)
        for n in files {
            #expect(x[n] == y[n], "\(what): \(n) differs")
            #expect((x[n]?.count ?? 0) > 100, "\(n) is nearly empty")
        }
    }

    @Test("the same arguments twice give byte-identical files")
    func sameArgumentsTwice() throws {
        let first = try Self.base.get()
        let second = try Self.synth(seed: 7, threads: 2).get()
        try Self.expectIdentical(first, second, "seed 7 twice")
    }

    @Test("--threads 1 and --threads 2 give byte-identical files")
    func threadCountDoesNotMatter() throws {
        let two = try Self.base.get()
        let one = try Self.synth(seed: 7, threads: 1).get()
        try Self.expectIdentical(one, two, "threads 1 vs 2")
    }

    @Test("another seed gives another extract")
    func seedMatters() throws {
        let seven = try Self.contents(Self.base.get())
        let eight = try Self.contents(Self.synth(seed: 8, threads: 2).get())
        for n in ["patients.csv", "clinical_events.csv", "medications.csv"] {
            #expect(seven[n] != eight[n], "\(n) is the same for seeds 7 and 8")
        }
        // Same header and same number of patients, though.
        let header7 = seven["patients.csv"].map { String(decoding: $0.prefix(200), as: UTF8.self).split(separator: "\n").first }
        let header8 = eight["patients.csv"].map { String(decoding: $0.prefix(200), as: UTF8.self).split(separator: "\n").first }
        #expect(header7 == header8)
    }
}
