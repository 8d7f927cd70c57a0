import StratifyCore
import StratifyIngest
import StratifyPipeline

enum IngestCommand {
    static let spec = CommandSpec(
        name: "ingest",
        overview: "Validate an extract, quarantine bad rows, and write a run manifest.",
        positionals: [("extract-dir", "Folder holding patients.csv, clinical_events.csv and optionally medications.csv (each may be .csv.gz).")],
        flags: IngestFlags.specs(writes: "manifest.json and quarantine/"))

    static func run(_ args: [String]) throws(StratifyError) {
        let a = try spec.parse(args)
        if a.help { Terminal.out(spec.help); return }
        let (out, options) = try IngestFlags.apply(a, spec)
        let run = IngestRun(extractDirectory: a.positionals[0], outputDirectory: out, options: options)
        do {
            let outcome = try run.run(progress: Progress.ingest)
            Terminal.endProgress()
            Summary.print(outcome)
        } catch {
            Terminal.endProgress()
            throw error
        }
    }
}

enum Progress {
    static func ingest(_ p: IngestProgress) {
        let pct = p.fileBytes > 0 ? Int(Double(p.bytesRead) / Double(p.fileBytes) * 100) : 0
        Terminal.progress("ingest \(p.table.rawValue): \(Terminal.megabytes(p.bytesRead)) MB read (\(min(pct, 100))%)")
    }

    /// Stage progress after ingest: what the run is doing now, on a terminal only.
    static func stage(_ e: RunEvent) {
        guard e.event == "stage_finished", let stage = e.fields.first(where: { $0.0 == "stage" })?.1,
              case .string(let name) = stage else { return }
        let next = ["prepare": "ingest", "ingest": "flags", "flags": "scores", "scores": "outputs", "outputs": "publish"]
        if let n = next[name] { Terminal.progress("\(name) done; \(n)…") }
    }

    static func synth(_ done: Int, _ total: Int) {
        Terminal.progress("synth: \(done) of \(total) patients")
    }
}

/// The readable summary table printed after ingest.
enum Summary {
    static func print(_ o: IngestRun.Outcome) {
        for w in o.result.warnings { Terminal.err("warning: \(w)") }
        let header = "table".padding(18) + "read".leftPad(12) + "accepted".leftPad(12) + "quarantined".leftPad(13) + "  MB/s"
        var lines = [header]
        for t in o.result.tables {
            let rate = t.seconds > 0 ? Double(t.fileBytes) / 1_048_576 / t.seconds : 0
            lines.append(t.table.rawValue.padding(18) + String(t.rowsRead).leftPad(12) + String(t.rowsAccepted).leftPad(12)
                         + String(t.rowsQuarantined).leftPad(13) + "  " + JSON.format((rate * 10).rounded() / 10))
            for (reason, n) in t.quarantinedByReason.sorted(by: { $0.key < $1.key }) {
                lines.append("  " + reason.code.padding(40) + String(n))
            }
        }
        if let population = o.manifest["flags"]?["population"], case .int(let n) = population {
            lines.append("population: \(n) patients")
        }
        if let scores = o.manifest["scores"] {
            for key in ["priority", "segment", "efi_category"] {
                guard case .object(let pairs)? = scores[key] else { continue }
                lines.append("  \(key): " + pairs.map { name, v in
                    if case .int(let n) = v { return "\(name) \(n)" }
                    return name
                }.joined(separator: ", "))
            }
        }
        lines.append("manifest: \(o.manifestPath)  (\(JSON.format((o.seconds * 100).rounded() / 100)) s)")
        for l in lines { Terminal.out(l) }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// The flags every command that reads an extract takes, parsed in one place.
enum IngestFlags {
    static func specs(writes: String, extra: [FlagSpec] = []) -> [FlagSpec] {
        [
            FlagSpec(name: "as-of", valueName: "yyyy-mm-dd", help: "The run's as-of date D. (default: today)"),
            FlagSpec(name: "out", valueName: "dir", help: "Where to write \(writes). (required)"),
        ] + extra + [
            FlagSpec(name: "max-quarantine", valueName: "share", help: "Fail (exit 65) when a table's quarantined share is above this. (default: 0.01)"),
            FlagSpec(name: "max-line-bytes", valueName: "n", help: "A longer line is a malformed row, skipped while streaming. (default: 1048576)"),
            FlagSpec(name: "quarantine-cap", valueName: "n", help: "Rows each quarantine file keeps; counts stay exact. (default: 100000)"),
            FlagSpec(name: "threads", valueName: "n", help: "Parser threads. (default: all cores)"),
            FlagSpec(name: "checksum", valueName: "xxh64|sha256", help: "Checksum of each input file in the manifest. (default: xxh64)"),
            FlagSpec(name: "tokenizer", valueName: "swar|scalar", help: "CSV tokenizer; scalar is the slow reference. (default: swar)"),
            .quiet,
        ]
    }

    /// The output folder and ingest options from parsed arguments; sets `--quiet`.
    static func apply(_ a: ParsedArguments, _ spec: CommandSpec) throws(StratifyError) -> (String, IngestOptions) {
        Terminal.quiet = a.switches.contains("quiet")
        guard let out = a.values["out"] else { throw spec.usageError("missing '--out <dir>'") }
        var options = IngestOptions(asOf: try a.day("as-of", in: spec) ?? LocalDate.today())
        if let t = try a.int("threads", in: spec, range: 1...256) { options.threads = t }
        if let q = try a.fraction("max-quarantine", in: spec) { options.quarantineThreshold = q }
        if let n = try a.int("max-line-bytes", in: spec, range: 1024...(1 << 30)) { options.maxLineBytes = n }
        if let n = try a.int("quarantine-cap", in: spec, range: 0...1_000_000_000) { options.quarantineCap = n }
        if let k = a.values["tokenizer"] {
            guard let kind = TokenizerKind(rawValue: k) else { throw spec.usageError("'--tokenizer' expects swar or scalar") }
            options.tokenizer = kind
        }
        if let c = a.values["checksum"] {
            guard let kind = ChecksumKind(rawValue: c) else { throw spec.usageError("'--checksum' expects xxh64 or sha256") }
            options.checksum = kind
        }
        return (out, options)
    }
}
