import Foundation
import Testing

/// Issue 7 part 4: a sharded run (one `stratify run --shard` per group of practices, then
/// `stratify merge`) writes what one run over the whole extract writes (docs/sharding.md).
@Suite struct ShardMergeTests {
    static let pipeline = Paths.packageRoot.appendingPathComponent("pipelines/demo.json").path
    static let golden = Paths.golden.appendingPathComponent("pipeline-extract")

    /// The extract's three tables as lines (the golden extract has no quoted cells, so a line's
    /// first cell is its patient_id).
    struct Extract {
        var tables: [String: [String]] = [:]

        init(_ dir: URL) throws {
            for t in extractTables {
                tables[t] = try String(contentsOf: dir.appendingPathComponent("\(t).csv"), encoding: .utf8)
                    .split(separator: "\n").map(String.init)
            }
        }

        var practiceColumn: Int { tables["patients"]![0].split(separator: ",", omittingEmptySubsequences: false).firstIndex(of: "practice_code")! }

        func practice(ofLine line: String) -> String {
            String(line.split(separator: ",", omittingEmptySubsequences: false)[practiceColumn])
        }

        /// Moves one patient to another practice (as if they re-registered).
        mutating func move(_ patientID: String, to practice: String) {
            let column = practiceColumn
            tables["patients"] = tables["patients"]!.map { line in
                guard line.hasPrefix(patientID + ",") else { return line }
                var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                cells[column] = practice
                return cells.joined(separator: ",")
            }
        }

        func write(to dir: URL, keeping patients: Set<String>? = nil) throws {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for (t, lines) in tables {
                let kept = [lines[0]] + lines.dropFirst().filter { line in
                    patients.map { $0.contains(String(line.prefix { $0 != "," })) } ?? true
                }
                try (kept.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("\(t).csv"), atomically: true, encoding: .utf8)
            }
        }

        /// Practices dealt round-robin in code order into `n` shards; each shard gets its
        /// practices' patients and their events and medications, as per-practice GP extracts would.
        func shards(_ n: Int) -> [Set<String>] {
            let practices = Set(tables["patients"]!.dropFirst().map(practice(ofLine:))).sorted()
            var shard: [String: Int] = [:]
            for (i, p) in practices.enumerated() { shard[p] = i % n }
            var out = [Set<String>](repeating: [], count: n)
            for line in tables["patients"]!.dropFirst() {
                out[shard[practice(ofLine: line)]!].insert(String(line.prefix { $0 != "," }))
            }
            return out
        }
    }

    func latestRun(_ root: URL) throws -> URL {
        let id = try String(contentsOf: root.appendingPathComponent("latest"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return root.appendingPathComponent("runs/\(id)")
    }

    /// Every file under `folder`, relative paths.
    func files(_ folder: URL) -> [String] {
        let e = FileManager.default.enumerator(atPath: folder.path)
        var out: [String] = []
        while let p = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(p).path, isDirectory: &isDir), !isDir.boolValue {
                out.append(p)
            }
        }
        return out.sorted()
    }

    /// A manifest without the fields that legitimately differ between a sharded and an unsharded
    /// run (docs/sharding.md, "Manifest"): timings and seconds, the extract folder, per-file
    /// names, sizes and checksums, and the merged run's list of shards.
    func normalisedManifest(_ url: URL) throws -> NSDictionary {
        func strip(_ v: Any) -> Any {
            guard var d = v as? [String: Any] else { return v }
            d["seconds"] = nil
            for (k, x) in d { d[k] = strip(x) }
            return d
        }
        var m = try readJSON(url)
        // run_id names each published run (the merge is a run of its own), so it always differs.
        for k in ["timings", "shards", "extract_directory", "run_id"] { m[k] = nil }
        if var tables = m["tables"] as? [String: Any] {
            for (name, t) in tables {
                var t = t as! [String: Any]
                for k in ["file", "gzip", "bytes", "checksum_algorithm", "checksum"] { t[k] = nil }
                tables[name] = t
            }
            m["tables"] = tables
        }
        return strip(m) as! NSDictionary
    }

    /// Runs the whole extract into `root/full`, each shard into `root/shards/<k>`, merges into
    /// `root/merged`, and compares the two published runs.
    func runAndCompare(_ extract: Extract, shards: [Set<String>], asOf: String, in root: URL) throws -> (full: URL, merged: URL) {
        let whole = root.appendingPathComponent("extract-\(asOf)")
        try extract.write(to: whole)
        let full = try stratify(["run", Self.pipeline, "--extract", whole.path, "--output-root", root.appendingPathComponent("full").path,
                                 "--as-of", asOf, "--quiet"], in: Paths.packageRoot)
        #expect(full.status == 0, "\(full)")
        for (k, patients) in shards.enumerated() {
            let dir = root.appendingPathComponent("extract-\(asOf)-shard\(k)")
            try extract.write(to: dir, keeping: patients)
            let r = try stratify(["run", Self.pipeline, "--extract", dir.path, "--output-root", root.appendingPathComponent("shards/\(k)").path,
                                  "--as-of", asOf, "--shard", "\(k)", "--quiet"], in: Paths.packageRoot)
            #expect(r.status == 0, "\(r)")
        }
        let merge = try stratify(["merge", Self.pipeline, "--shards", root.appendingPathComponent("shards").path,
                                  "--output-root", root.appendingPathComponent("merged").path, "--expect", "\(shards.count)"],
                                 in: Paths.packageRoot)
        #expect(merge.status == 0, "\(merge)")
        let a = try latestRun(root.appendingPathComponent("full")), b = try latestRun(root.appendingPathComponent("merged"))

        var compared = 0
        for folder in ["cohorts", "prevalence", "measures"] {
            let want = files(a.appendingPathComponent(folder)), got = files(b.appendingPathComponent(folder))
            #expect(want == got, "\(asOf): \(folder)/ holds other files")
            for f in want where got.contains(f) {
                let x = try Data(contentsOf: a.appendingPathComponent("\(folder)/\(f)"))
                let y = try Data(contentsOf: b.appendingPathComponent("\(folder)/\(f)"))
                #expect(x == y, "\(asOf): \(folder)/\(f) differs from the unsharded run")
                compared += 1
            }
        }
        #expect(compared > 20, "compared only \(compared) files")
        #expect(files(b.appendingPathComponent("measures")) == ["measures_internal.csv", "measures_shareable.csv"], "the merge wrote no measures")
        for s in 0..<shards.count {
            let shardRun = try latestRun(root.appendingPathComponent("shards/\(s)"))
            #expect(!FileManager.default.fileExists(atPath: shardRun.appendingPathComponent("measures").path),
                    "shard \(s) wrote measure files of its own practices")
        }
        for f in files(b.appendingPathComponent("cohorts")) {
            #expect(try mode(b.appendingPathComponent("cohorts/\(f)").path) == 0o600, "cohorts/\(f) is not 0600")
        }
        #expect(try normalisedManifest(a.appendingPathComponent("manifest.json"))
                == normalisedManifest(b.appendingPathComponent("manifest.json")), "\(asOf): manifests differ")
        #expect(!FileManager.default.fileExists(atPath: a.appendingPathComponent("shard.json").path), "a run without --shard wrote shard.json")
        let merged = try readJSON(b.appendingPathComponent("manifest.json"))
        #expect((merged["shards"] as? [Any])?.count == shards.count)
        #expect(merged["run_id"] as? String == b.lastPathComponent, "the merged manifest names its own run")
        return (a, b)
    }

    @Test("three shards merged equal one run, twice, with a patient moving shard in between")
    func mergedShardsEqualTheUnshardedRun() throws {
        try withTemporaryDirectory("shards") { root in
            var extract = try Extract(Self.golden)
            let first = try runAndCompare(extract, shards: extract.shards(3), asOf: "2026-03-31", in: root)

            // Someone on a cohort list re-registers at a practice in another shard before the next
            // run: unsharded they are `continuing`; the merge must say so too, not `new` + leaver.
            let cohort = try String(contentsOf: first.full.appendingPathComponent("cohorts/frailty-severe.csv"), encoding: .utf8)
            let member = String(cohort.split(separator: "\r\n")[1].split(separator: ",")[1])
            let before = extract.shards(3)
            let from = before.firstIndex { $0.contains(member) }!
            let target = extract.tables["patients"]!.dropFirst().first { line in
                !before[from].contains(String(line.prefix { $0 != "," }))
            }.map(extract.practice(ofLine:))!
            extract.move(member, to: target)
            let after = extract.shards(3)
            #expect(!after[from].contains(member), "the patient did not change shard")

            let second = try runAndCompare(extract, shards: after, asOf: "2026-09-30", in: root)
            let moved = try String(contentsOf: second.merged.appendingPathComponent("cohorts/frailty-severe.csv"), encoding: .utf8)
            #expect(moved.contains(",\(member),") && moved.split(separator: "\r\n").contains { $0.contains(",\(member),") && $0.hasSuffix(",continuing") },
                    "the moved patient is not continuing")
        }
    }

    @Test("merge refuses shards that do not belong together (exit 65, naming the shard and the fix)")
    func inconsistentShards() throws {
        try withTemporaryDirectory("bad-shards") { root in
            let extract = try Extract(Self.golden)
            let parts = extract.shards(2)
            for (k, p) in parts.enumerated() { try extract.write(to: root.appendingPathComponent("e\(k)"), keeping: p) }
            func run(_ k: Int, into name: String, asOf: String = "2026-03-31", shard: Bool = true) throws {
                let r = try stratify(["run", Self.pipeline, "--extract", root.appendingPathComponent("e\(k)").path,
                                      "--output-root", root.appendingPathComponent(name).path, "--as-of", asOf, "--quiet"]
                                     + (shard ? ["--shard", name.replacingOccurrences(of: "/", with: "-")] : []), in: Paths.packageRoot)
                #expect(r.status == 0, "\(r)")
            }
            func merge(_ shards: String, expect: Int? = nil) throws -> CLIResult {
                try stratify(["merge", Self.pipeline, "--shards", root.appendingPathComponent(shards).path,
                              "--output-root", root.appendingPathComponent("out-\(shards)").path] + (expect.map { ["--expect", "\($0)"] } ?? []),
                             in: Paths.packageRoot)
            }
            // The same practices twice.
            try run(0, into: "overlap/a"); try run(0, into: "overlap/b")
            var r = try merge("overlap")
            #expect(r.status == 65 && r.stderr.contains("practice") && r.stderr.contains("overlap/b") && r.stderr.contains("help:"), "\(r)")
            // Different as-of dates.
            try run(0, into: "dates/a"); try run(1, into: "dates/b", asOf: "2026-04-01")
            r = try merge("dates")
            #expect(r.status == 65 && r.stderr.contains("$.as_of") && r.stderr.contains("dates/b"), "\(r)")
            // A shard run without --shard.
            try run(0, into: "plain/a"); try run(1, into: "plain/b", shard: false)
            r = try merge("plain")
            #expect(r.status == 65 && r.stderr.contains("--shard"), "\(r)")
            // A missing shard.
            r = try merge("dates", expect: 3)
            #expect(r.status == 65 && r.stderr.contains("expected 3"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out-overlap/latest").path))
        }
    }

    @Test("merge of an earlier as-of date than the merged root's latest needs --backfill and never moves latest")
    func mergeBackfill() throws {
        try withTemporaryDirectory("merge-backfill") { root in
            let extract = try Extract(Self.golden)
            let parts = extract.shards(2)
            for (k, p) in parts.enumerated() { try extract.write(to: root.appendingPathComponent("e\(k)"), keeping: p) }
            func shards(_ name: String, asOf: String) throws {
                for k in 0..<2 {
                    let r = try stratify(["run", Self.pipeline, "--extract", root.appendingPathComponent("e\(k)").path,
                                          "--output-root", root.appendingPathComponent("\(name)/\(k)").path, "--as-of", asOf,
                                          "--shard", "\(k)", "--quiet"], in: Paths.packageRoot)
                    #expect(r.status == 0, "\(r)")
                }
            }
            func merge(_ name: String, _ extra: [String] = []) throws -> CLIResult {
                try stratify(["merge", Self.pipeline, "--shards", root.appendingPathComponent(name).path,
                              "--output-root", root.appendingPathComponent("merged").path] + extra, in: Paths.packageRoot)
            }
            try shards("later", asOf: "2026-06-30")
            try shards("earlier", asOf: "2026-03-31")
            #expect(try merge("later").status == 0)
            let latest = try latestRun(root.appendingPathComponent("merged"))
            let refused = try merge("earlier")
            #expect(refused.status == 64 && refused.stderr.contains("--backfill"), "\(refused)")
            sleep(1)
            let r = try merge("earlier", ["--backfill"])
            #expect(r.status == 0, "\(r)")
            #expect(try latestRun(root.appendingPathComponent("merged")) == latest)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("merged/runs").path).count == 2)
        }
    }
}
