#if canImport(Glibc)
import Glibc
#endif
import StratifyCore

// Writes to a closed pipe (`stratify ... | head`) must fail with EPIPE, not kill the process.
signal(SIGPIPE, SIG_IGN)
// A file-size limit (ulimit -f) must fail the write with EFBIG, reported like a full disk,
// not kill the process with a core dump halfway through a run.
signal(SIGXFSZ, SIG_IGN)

let commands: [(spec: CommandSpec, run: ([String]) throws(StratifyError) -> Void)] = [
    (DemoCommand.spec, DemoCommand.run),
    (DoctorCommand.spec, DoctorCommand.run),
    (FlagsCommand.spec, FlagsCommand.run),
    (IngestCommand.spec, IngestCommand.run),
    (MergeCommand.spec, MergeCommand.run),
    (RulesCommand.spec, RulesCommand.run),
    (RunCommand.spec, RunCommand.run),
    (SynthCommand.spec, SynthCommand.run),
]

let topHelp = """
    OVERVIEW: Stratify: population health risk stratification for NHS integrated care boards.

    USAGE: stratify <subcommand> [options]

    OPTIONS:
      --version                   Show the version.
      --help                      Show help information.

    SUBCOMMANDS:
    \(commands.map { "  " + $0.spec.name.padding(26) + $0.spec.overview }.joined(separator: "\n"))

      See 'stratify <subcommand> --help' for detailed help.

    EXIT CODES:
      0   success
      1   run failed (I/O, reference data, internal error)
      64  bad invocation (unknown option, missing argument)
      65  bad input data (missing file or column, too many quarantined rows, corrupt gzip, inconsistent shards)
      129 130 143  'run' stopped by SIGHUP, SIGINT or SIGTERM (128 + the signal; nothing published)
    """

var args = Array(CommandLine.arguments.dropFirst())
if args.isEmpty || args == ["--help"] || args == ["-h"] || args == ["help"] {
    Terminal.out(topHelp)
    exit(args.isEmpty ? 64 : 0)
}
if args == ["--version"] {
    Terminal.out("stratify \(StratifyVersion.current)")
    exit(0)
}
let name = args.removeFirst()
guard let command = commands.first(where: { $0.spec.name == name }) else {
    Terminal.err("Error: unknown subcommand '\(name)'\nUsage: stratify <subcommand> [options]\n  See 'stratify --help' for more information.")
    exit(64)
}
do {
    try command.run(args)
    exit(0)
} catch {
    Terminal.err("Error: \(error.message)")
    if let help = error.help { Terminal.err(help.hasPrefix("Usage:") ? help : "help: \(help)") }
    exit(exitCode(error.kind))
}
