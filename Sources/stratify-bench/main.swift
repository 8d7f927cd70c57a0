#if canImport(Glibc)
import Glibc
#endif
import StratifyCore
import StratifySynth

// stratify-bench: release-build measurements of each stage on synthetic extracts.
// Results are recorded in BENCHMARKS.md with the machine and Swift version.

signal(SIGPIPE, SIG_IGN)

let usage = """
    OVERVIEW: Measure Stratify's stages on synthetic extracts (release builds only).

    USAGE: stratify-bench <benchmark> [options]

    BENCHMARKS:
      ingest                      Ingest throughput (MB/s, rows/s) and peak memory per patient.
      scores                      Score kernels, scalar versus SIMD, per kernel and for the whole step.
      pipeline                    The whole pipeline (stratify run): seconds per stage, MB/s, rows/s,
                                  peak RSS, bytes per patient; a scaling table with --sizes or
                                  --events-scale.
      intervals                   A pipeline run whose achievement measures ask for monthly intervals
                                  against the same run as of one date, alternating rounds: wall,
                                  CPU and peak RSS ratios (--months, default 12; --runs, default 3).
      sha256                      Checksum throughput on an in-memory buffer.

    OPTIONS (ingest, scores, pipeline):
      --patients <n>              Synthetic patients. (default: 100000; 1200000 for scores)
      --runs <n>                  Timed runs; the median is reported. (default: 3 for ingest, 11 for scores, 1 for pipeline)
      --threads <n>               Parser threads, ingest only. (default: all cores)
      --data <dir>                Where the synthetic extract is cached. (default: output/bench/ingest-<n>,
                                  with -<order> unless patient order, -epp<k> for a scaled history)
      --order <o>                 Row order of events and medications: patient, date or shuffled
                                  (synth --order). (default: shuffled)
      --reference <dir>           Reference data folder. (default: ./reference)
      --help                      Show help information.

    OPTIONS (pipeline):
      --sizes <n,n,...>           Run at each patient count and print a scaling table (replaces --patients),
                                  e.g. 10000,100000,1200000.
      --events-scale <k,k,...>    Also run with every clinical event repeated k times, same patients
                                  (output/bench/ingest-<n>-events-x<k>/, made once). (default: 1)
      --events-per-patient-scale <k,k,...>
                                  Also run on extracts whose patients have k times the events and
                                  medications, the copies on other dates of their life (synth
                                  --events-per-patient-scale; one extract each, cached). (default: 1)
      --pipeline <file>           Pipeline definition; its extract and output root are replaced by the
                                  benchmark's. (default: pipelines/demo.json)
                                  With more than one size or scale, each run is measured in a fresh
                                  child process, so peak RSS does not carry pages an earlier run freed.

    Synthetic extracts (seed 42, defect rate 0.001) are cached under output/bench/ and reused.
    """

var args = Array(CommandLine.arguments.dropFirst())
if args.isEmpty || args.contains("--help") {
    print(usage)
    exit(args.isEmpty ? 64 : 0)
}
#if DEBUG
print("WARNING: debug build: numbers are meaningless. Use `swift run -c release stratify-bench ...`.")
#endif
let bench = args.removeFirst()
let options = args
func value(_ flag: String) -> String? {
    guard let i = options.firstIndex(of: "--" + flag), i + 1 < options.count else { return nil }
    return options[i + 1]
}
guard let order = RowOrder(rawValue: value("order") ?? "shuffled") else {
    print("Error: --order expects patient, date or shuffled")
    exit(64)
}
do {
    switch bench {
    case "ingest":
        let patients = Int(value("patients") ?? "") ?? 100_000
        var ingest = IngestBenchmark(
            patients: patients, runs: Int(value("runs") ?? "") ?? 3,
            threads: Int(value("threads") ?? "") ?? ProcessInfoLite.activeProcessorCount,
            dataDirectory: value("data") ?? IngestBenchmark.defaultDirectory(patients: patients, order: order, eventsPerPatientScale: 1),
            referenceDirectory: value("reference"))
        ingest.order = order
        try ingest.run()
    case "scores":
        ScoresBenchmark(patients: Int(value("patients") ?? "") ?? 1_200_000, runs: Int(value("runs") ?? "") ?? 11).run()
    case "pipeline":
        let list = { (flag: String) in value(flag).map { $0.split(separator: ",").compactMap { Int($0) } } }
        let sizes = list("sizes") ?? [Int(value("patients") ?? "") ?? 100_000]
        let history = list("events-per-patient-scale") ?? [1]
        var benchmark = PipelineBenchmark(
            sizes: sizes, eventScales: list("events-scale") ?? [1], runs: Int(value("runs") ?? "") ?? 1,
            pipeline: value("pipeline") ?? "pipelines/demo.json",
            dataDirectory: sizes.count == 1 && history.count == 1 ? value("data") : nil, referenceDirectory: value("reference"))
        benchmark.order = order
        benchmark.historyScales = history
        benchmark.resultFile = value("result-file")
        try benchmark.run()
    case "intervals":
        try IntervalsBenchmark(
            patients: Int(value("patients") ?? "") ?? 100_000, months: Int(value("months") ?? "") ?? 12,
            rounds: Int(value("runs") ?? "") ?? 3, pipeline: value("pipeline") ?? "pipelines/demo.json",
            referenceDirectory: value("reference")
        ).run()
    case "sha256":
        sha256Benchmark()
    default:
        print("Error: unknown benchmark '\(bench)'\n\(usage)")
        exit(64)
    }
} catch {
    print("Error: \(error)")
    exit(error.kind == .usage ? 64 : (error.kind == .inputData ? 65 : 1))
}
