import Foundation
import Testing

/// Help output and bad invocations (exit 64). None of these reads or writes data.
@Suite("CLI: help and usage")
struct HelpAndUsageTests {
    struct HelpCase: Sendable, CustomTestStringConvertible {
        let id: String
        let args: [String]
        var testDescription: String { id }
    }

    @Test("--help prints OVERVIEW, USAGE and OPTIONS and exits 0", arguments: [
        HelpCase(id: "top", args: ["--help"]),
        HelpCase(id: "ingest", args: ["ingest", "--help"]),
        HelpCase(id: "synth", args: ["synth", "--help"]),
        HelpCase(id: "demo", args: ["demo", "--help"]),
        HelpCase(id: "merge", args: ["merge", "--help"]),
    ])
    func help(_ c: HelpCase) throws {
        let r = try stratify(c.args)
        #expect(r.status == 0, "\(r)")
        for heading in ["OVERVIEW:", "USAGE:", "OPTIONS:"] {
            #expect(r.stdout.contains(heading), "\(c.id): no \(heading) in\n\(r.stdout)")
        }
        #expect(r.stderr.isEmpty, "\(r)")
    }

    @Test("subcommand help lists every flag the subcommand accepts")
    func ingestHelpListsFlags() throws {
        let r = try stratify(["ingest", "--help"])
        for flag in ["--as-of", "--out", "--max-quarantine", "--threads", "--quiet", "--help"] {
            #expect(r.stdout.contains(flag), "ingest --help does not mention \(flag)")
        }
    }

    struct UsageCase: Sendable, CustomTestStringConvertible {
        let id: String
        let args: [String]
        /// Text stderr (or, for no arguments, stdout) must contain.
        let says: String
        var testDescription: String { id }
    }

    /// Every case names an extract folder that exists, so only the invocation can be at fault.
    static let usageCases: [UsageCase] = [
        UsageCase(id: "unknown subcommand", args: ["frobnicate"], says: "Error: unknown subcommand 'frobnicate'"),
        UsageCase(id: "unknown option", args: ["ingest", "EXTRACT", "--out", "OUT", "--frobnicate"], says: "unknown option '--frobnicate'"),
        UsageCase(id: "missing --out", args: ["ingest", "EXTRACT"], says: "--out"),
        UsageCase(id: "missing extract folder argument", args: ["ingest", "--out", "OUT"], says: "extract-dir"),
        UsageCase(id: "impossible --as-of", args: ["ingest", "EXTRACT", "--out", "OUT", "--as-of", "2025-02-30"], says: "--as-of"),
        UsageCase(id: "--as-of not a date", args: ["ingest", "EXTRACT", "--out", "OUT", "--as-of", "31/03/2025"], says: "--as-of"),
        UsageCase(id: "--max-quarantine above 1", args: ["ingest", "EXTRACT", "--out", "OUT", "--max-quarantine", "2"], says: "--max-quarantine"),
        UsageCase(id: "--max-quarantine negative", args: ["ingest", "EXTRACT", "--out", "OUT", "--max-quarantine=-0.1"], says: "--max-quarantine"),
        UsageCase(id: "--threads 0", args: ["ingest", "EXTRACT", "--out", "OUT", "--threads", "0"], says: "--threads"),
        UsageCase(id: "synth without --patients", args: ["synth", "--out", "OUT"], says: "--patients"),
        UsageCase(id: "synth --defects above 1", args: ["synth", "--patients", "10", "--out", "OUT", "--defects", "1.5"], says: "--defects"),
        UsageCase(id: "flag value missing", args: ["ingest", "EXTRACT", "--out"], says: "missing value"),
        UsageCase(id: "merge without --shards", args: ["merge", "PIPELINE"], says: "--shards"),
        UsageCase(id: "run --shard with a slash", args: ["run", "PIPELINE", "--shard", "a/b"], says: "--shard"),
    ]

    @Test("bad invocations exit 64 with an Error: line and write nothing", arguments: usageCases)
    func usage(_ c: UsageCase) throws {
        try withTemporaryDirectory("usage") { dir in
            let extract = Paths.golden.appendingPathComponent("small-extract").path
            let out = dir.appendingPathComponent("out").path
            let args = c.args.map { $0 == "EXTRACT" ? extract : $0 == "OUT" ? out : $0 }
            let r = try stratify(args, in: dir)
            #expect(r.status == 64, "\(c.id): \(r)")
            #expect(r.stderr.hasPrefix("Error: "), "\(c.id): \(r)")
            #expect(r.stderr.contains(c.says), "\(c.id): \(r)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(c.id): a bad invocation created the output folder")
        }
    }

    @Test("a mistyped subcommand names the one meant")
    func subcommandSuggestion() throws {
        let r = try stratify(["rnu"])
        #expect(r.status == 64, "\(r)")
        #expect(r.stderr.hasPrefix("Error: unknown subcommand 'rnu'. Did you mean 'run'?"), "\(r)")
    }

    @Test("a mistyped option names the one meant")
    func optionSuggestion() throws {
        let r = try stratify(["run", "PIPELINE", "--as-off", "2026-03-31"])
        #expect(r.status == 64, "\(r)")
        #expect(r.stderr.contains("unknown option '--as-off'. Did you mean '--as-of'?"), "\(r)")
    }

    @Test("a name far from every known one gets no guess")
    func noWildGuess() throws {
        let r = try stratify(["frobnicate"])
        #expect(r.status == 64, "\(r)")
        #expect(!r.stderr.contains("Did you mean"), "\(r)")
    }

    @Test("'stratify help run' prints what 'stratify run --help' prints")
    func helpSubcommand() throws {
        let viaHelp = try stratify(["help", "run"]), viaFlag = try stratify(["run", "--help"])
        #expect(viaHelp.status == 0, "\(viaHelp)")
        #expect(viaHelp.stdout.contains("USAGE: stratify run"), "\(viaHelp)")
        #expect(viaHelp.stdout == viaFlag.stdout)
    }

    @Test("'stratify help' of an unknown subcommand exits 64 with a suggestion")
    func helpUnknownSubcommand() throws {
        let r = try stratify(["help", "rnu"])
        #expect(r.status == 64, "\(r)")
        #expect(r.stderr.contains("Did you mean 'run'?"), "\(r)")
    }

    @Test("no arguments prints the overview and exits 64")
    func noArguments() throws {
        let r = try stratify([])
        #expect(r.status == 64, "\(r)")
        #expect(r.stdout.contains("USAGE:"), "\(r)")
        #expect(r.stdout.contains("SUBCOMMANDS:"), "\(r)")
    }

    @Test("--version prints the version and exits 0")
    func version() throws {
        let r = try stratify(["--version"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("stratify "), "\(r)")
    }
}
